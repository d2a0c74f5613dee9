/// The identity of a node for error messages and naming.
struct NodeInfo: Sendable, Hashable {
    /// The node's name, or its first output's name when unnamed.
    let name: String
    /// The operator name, e.g. `Conv`.
    let opType: String

    func invalid(_ reason: String) -> EngineError {
        .invalidNode(op: opType, node: name, reason: reason)
    }

    func mismatch(_ reason: String) -> EngineError {
        .shapeMismatch(node: name, reason: reason)
    }

    /// The input at `index`, or an error naming it.
    func input<T>(_ values: [T?], _ index: Int, _ what: String) throws -> T {
        guard index < values.count, let v = values[index] else {
            throw invalid("missing input \(index) (\(what))")
        }
        return v
    }

    /// A float constant input, or an error.
    func floatConstant(_ facts: [ValueFacts?], _ index: Int, _ what: String) throws -> [Float] {
        let f = try input(facts, index, what)
        guard let c = f.constant, let v = c.floats else {
            throw invalid("input \(index) (\(what)) must be a float constant (an initializer); computed \(what) is not supported")
        }
        return v
    }
}
