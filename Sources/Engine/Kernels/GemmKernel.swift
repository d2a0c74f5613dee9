/// A matrix product with an optional prefilled bias and fused activation:
/// `Y = act(alpha * op(A) * op(B) + beta * C)` (Gemm, and MatMul with a 2-D right operand).
struct GemmKernel: Kernel {
    let a: Loc
    let b: Loc
    let output: Loc
    let m: Int, n: Int, k: Int
    let transA: Bool, transB: Bool
    let alpha: Float
    /// `beta * C` broadcast to `[m, n]` (row-major), or nil.
    let bias: [Float]?
    let activation: Activation

    func run(_ context: RunContext) {
        let y = context[output]
        if let bias {
            bias.withUnsafeBufferPointer { if let s = $0.baseAddress { y.update(from: s, count: m * n) } }
        }
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                   a: context[a], lda: transA ? m : k, b: context[b], ldb: transB ? k : n,
                   beta: bias == nil ? 0 : 1, c: y, ldc: n)
        if activation != .identity { activation.apply(y, y, count: m * n) }
    }
}
