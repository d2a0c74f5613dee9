/// Gemm: `Y = alpha * op(A) * op(B) + beta * C` with C broadcast to `[M, N]`; MatMul with a 2-D
/// right operand (the left one may have leading batch axes). Activations that follow are fused.
struct GemmOp: Operator {
    let isMatMul: Bool
    let alpha: Float
    let beta: Float
    let transA: Bool
    let transB: Bool

    init(opType: String, _ a: Attributes) throws {
        isMatMul = opType == "MatMul"
        alpha = try a.float("alpha", default: 1)
        beta = try a.float("beta", default: 1)
        transA = try a.int("transA", default: 0) != 0
        transB = try a.int("transB", default: 0) != 0
    }

    /// (m, n, k, output shape).
    func sizes(_ a: [Int], _ b: [Int], node: NodeInfo) throws -> (Int, Int, Int, [Int]) {
        if isMatMul {
            guard a.count >= 1, b.count == 2 || (b.count == 1) else {
                throw node.mismatch("MatMul of \(a) by \(b): only a 1-D or 2-D right operand is supported")
            }
            let a2 = a.count == 1 ? [1, a[0]] : a
            let (k, n) = b.count == 1 ? (b[0], 1) : (b[0], b[1])
            guard a2[a2.count - 1] == k else { throw node.mismatch("MatMul of \(a) by \(b): inner sizes differ") }
            var out = Array(a2.dropLast()) + (b.count == 1 ? [] : [n])
            if a.count == 1 { out.removeFirst() }
            return (a2.dropLast().reduce(1, *), n, k, out)
        }
        guard a.count == 2, b.count == 2 else { throw node.mismatch("Gemm needs 2-D operands, got \(a) and \(b)") }
        let (m, k) = transA ? (a[1], a[0]) : (a[0], a[1])
        let (k2, n) = transB ? (b[1], b[0]) : (b[0], b[1])
        guard k == k2 else { throw node.mismatch("Gemm of \(a) by \(b) (transA \(transA), transB \(transB)): inner sizes differ") }
        return (m, n, k, [m, n])
    }

    /// `beta * C` broadcast to `[m, n]`.
    func biasMatrix(_ c: Tensor?, m: Int, n: Int, node: NodeInfo) throws -> [Float]? {
        guard !isMatMul, let c, beta != 0 else { return nil }
        guard Reference.broadcast(c.shape, [m, n]) == [m, n] else {
            throw node.mismatch("C \(c.shape) does not broadcast to [\(m), \(n)]")
        }
        let v = c.asFloats
        return (0..<(m * n)).map { beta * v[Reference.broadcastIndex($0, outShape: [m, n], shape: c.shape)] }
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let a = try node.input(inputs, 0, "A"), b = try node.input(inputs, 1, "B")
        let (m, n, _, shape) = try sizes(a.shape, b.shape, node: node)
        if !isMatMul, inputs.count > 2, let c = inputs[2], Reference.broadcast(c.shape, [m, n]) != [m, n] {
            throw node.mismatch("C \(c.shape) does not broadcast to [\(m), \(n)]")
        }
        return [ValueFacts(shape: shape, isFloat: true)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let a = try node.input(inputs, 0, "A"), b = try node.input(inputs, 1, "B")
        let (m, n, k, shape) = try sizes(a.shape, b.shape, node: node)
        let c = try biasMatrix(inputs.count > 2 ? inputs[2] : nil, m: m, n: n, node: node)
        let y = Reference.gemm(a.asFloats, b.asFloats, m: m, n: n, k: k, transA: !isMatMul && transA,
                               transB: !isMatMul && transB, alpha: isMatMul ? 1 : alpha, beta: 1, c: c)
        return [Tensor(shape: shape, floats: y)]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let av = b.require(try node.input(inputs, 0, "A"), .plain)
        let bv = b.require(try node.input(inputs, 1, "B"), .plain)
        let (m, n, k, _) = try sizes(b.shape(av), b.shape(bv), node: node)
        var c: Tensor?
        if !isMatMul, inputs.count > 2, let cv = inputs[2] {
            guard let t = b.constant(cv) else { throw node.invalid("C must be a constant (an initializer)") }
            c = t
        }
        let bias = try biasMatrix(c, m: m, n: n, node: node)
        let fusion = b.takeFusion()
        let out = fusion?.output ?? outputs[0]
        b.define(out, layout: .plain)
        let (ta, tb, al) = isMatMul ? (false, false, Float(1)) : (transA, transB, alpha)
        let act = fusion?.activation ?? .identity
        b.emit(inputs: [av, bv], outputs: [out], label: "\(node.opType) \(node.name)") { r in
            GemmKernel(a: r(av), b: r(bv), output: r(out), m: m, n: n, k: k, transA: ta, transB: tb, alpha: al,
                       bias: bias, activation: act)
        }
    }
}
