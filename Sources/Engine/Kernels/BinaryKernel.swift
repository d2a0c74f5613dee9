import Foundation

/// Binary arithmetic with NumPy broadcasting over physical shapes whose dimensions were
/// coalesced at plan time: the inner loop walks the last dimension with each operand's stride
/// 0 (broadcast) or 1.
struct BinaryKernel: Kernel {
    /// The arithmetic.
    enum Op: Sendable, Hashable {
        case add, sub, mul, div, pow, max, min

        @inline(__always)
        func apply(_ a: Float, _ b: Float) -> Float {
            switch self {
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .pow: return Float(Foundation.pow(Double(a), Double(b)))
            case .max: return Swift.max(a, b)
            case .min: return Swift.min(a, b)
            }
        }

        @inline(__always)
        func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
            switch self {
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .max: return a.atLeast(b)
            case .min: return a.atMost(b)
            case .pow:
                var r = a
                for i in 0..<8 { r[i] = apply(a[i], b[i]) }
                return r
            }
        }
    }

    let a: Loc
    let b: Loc
    let output: Loc
    let op: Op
    /// Coalesced output dimensions.
    let dims: [Int]
    /// Element strides of `a` and `b` per coalesced dimension (0 where broadcast).
    let aStrides: [Int]
    let bStrides: [Int]

    /// Prepares the loop for operands of physical shapes `aShape` and `bShape` (already of the
    /// output's rank) and output `outShape`.
    init(a: Loc, b: Loc, output: Loc, op: Op, aShape: [Int], bShape: [Int], outShape: [Int]) {
        self.a = a
        self.b = b
        self.output = output
        self.op = op
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: s.count)
            var acc = 1
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                st[i] = s[i] == 1 && outShape[i] != 1 ? 0 : acc
                acc *= s[i]
            }
            return st
        }
        var d: [Int] = [], sa: [Int] = [], sb: [Int] = []
        let fa = strides(aShape), fb = strides(bShape)
        for i in outShape.indices where outShape[i] != 1 {
            if let last = d.indices.last,
               sa[last] == fa[i] * outShape[i] || (sa[last] == 0 && fa[i] == 0),
               sb[last] == fb[i] * outShape[i] || (sb[last] == 0 && fb[i] == 0) {
                d[last] *= outShape[i]
                sa[last] = fa[i]
                sb[last] = fb[i]
            } else {
                d.append(outShape[i])
                sa.append(fa[i])
                sb.append(fb[i])
            }
        }
        if d.isEmpty { d = [1]; sa = [0]; sb = [0] }
        self.dims = d
        self.aStrides = sa
        self.bStrides = sb
    }

    func run(_ context: RunContext) {
        let pa = context[a], pb = context[b], po = context[output]
        let rank = dims.count
        let inner = dims[rank - 1]
        let ia = aStrides[rank - 1], ib = bStrides[rank - 1]
        let outer = dims.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: max(rank - 1, 1))
        var offA = 0, offB = 0
        for o in 0..<outer {
            innerLoop(pa + offA, ia, pb + offB, ib, po + o * inner, inner)
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                offA += aStrides[d]
                offB += bStrides[d]
                if index[d] < dims[d] { break }
                offA -= aStrides[d] * dims[d]
                offB -= bStrides[d] * dims[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    @inline(__always)
    private func innerLoop(_ x: UnsafeMutablePointer<Float>, _ sx: Int, _ y: UnsafeMutablePointer<Float>, _ sy: Int,
                           _ z: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        switch (sx, sy) {
        case (1, 1):
            while i + 8 <= n { z.storeSIMD(op.apply(x.loadSIMD(i), y.loadSIMD(i)), at: i); i += 8 }
            while i < n { z[i] = op.apply(x[i], y[i]); i += 1 }
        case (1, 0):
            let v = SIMD8<Float>(repeating: y[0])
            while i + 8 <= n { z.storeSIMD(op.apply(x.loadSIMD(i), v), at: i); i += 8 }
            while i < n { z[i] = op.apply(x[i], y[0]); i += 1 }
        case (0, 1):
            let v = SIMD8<Float>(repeating: x[0])
            while i + 8 <= n { z.storeSIMD(op.apply(v, y.loadSIMD(i)), at: i); i += 8 }
            while i < n { z[i] = op.apply(x[0], y[i]); i += 1 }
        default:
            let r = op.apply(x[0], y[0])
            z.update(repeating: r, count: n)
        }
    }
}
