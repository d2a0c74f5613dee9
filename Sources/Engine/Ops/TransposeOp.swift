/// Transpose with a permutation (default: reversed axes). Folded for constants; the reference
/// implementation runs on run-time data.
struct TransposeOp: Operator {
    let perm: [Int]?

    init(_ a: Attributes) throws {
        perm = a.ints("perm")
    }

    func permutation(_ rank: Int, node: NodeInfo) throws -> [Int] {
        let p = perm ?? Array((0..<rank).reversed())
        guard p.sorted() == Array(0..<rank) else { throw node.invalid("perm \(p) is not a permutation of 0..<\(rank)") }
        return p
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "data")
        let p = try permutation(x.shape.count, node: node)
        return [ValueFacts(shape: p.map { x.shape[$0] }, isFloat: x.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "data")
        let p = try permutation(x.shape.count, node: node)
        let shape = p.map { x.shape[$0] }
        let inStrides = Reference.strides(x.shape), outStrides = Reference.strides(shape)
        let n = x.count
        let source = (0..<n).map { i -> Int in
            var s = 0
            for d in shape.indices { s += (i / outStrides[d]) % shape[d] * inStrides[p[d]] }
            return s
        }
        if let ints = x.int64s { return [Tensor(shape: shape, int64s: source.map { ints[$0] })] }
        let v = x.asFloats
        return [Tensor(shape: shape, floats: source.map { v[$0] })]
    }
}
