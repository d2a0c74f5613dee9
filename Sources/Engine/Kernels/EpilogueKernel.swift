/// A convolution's epilogue on its own: copies the accumulated NHWC output (product plus bias)
/// unless it is computed in place, then applies masks, statistics and the activation (`Epilogue`).
struct EpilogueKernel: Kernel {
    let input: Loc
    let output: Loc
    /// Items in the micro-batch.
    let items: Int
    /// Output pixels of one item.
    let pixels: Int
    let epilogue: Epilogue

    func run(_ context: RunContext) {
        let x = context[input], y = context[output]
        let channels = epilogue.bias.count
        let rows = items * pixels
        if x != y { y.update(from: x, count: rows * channels) }
        epilogue.apply(context, data: y, ld: channels, firstRow: 0, rows: rows, rowsPerItem: pixels)
    }
}
