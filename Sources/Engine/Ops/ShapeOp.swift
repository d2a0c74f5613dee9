/// Shape: the input's shape as int64 (with opset 15's `start`/`end`). Always folded at plan time,
/// since plans are built for concrete shapes.
struct ShapeOp: Operator {
    let start: Int
    let end: Int?

    init(_ a: Attributes) throws {
        start = try a.int("start", default: 0)
        end = a.has("end") ? try a.int("end") : nil
    }

    func slice(_ shape: [Int]) -> [Int] {
        let r = shape.count
        func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
        let s = clamp(start), e = clamp(end ?? r)
        return s < e ? Array(shape[s..<e]) : []
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "data")
        let s = slice(x.shape)
        return [ValueFacts(constant: Tensor(shape: [s.count], int64s: s.map { Int64($0) }))]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let s = slice(try node.input(inputs, 0, "data").shape)
        return [Tensor(shape: [s.count], int64s: s.map { Int64($0) })]
    }

    func fold(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [Tensor]? {
        let s = slice(try node.input(inputs, 0, "data").shape)
        return [Tensor(shape: [s.count], int64s: s.map { Int64($0) })]
    }
}
