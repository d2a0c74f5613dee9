/// Concat along an axis. Channel concatenation of NHWC images stays NHWC.
struct ConcatOp: Operator {
    let axis: Int

    init(_ a: Attributes) throws {
        axis = try a.int("axis")
    }

    func resolvedAxis(_ rank: Int, node: NodeInfo) throws -> Int {
        let ax = axis < 0 ? axis + rank : axis
        guard ax >= 0 && ax < rank else { throw node.invalid("axis \(axis) out of range for rank \(rank)") }
        return ax
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let given = inputs.compactMap { $0 }
        guard let first = given.first else { throw node.invalid("no inputs") }
        let ax = try resolvedAxis(first.shape.count, node: node)
        var shape = first.shape
        shape[ax] = 0
        for f in given {
            guard f.shape.count == first.shape.count,
                  f.shape.indices.allSatisfy({ $0 == ax || f.shape[$0] == first.shape[$0] }) else {
                throw node.mismatch("\(f.shape) does not concatenate with \(first.shape) along axis \(axis)")
            }
            shape[ax] += f.shape[ax]
        }
        return [ValueFacts(shape: shape, isFloat: given.allSatisfy(\.isFloat))]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let given = inputs.compactMap { $0 }
        guard let first = given.first else { throw node.invalid("no inputs") }
        let ax = try resolvedAxis(first.shape.count, node: node)
        let outer = first.shape[..<ax].reduce(1, *)
        var shape = first.shape
        shape[ax] = given.map { $0.shape[ax] }.reduce(0, +)
        if given.allSatisfy({ $0.int64s != nil }) {
            var out: [Int64] = []
            for o in 0..<outer {
                for t in given {
                    let chunk = t.shape[ax...].reduce(1, *)
                    out += (t.int64s ?? [])[o * chunk..<(o + 1) * chunk]
                }
            }
            return [Tensor(shape: shape, int64s: out)]
        }
        var out: [Float] = []
        for o in 0..<outer {
            for t in given {
                let chunk = t.shape[ax...].reduce(1, *)
                out += t.asFloats[o * chunk..<(o + 1) * chunk]
            }
        }
        return [Tensor(shape: shape, floats: out)]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let given = inputs.compactMap { $0 }
        let out = outputs[0]
        let shape = b.shape(out)
        let ax = try resolvedAxis(shape.count, node: node)
        let nhwc = shape.count == 4 && ax == 1 && !Layout.isTrivial(shape)
            && given.contains { b.constant($0) == nil && b.layout($0) == .nhwc }
        let layout: Layout = nhwc ? .nhwc : .plain
        let xs = given.map { b.require($0, layout) }
        b.define(out, layout: layout)
        let physicalAxis = nhwc ? 3 : ax
        let outer = layout.physical(shape)[..<physicalAxis].reduce(1, *)
        let chunks = xs.map { layout.physical(b.shape($0))[physicalAxis...].reduce(1, *) }
        b.emit(inputs: xs, outputs: [out], label: "Concat \(node.name)") { r in
            ConcatKernel(inputs: xs.map { r($0) }, chunks: chunks, output: r(out), outer: outer)
        }
    }
}
