/// Softmax along one axis (opset 13+), or over the flattened trailing axes from `axis` (earlier opsets).
struct SoftmaxOp: Operator {
    let axis: Int
    let flattenTrailing: Bool

    init(_ a: Attributes, opset: Int) throws {
        flattenTrailing = opset < 13
        axis = try a.int("axis", default: opset < 13 ? 1 : -1)
    }

    /// (outer, axis length, inner) for `shape`.
    func split(_ shape: [Int], node: NodeInfo) throws -> (Int, Int, Int) {
        let ax = axis < 0 ? axis + shape.count : axis
        guard ax >= 0 && ax < shape.count else { throw node.invalid("axis \(axis) out of range for \(shape)") }
        let outer = shape[..<ax].reduce(1, *)
        if flattenTrailing { return (outer, shape[ax...].reduce(1, *), 1) }
        return (outer, shape[ax], shape[(ax + 1)...].reduce(1, *))
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "input")
        _ = try split(x.shape, node: node)
        return [ValueFacts(shape: x.shape, isFloat: true)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "input")
        let (outer, n, inner) = try split(x.shape, node: node)
        let v = x.asFloats
        var y = v
        for o in 0..<outer {
            for i in 0..<inner {
                let idx = (0..<n).map { (o * n + $0) * inner + i }
                let m = idx.map { v[$0] }.max() ?? 0
                let e = idx.map { Double(Activation.exp.apply(v[$0] - m)) }
                let s = e.reduce(0, +)
                for (k, j) in idx.enumerated() { y[j] = Float(e[k] / s) }
            }
        }
        return [Tensor(shape: x.shape, floats: y)]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let x = b.require(try node.input(inputs, 0, "input"), .plain)
        let (outer, n, inner) = try split(b.shape(x), node: node)
        let out = outputs[0]
        b.define(out, layout: .plain)
        b.emit(inputs: [x], outputs: [out], inPlace: (out, x), label: "Softmax \(node.name)") { r in
            SoftmaxKernel(input: r(x), output: r(out), outer: outer, axis: n, inner: inner)
        }
    }
}
