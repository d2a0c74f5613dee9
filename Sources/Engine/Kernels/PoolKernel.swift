/// Max and average pooling of NHWC images, vectorised over channels.
struct PoolKernel: Kernel {
    /// The reduction over a window.
    enum Mode: Sendable, Hashable {
        /// The largest value (padding never wins).
        case max
        /// The mean; `countIncludePad` divides by the window's size within the padded image
        /// instead of by the number of image positions it covers.
        case average(countIncludePad: Bool)
    }

    let input: Loc
    let output: Loc
    let geometry: ConvGeometry
    let mode: Mode

    func run(_ context: RunContext) {
        let g = geometry
        let c = g.inChannels
        let x = context[input], y = context[output]
        for item in 0..<g.batch {
            let src = x + item * g.height * g.width * c
            let dst = y + item * g.outPixels * c
            for oy in 0..<g.outHeight {
                let iy0 = oy * g.strideH - g.padTop
                for ox in 0..<g.outWidth {
                    let ix0 = ox * g.strideW - g.padLeft
                    var ys: [Int] = [], xs: [Int] = []
                    var padded = 0
                    for ky in 0..<g.kernelH {
                        let iy = iy0 + ky * g.dilationH
                        if iy >= 0 && iy < g.height { ys.append(iy) }
                        for kx in 0..<g.kernelW {
                            let ix = ix0 + kx * g.dilationW
                            if iy >= -g.padTop && iy < g.height + g.padBottom && ix >= -g.padLeft && ix < g.width + g.padRight {
                                padded += 1
                            }
                        }
                    }
                    for kx in 0..<g.kernelW {
                        let ix = ix0 + kx * g.dilationW
                        if ix >= 0 && ix < g.width { xs.append(ix) }
                    }
                    let out = dst + (oy * g.outWidth + ox) * c
                    switch mode {
                    case .max:
                        PoolKernel.maxWindow(src, out, c: c, width: g.width, ys: ys, xs: xs)
                    case .average(let include):
                        let count = include ? padded : ys.count * xs.count
                        PoolKernel.sumWindow(src, out, c: c, width: g.width, ys: ys, xs: xs,
                                             scale: count > 0 ? 1 / Float(count) : 0)
                    }
                }
            }
        }
    }

    static func maxWindow(_ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, c: Int, width: Int,
                          ys: [Int], xs: [Int]) {
        var ch = 0
        while ch + 8 <= c {
            var m = SIMD8<Float>(repeating: -.infinity)
            for iy in ys { for ix in xs { m = m.atLeast(src.loadSIMD((iy * width + ix) * c + ch)) } }
            out.storeSIMD(m, at: ch)
            ch += 8
        }
        while ch < c {
            var m = -Float.infinity
            for iy in ys { for ix in xs { m = Swift.max(m, src[(iy * width + ix) * c + ch]) } }
            out[ch] = m
            ch += 1
        }
    }

    static func sumWindow(_ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, c: Int, width: Int,
                          ys: [Int], xs: [Int], scale: Float) {
        var ch = 0
        while ch + 8 <= c {
            var s = SIMD8<Float>.zero
            for iy in ys { for ix in xs { s += src.loadSIMD((iy * width + ix) * c + ch) } }
            out.storeSIMD(s * scale, at: ch)
            ch += 8
        }
        while ch < c {
            var s: Float = 0
            for iy in ys { for ix in xs { s += src[(iy * width + ix) * c + ch] } }
            out[ch] = s * scale
            ch += 1
        }
    }
}
