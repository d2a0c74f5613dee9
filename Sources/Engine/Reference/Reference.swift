/// Plain, obviously-correct implementations in NCHW: the ground truth the fast kernels are tested
/// against, and what constant folding and the fallback kernel run. Speed is not a goal here.
enum Reference {
    /// 2-D convolution with groups, strides, dilations and padding.
    static func conv(_ x: [Float], _ g: ConvGeometry, weights w: [Float], bias: [Float]?) -> [Float] {
        var y = [Float](repeating: 0, count: g.batch * g.outChannels * g.outPixels)
        let cg = g.inPerGroup, og = g.outPerGroup
        for n in 0..<g.batch {
            for oc in 0..<g.outChannels {
                let group = oc / og
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var acc: Double = Double(bias?[oc] ?? 0)
                        for ic in 0..<cg {
                            let c = group * cg + ic
                            for ky in 0..<g.kernelH {
                                let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                                guard iy >= 0 && iy < g.height else { continue }
                                for kx in 0..<g.kernelW {
                                    let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                                    guard ix >= 0 && ix < g.width else { continue }
                                    let xv = x[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                                    let wv = w[((oc * cg + ic) * g.kernelH + ky) * g.kernelW + kx]
                                    acc += Double(xv) * Double(wv)
                                }
                            }
                        }
                        y[((n * g.outChannels + oc) * g.outHeight + oy) * g.outWidth + ox] = Float(acc)
                    }
                }
            }
        }
        return y
    }

    /// Max or average pooling (`inChannels == outChannels`, groups ignored).
    static func pool(_ x: [Float], _ g: ConvGeometry, mode: PoolKernel.Mode) -> [Float] {
        var y = [Float](repeating: 0, count: g.batch * g.inChannels * g.outPixels)
        for n in 0..<g.batch {
            for c in 0..<g.inChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var m = -Float.infinity
                        var sum: Double = 0
                        var inside = 0, padded = 0
                        for ky in 0..<g.kernelH {
                            let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                            for kx in 0..<g.kernelW {
                                let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                                if iy >= -g.padTop && iy < g.height + g.padBottom && ix >= -g.padLeft && ix < g.width + g.padRight {
                                    padded += 1
                                }
                                guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                                let v = x[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                                m = max(m, v)
                                sum += Double(v)
                                inside += 1
                            }
                        }
                        let out: Float
                        switch mode {
                        case .max: out = m
                        case .average(let include):
                            let count = include ? padded : inside
                            out = count > 0 ? Float(sum / Double(count)) : 0
                        }
                        y[((n * g.inChannels + c) * g.outHeight + oy) * g.outWidth + ox] = out
                    }
                }
            }
        }
        return y
    }

    /// The NumPy broadcast of two shapes, or nil when they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: r - a.count) + a
        let pb = [Int](repeating: 1, count: r - b.count) + b
        var out: [Int] = []
        for i in 0..<r {
            if pa[i] == pb[i] || pb[i] == 1 { out.append(pa[i]) } else if pa[i] == 1 { out.append(pb[i]) } else { return nil }
        }
        return out
    }

    /// The flat index into a tensor of `shape` (right-aligned, broadcast) for output index `index`
    /// of `outShape`.
    static func broadcastIndex(_ flat: Int, outShape: [Int], shape: [Int]) -> Int {
        var rem = flat
        var idx = 0
        var mul = 1
        let offset = outShape.count - shape.count
        for d in stride(from: outShape.count - 1, through: 0, by: -1) {
            let coord = rem % outShape[d]
            rem /= outShape[d]
            let sd = d - offset
            if sd >= 0 {
                if shape[sd] != 1 { idx += coord * mul }
                mul *= shape[sd]
            }
        }
        return idx
    }

    /// Elementwise `f(a, b)` with broadcasting.
    static func binary<T>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], outShape: [Int], _ f: (T, T) -> T) -> [T] {
        let n = outShape.reduce(1, *)
        return (0..<n).map { i in
            f(a[broadcastIndex(i, outShape: outShape, shape: aShape)], b[broadcastIndex(i, outShape: outShape, shape: bShape)])
        }
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// `C = alpha * op(A) * op(B) + beta * C` with plain loops (A: m x k, B: k x n after op).
    static func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
                     alpha: Float, beta: Float, c: [Float]?) -> [Float] {
        var y = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc: Double = 0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    acc += Double(av) * Double(bv)
                }
                y[i * n + j] = alpha * Float(acc) + (c.map { beta * $0[i * n + j] } ?? 0)
            }
        }
        return y
    }
}
