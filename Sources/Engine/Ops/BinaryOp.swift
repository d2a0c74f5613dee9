/// Add, Sub, Mul, Div, Pow, Max, Min with NumPy broadcasting (floats; int64 for shape
/// arithmetic, which is folded at plan time).
///
/// Rank-4 operands are computed in NHWC when either operand already is, so squeeze-and-excite
/// scaling and residual additions need no layout conversion.
struct BinaryOp: Operator {
    let op: BinaryKernel.Op

    init(opType: String, _ a: Attributes) throws {
        switch opType {
        case "Add": op = .add
        case "Sub": op = .sub
        case "Mul": op = .mul
        case "Div": op = .div
        case "Pow": op = .pow
        case "Max": op = .max
        case "Min": op = .min
        default: throw a.node.invalid("not a binary operator")
        }
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let a = try node.input(inputs, 0, "A"), b = try node.input(inputs, 1, "B")
        guard let shape = Reference.broadcast(a.shape, b.shape) else {
            throw node.mismatch("\(a.shape) and \(b.shape) do not broadcast")
        }
        return [ValueFacts(shape: shape, isFloat: a.isFloat || b.isFloat)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let a = try node.input(inputs, 0, "A"), b = try node.input(inputs, 1, "B")
        guard let shape = Reference.broadcast(a.shape, b.shape) else {
            throw node.mismatch("\(a.shape) and \(b.shape) do not broadcast")
        }
        if let x = a.int64s, let y = b.int64s {
            let f: (Int64, Int64) -> Int64
            switch op {
            case .add: f = { $0 &+ $1 }
            case .sub: f = { $0 &- $1 }
            case .mul: f = { $0 &* $1 }
            case .div: f = { $1 == 0 ? 0 : $0 / $1 }
            case .max: f = { Swift.max($0, $1) }
            case .min: f = { Swift.min($0, $1) }
            case .pow: f = { Int64(Float(BinaryKernel.Op.pow.apply(Float($0), Float($1)))) }
            }
            return [Tensor(shape: shape, int64s: Reference.binary(x, a.shape, y, b.shape, outShape: shape, f))]
        }
        let o = op
        return [Tensor(shape: shape, floats: Reference.binary(a.asFloats, a.shape, b.asFloats, b.shape, outShape: shape) { o.apply($0, $1) })]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let av = try node.input(inputs, 0, "A"), bv = try node.input(inputs, 1, "B")
        let out = outputs[0]
        let outShape = b.shape(out)
        let nhwc = outShape.count == 4 && !Layout.isTrivial(outShape)
            && ((b.constant(av) == nil && b.layout(av) == .nhwc) || (b.constant(bv) == nil && b.layout(bv) == .nhwc))
        let layout: Layout = nhwc ? .nhwc : .plain
        let x = b.require(av, layout), y = b.require(bv, layout)
        b.define(out, layout: layout)
        func physical(_ v: Int) -> [Int] {
            let s = b.shape(v)
            let padded = [Int](repeating: 1, count: outShape.count - s.count) + s
            return nhwc ? Layout.nhwc.physical(padded) : padded
        }
        let pa = physical(x), pb = physical(y)
        let po = nhwc ? Layout.nhwc.physical(outShape) : outShape
        let same = pa == po ? x : (pb == po ? y : nil)
        b.emit(inputs: [x, y], outputs: [out], inPlace: same.map { (out, $0) }, label: "\(node.opType) \(node.name)") { [op] r in
            BinaryKernel(a: r(x), b: r(y), output: r(out), op: op, aShape: pa, bShape: pb, outShape: po)
        }
    }
}
