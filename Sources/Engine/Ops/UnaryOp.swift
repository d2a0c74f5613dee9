/// Elementwise activations: Relu, Clip, LeakyRelu, HardSwish, HardSigmoid, Sigmoid, Tanh, Erf,
/// Exp, Neg, Sqrt, Abs. Any layout; in place when the input dies here; fused into a preceding
/// Conv, Gemm or BatchNormalization when it is that node's only consumer.
struct UnaryOp: Operator {
    /// The activation, or nil for Clip whose bounds are inputs (resolved when folded constants are known).
    let fixed: Activation?
    /// For Clip from opset 11: bounds come from inputs 1 and 2.
    let clipFromInputs: Bool

    init(opType: String, _ a: Attributes) throws {
        clipFromInputs = false
        switch opType {
        case "Relu": fixed = .relu
        case "LeakyRelu": fixed = .leakyRelu(try a.float("alpha", default: 0.01))
        case "HardSwish": fixed = .hardSwish
        case "HardSigmoid": fixed = .hardSigmoid(try a.float("alpha", default: 0.2), try a.float("beta", default: 0.5))
        case "Sigmoid": fixed = .sigmoid
        case "Tanh": fixed = .tanh
        case "Erf": fixed = .erf
        case "Exp": fixed = .exp
        case "Neg": fixed = .neg
        case "Sqrt": fixed = .sqrt
        case "Abs": fixed = .abs
        default: throw a.node.invalid("not an elementwise activation")
        }
    }

    /// Clip: bounds as attributes (opset < 11) or inputs.
    init(clip a: Attributes) throws {
        if a.has("min") || a.has("max") {
            fixed = .clip(try a.float("min", default: -.greatestFiniteMagnitude), try a.float("max", default: .greatestFiniteMagnitude))
            clipFromInputs = false
        } else {
            fixed = nil
            clipFromInputs = true
        }
    }

    /// The activation given the facts of the inputs (Clip bounds must be constants).
    func activation(_ inputs: [ValueFacts?], node: NodeInfo) throws -> Activation {
        if let fixed { return fixed }
        func bound(_ i: Int, _ d: Float) throws -> Float {
            guard i < inputs.count, let f = inputs[i] else { return d }
            guard let c = f.constant, c.count == 1 else {
                throw node.invalid("Clip bound \(i == 1 ? "min" : "max") must be a constant scalar")
            }
            return c.asFloats[0]
        }
        return .clip(try bound(1, -.greatestFiniteMagnitude), try bound(2, .greatestFiniteMagnitude))
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "X")
        _ = try activation(inputs, node: node)
        return [ValueFacts(shape: x.shape, isFloat: x.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "X")
        let act = try activation(inputs.map { $0.map { ValueFacts(constant: $0) } }, node: node)
        if let ints = x.int64s, case .clip(let lo, let hi) = act {
            return [Tensor(shape: x.shape, int64s: ints.map { Swift.min(Swift.max($0, Int64(lo.rounded(.up))), Int64(hi.rounded(.down))) })]
        }
        return [Tensor(shape: x.shape, floats: x.asFloats.map { act.apply($0) })]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "X")
        let act = try activation(inputs.map { $0.map { b.facts[$0] ?? ValueFacts(shape: [], isFloat: true) } }, node: node)
        let out = outputs[0]
        b.define(out, layout: b.layout(xv))
        let n = b.shape(xv).reduce(1, *)
        b.emit(inputs: [xv], outputs: [out], inPlace: (out, xv), label: "\(node.opType) \(node.name)") { r in
            UnaryKernel(input: r(xv), output: r(out), count: n, activation: act)
        }
    }
}
