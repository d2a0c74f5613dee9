/// Softmax along an axis of a plain tensor: `outer x axis x inner`.
struct SoftmaxKernel: Kernel {
    let input: Loc
    let output: Loc
    let outer: Int
    let axis: Int
    let inner: Int

    func run(_ context: RunContext) {
        let x = context[input], y = context[output]
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * axis * inner + i
                var m = -Float.infinity
                for k in 0..<axis { m = max(m, x[base + k * inner]) }
                var sum: Float = 0
                for k in 0..<axis {
                    let e = Activation.exp.apply(x[base + k * inner] - m)
                    y[base + k * inner] = e
                    sum += e
                }
                let r = 1 / sum
                for k in 0..<axis { y[base + k * inner] *= r }
            }
        }
    }
}
