/// An activation as a type, so hot loops are specialised for it (no switch per vector).
protocol ActivationFunctor {
    /// Eight lanes.
    func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float>
    /// One value.
    func callAsFunction(_ x: Float) -> Float
}

/// Something run with a concrete activation functor (Swift has no generic closures).
protocol ActivationVisitor {
    associatedtype Result
    func visit<F: ActivationFunctor>(_ f: F) -> Result
}

extension SIMD8 where Scalar == Float {
    // Written lane by lane with scalar comparisons, which LLVM turns into `maxps`/`minps`; the
    // vector `replacing(with:where:)` form becomes compare-and-blend sequences inside loops.

    /// Lanewise maximum with `bound` (a NaN lane gives `bound`).
    @inline(__always)
    func atLeast(_ bound: Float) -> SIMD8<Float> {
        var r = self
        for i in 0..<8 { let x = self[i]; r[i] = x > bound ? x : bound }
        return r
    }

    /// Lanewise minimum with `bound` (a NaN lane gives `bound`).
    @inline(__always)
    func atMost(_ bound: Float) -> SIMD8<Float> {
        var r = self
        for i in 0..<8 { let x = self[i]; r[i] = x < bound ? x : bound }
        return r
    }

    /// Lanewise maximum of two vectors.
    @inline(__always)
    func atLeast(_ other: SIMD8<Float>) -> SIMD8<Float> {
        var r = self
        for i in 0..<8 { let x = self[i], y = other[i]; r[i] = x > y ? x : y }
        return r
    }

    /// Lanewise minimum of two vectors.
    @inline(__always)
    func atMost(_ other: SIMD8<Float>) -> SIMD8<Float> {
        var r = self
        for i in 0..<8 { let x = self[i], y = other[i]; r[i] = x < y ? x : y }
        return r
    }
}

struct IdentityFunctor: ActivationFunctor {
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> { v }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x }
}

struct ReluFunctor: ActivationFunctor {
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> { v.atLeast(0 as Float) }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
}

struct ClipFunctor: ActivationFunctor {
    let lo: Float, hi: Float
    init(_ lo: Float, _ hi: Float) {
        self.lo = lo
        self.hi = hi
    }
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> { v.atLeast(lo).atMost(hi) }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x < lo ? lo : (x > hi ? hi : x) }
}

struct LeakyReluFunctor: ActivationFunctor {
    let alpha: Float
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: v * alpha, where: v .< 0) }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= 0 ? x : alpha * x }
}

struct HardSwishFunctor: ActivationFunctor {
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> {
        v * (v + 3).atLeast(0 as Float).atMost(6 as Float) * (1 / 6 as Float)
    }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * min(max(x + 3, 0), 6) / 6 }
}

/// Any other activation, lane by lane through `Activation.apply`.
struct GeneralFunctor: ActivationFunctor {
    let activation: Activation
    @inline(__always) func callAsFunction(_ v: SIMD8<Float>) -> SIMD8<Float> {
        var r = v
        for i in 0..<8 { r[i] = activation.apply(v[i]) }
        return r
    }
    @inline(__always) func callAsFunction(_ x: Float) -> Float { activation.apply(x) }
}

extension Activation {
    /// Runs `visitor` with the functor for this activation.
    @inline(__always)
    func visit<V: ActivationVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .identity: return visitor.visit(IdentityFunctor())
        case .relu: return visitor.visit(ReluFunctor())
        case .clip(let lo, let hi): return visitor.visit(ClipFunctor(lo, hi))
        case .leakyRelu(let a): return visitor.visit(LeakyReluFunctor(alpha: a))
        case .hardSwish: return visitor.visit(HardSwishFunctor())
        default: return visitor.visit(GeneralFunctor(activation: self))
        }
    }
}

extension UnsafePointer where Pointee == Float {
    /// Eight floats starting at element `i` (no alignment required).
    @inline(__always)
    func loadSIMD(_ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self)
    }
}
