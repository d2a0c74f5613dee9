/// The operators that only reinterpret a tensor's shape: Reshape, Flatten, Squeeze, Unsqueeze,
/// plus Identity and Dropout (inference: identity). At run time they share their input's storage.
struct ReshapeOp: Operator {
    /// Which reinterpretation.
    enum Kind: Sendable { case reshape, flatten, squeeze, unsqueeze, identity }

    let kind: Kind
    let axis: Int
    let axesAttribute: [Int]?
    let allowZero: Bool

    init(opType: String, _ a: Attributes) throws {
        switch opType {
        case "Reshape": kind = .reshape
        case "Flatten": kind = .flatten
        case "Squeeze": kind = .squeeze
        case "Unsqueeze": kind = .unsqueeze
        case "Identity", "Dropout": kind = .identity
        default: throw a.node.invalid("not a reshaping operator")
        }
        axis = try a.int("axis", default: 1)
        axesAttribute = a.ints("axes")
        allowZero = try a.int("allowzero", default: 0) != 0
    }

    private func constantInts(_ inputs: [ValueFacts?], _ i: Int, _ what: String, node: NodeInfo) throws -> [Int]? {
        guard i < inputs.count, let f = inputs[i] else { return nil }
        guard let c = f.constant else { throw node.invalid("\(what) must be known before running (a constant or shape arithmetic)") }
        return c.asInt64s.map { Int($0) }
    }

    func outputShape(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [Int] {
        let x = try node.input(inputs, 0, "data").shape
        let n = x.reduce(1, *)
        switch kind {
        case .identity:
            return x
        case .flatten:
            let ax = axis < 0 ? axis + x.count : axis
            guard ax >= 0 && ax <= x.count else { throw node.invalid("axis \(axis) out of range for \(x)") }
            return [x[..<ax].reduce(1, *), x[ax...].reduce(1, *)]
        case .reshape:
            guard let target = try constantInts(inputs, 1, "the target shape", node: node) else {
                throw node.invalid("missing the shape input")
            }
            var out = target
            for (i, d) in target.enumerated() where d == 0 && !allowZero {
                guard i < x.count else { throw node.mismatch("0 at position \(i) copies a dimension \(x) lacks") }
                out[i] = x[i]
            }
            let known = out.filter { $0 != -1 }.reduce(1, *)
            if let m = out.firstIndex(of: -1) {
                guard out.filter({ $0 == -1 }).count == 1, known > 0, n % known == 0 else {
                    throw node.mismatch("cannot reshape \(x) to \(target)")
                }
                out[m] = n / known
            }
            guard out.reduce(1, *) == n, out.allSatisfy({ $0 >= 0 }) else {
                throw node.mismatch("cannot reshape \(x) (\(n) elements) to \(target)")
            }
            return out
        case .squeeze, .unsqueeze:
            let axes = try axesAttribute ?? constantInts(inputs, 1, "axes", node: node)
            if kind == .squeeze {
                guard let axes else { return x.filter { $0 != 1 } }
                let ax = Set(axes.map { $0 < 0 ? $0 + x.count : $0 })
                for a in ax where a < 0 || a >= x.count || x[a] != 1 {
                    throw node.mismatch("cannot squeeze axis \(a) of \(x)")
                }
                return x.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
            }
            guard let axes else { throw node.invalid("missing axes") }
            let rank = x.count + axes.count
            let ax = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
            guard ax.count == axes.count, ax.allSatisfy({ $0 >= 0 && $0 < rank }) else {
                throw node.invalid("axes \(axes) invalid for output rank \(rank)")
            }
            var it = x.makeIterator()
            return (0..<rank).map { ax.contains($0) ? 1 : (it.next() ?? 1) }
        }
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "data")
        return [ValueFacts(shape: try outputShape(inputs, node: node), isFloat: x.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "data")
        return [x.reshaped(try outputShape(inputs.map { $0.map { ValueFacts(constant: $0) } }, node: node))]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "data")
        let x = kind == .identity ? xv : b.require(xv, .plain)
        b.alias(outputs[0], to: x)
        if kind != .identity { b.define(outputs[0], layout: .plain) }
    }
}
