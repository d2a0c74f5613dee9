/// Constant: a tensor given as an attribute (`value`, `value_float(s)`, `value_int(s)`).
struct ConstantOp: Operator {
    let value: Tensor

    init(_ a: Attributes) throws {
        if let t = try a.tensor("value") {
            value = t
        } else if a.has("value_float") {
            value = Tensor(shape: [], floats: [try a.float("value_float")])
        } else if a.has("value_int") {
            value = Tensor(shape: [], int64s: [Int64(try a.int("value_int"))])
        } else if let ints = a.ints("value_ints") {
            value = Tensor(shape: [ints.count], int64s: ints.map { Int64($0) })
        } else {
            throw a.node.invalid("needs a 'value', 'value_float', 'value_int' or 'value_ints' attribute (sparse and string constants are not supported)")
        }
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] { [ValueFacts(constant: value)] }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] { [value] }
}
