/// An activation over a whole buffer (in place when input and output coincide).
struct UnaryKernel: Kernel {
    let input: Loc
    let output: Loc
    let count: Int
    let activation: Activation

    func run(_ context: RunContext) {
        activation.apply(context[input], context[output], count: count)
    }
}
