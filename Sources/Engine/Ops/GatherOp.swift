/// Gather along an axis with int64 indices (negative indices count from the end). Usually folded
/// (shape arithmetic); on run-time data it runs the reference implementation.
struct GatherOp: Operator {
    let axis: Int

    init(_ a: Attributes) throws {
        axis = try a.int("axis", default: 0)
    }

    func resolved(_ data: [Int], _ indices: [Int], node: NodeInfo) throws -> (Int, [Int]) {
        let ax = axis < 0 ? axis + data.count : axis
        guard ax >= 0 && ax < data.count else { throw node.invalid("axis \(axis) out of range for \(data)") }
        return (ax, Array(data[..<ax]) + indices + Array(data[(ax + 1)...]))
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let d = try node.input(inputs, 0, "data"), i = try node.input(inputs, 1, "indices")
        guard !i.isFloat else { throw node.invalid("indices must be integers") }
        return [ValueFacts(shape: try resolved(d.shape, i.shape, node: node).1, isFloat: d.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let d = try node.input(inputs, 0, "data"), i = try node.input(inputs, 1, "indices")
        let (ax, shape) = try resolved(d.shape, i.shape, node: node)
        let outer = d.shape[..<ax].reduce(1, *), n = d.shape[ax], inner = d.shape[(ax + 1)...].reduce(1, *)
        let idx = try i.asInt64s.map { v -> Int in
            let k = v < 0 ? Int(v) + n : Int(v)
            guard k >= 0 && k < n else { throw node.invalid("index \(v) out of range 0..<\(n)") }
            return k
        }
        func gather<T>(_ v: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(shape.reduce(1, *))
            for o in 0..<outer { for k in idx { out += v[(o * n + k) * inner..<(o * n + k + 1) * inner] } }
            return out
        }
        if let ints = d.int64s { return [Tensor(shape: shape, int64s: gather(ints))] }
        return [Tensor(shape: shape, floats: gather(d.asFloats))]
    }
}
