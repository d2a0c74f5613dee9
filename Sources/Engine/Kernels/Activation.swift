import Foundation

/// An elementwise activation, applied on its own or fused into the epilogue of a Conv, Gemm or
/// BatchNormalization kernel.
enum Activation: Sendable, Hashable {
    /// `x`.
    case identity
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, lo), hi)` (ReLU6 is `clip(0, 6)`).
    case clip(Float, Float)
    /// `x` when positive, else `alpha * x`.
    case leakyRelu(Float)
    /// `x * relu6(x + 3) / 6`.
    case hardSwish
    /// `max(0, min(1, alpha * x + beta))`.
    case hardSigmoid(Float, Float)
    /// `1 / (1 + exp(-x))`.
    case sigmoid
    /// `tanh(x)`.
    case tanh
    /// The error function.
    case erf
    /// `exp(x)`.
    case exp
    /// `-x`.
    case neg
    /// `sqrt(x)`.
    case sqrt
    /// `|x|`.
    case abs

    /// Applies the activation to one value.
    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0
        case .clip(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
        case .leakyRelu(let a): return x >= 0 ? x : a * x
        case .hardSwish: return x * Swift.min(Swift.max(x + 3, 0), 6) / 6
        case .hardSigmoid(let a, let b): return Swift.min(Swift.max(a * x + b, 0), 1)
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .tanh: return Foundation.tanh(x)
        case .erf: return Foundation.erf(x)
        case .exp: return Foundation.exp(x)
        case .neg: return -x
        case .sqrt: return x.squareRoot()
        case .abs: return Swift.abs(x)
        }
    }

    /// Applies the activation to `count` values from `input` into `output` (which may be equal).
    func apply(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        if self == .identity {
            if UnsafePointer(output) != input { output.update(from: input, count: count) }
            return
        }
        visit(Apply(input: input, output: output, count: count))
    }

    private struct Apply: ActivationVisitor {
        let input: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>
        let count: Int

        func visit<F: ActivationFunctor>(_ f: F) {
            var i = 0
            while i + 8 <= count {
                output.storeSIMD(f(input.loadSIMD(i)), at: i)
                i += 8
            }
            while i < count {
                output[i] = f(input[i])
                i += 1
            }
        }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// Eight floats starting at element `i` (no alignment required).
    @inline(__always)
    func loadSIMD(_ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores eight floats starting at element `i` (no alignment required).
    @inline(__always)
    func storeSIMD(_ v: SIMD8<Float>, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
