/// Concatenation along a physical axis: `outer` blocks, each the inputs' chunks in order.
struct ConcatKernel: Kernel {
    let inputs: [Loc]
    /// Floats of each input per outer block.
    let chunks: [Int]
    let output: Loc
    let outer: Int

    func run(_ context: RunContext) {
        let y = context[output]
        let total = chunks.reduce(0, +)
        var start = 0
        for (loc, chunk) in zip(inputs, chunks) {
            let x = context[loc]
            for o in 0..<outer { (y + o * total + start).update(from: x + o * chunk, count: chunk) }
            start += chunk
        }
    }
}
