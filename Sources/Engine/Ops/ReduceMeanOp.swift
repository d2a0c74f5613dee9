/// ReduceMean over given axes (attribute up to opset 17, input from 18), with `keepdims`.
/// Averages over H and W of a rank-4 tensor lower to the NHWC global-average kernel; other
/// reductions run the reference implementation.
struct ReduceMeanOp: Operator {
    let axesAttribute: [Int]?
    let keepDims: Bool
    let noopWithEmptyAxes: Bool

    init(_ a: Attributes) throws {
        axesAttribute = a.ints("axes")
        keepDims = try a.int("keepdims", default: 1) != 0
        noopWithEmptyAxes = try a.int("noop_with_empty_axes", default: 0) != 0
    }

    func axes(_ inputs: [ValueFacts?], rank: Int, node: NodeInfo) throws -> [Int] {
        var given = axesAttribute
        if given == nil, inputs.count > 1, let f = inputs[1] {
            guard let c = f.constant else { throw node.invalid("axes must be a constant") }
            given = c.asInt64s.map { Int($0) }
        }
        guard let list = given, !list.isEmpty else { return noopWithEmptyAxes ? [] : Array(0..<rank) }
        return try Set(list.map { a -> Int in
            let v = a < 0 ? a + rank : a
            guard v >= 0 && v < rank else { throw node.invalid("axis \(a) out of range for rank \(rank)") }
            return v
        }).sorted()
    }

    func outShape(_ shape: [Int], _ axes: [Int]) -> [Int] {
        keepDims ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                 : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "data")
        return [ValueFacts(shape: outShape(x.shape, try axes(inputs, rank: x.shape.count, node: node)), isFloat: x.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "data")
        let ax = try axes(inputs.map { $0.map { ValueFacts(constant: $0) } }, rank: x.shape.count, node: node)
        let out = outShape(x.shape, ax)
        let kept = x.shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
        var sums = [Double](repeating: 0, count: max(kept.reduce(1, *), 1))
        let values = x.asFloats
        let st = Reference.strides(x.shape), kst = Reference.strides(kept)
        for i in values.indices {
            var k = 0
            for d in x.shape.indices where !ax.contains(d) { k += (i / st[d]) % x.shape[d] * kst[d] }
            sums[k] += Double(values[i])
        }
        let n = Double(ax.map { x.shape[$0] }.reduce(1, *))
        return [Tensor(shape: out, floats: sums.map { Float($0 / n) })]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "data")
        let s = b.shape(xv)
        let ax = try axes(inputs.map { $0.flatMap { b.facts[$0] } }, rank: s.count, node: node)
        guard s.count == 4, ax == [2, 3] else {
            b.emitReference(self, node: node, inputs: inputs, outputs: outputs)
            return
        }
        let x = b.require(xv, .nhwc)
        let out = outputs[0]
        b.define(out, layout: .plain)
        b.emit(inputs: [x], outputs: [out], label: "ReduceMean \(node.name)") { r in
            GlobalAverageKernel(input: r(x), output: r(out), batch: s[0], pixels: s[2] * s[3], channels: s[1])
        }
    }
}
