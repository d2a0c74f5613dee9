/// Depthwise convolution (one filter per channel) of NHWC images, vectorised over channels.
///
/// For each output position the valid window taps are found once; each block of 8 channels then
/// accumulates over those taps in registers. The epilogue is fused: `act(acc * scale + shift)`
/// with `scale = 1, shift = bias`, or a mask's override for the item.
struct DepthwiseKernel: Kernel {
    let input: Loc
    let output: Loc
    let geometry: ConvGeometry
    /// Weights as `[kh, kw, C]`.
    let weights: [Float]
    let epilogue: Epilogue

    func run(_ context: RunContext) {
        let g = geometry
        let c = g.inChannels
        let x = context[input], y = context[output]
        let ones = [Float](repeating: 1, count: c)
        weights.withUnsafeBufferPointer { wb in
            ones.withUnsafeBufferPointer { onesBuffer in
                epilogue.bias.withUnsafeBufferPointer { biasBuffer in
                    guard let w = wb.baseAddress, let one = onesBuffer.baseAddress, let bias = biasBuffer.baseAddress else { return }
                    for item in 0..<g.batch {
                        let src = x + item * g.height * g.width * c
                        let dst = y + item * g.outPixels * c
                        if let layer = epilogue.layer, let o = context.masks?.override(layer: layer.index, item: item) {
                            o.scale.withUnsafeBufferPointer { sc in
                                o.shift.withUnsafeBufferPointer { sh in
                                    guard let s = sc.baseAddress, let h = sh.baseAddress else { return }
                                    image(src, dst, w, scale: s, shift: h, stats: nil)
                                }
                            }
                        } else {
                            let stats = epilogue.layer.flatMap { l in context.statistics.map { $0 + l.firstUnit } }
                            image(src, dst, w, scale: one, shift: bias, stats: stats)
                        }
                    }
                }
            }
        }
    }

    /// One image.
    private func image(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>,
                       scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, stats: UnsafeMutablePointer<Double>?) {
        let g = geometry
        let c = g.inChannels
        let act = epilogue.activation
        for oy in 0..<g.outHeight {
            let iy0 = oy * g.strideH - g.padTop
            var ky0 = 0, ky1 = g.kernelH
            while ky0 < ky1 && iy0 + ky0 * g.dilationH < 0 { ky0 += 1 }
            while ky1 > ky0 && iy0 + (ky1 - 1) * g.dilationH >= g.height { ky1 -= 1 }
            for ox in 0..<g.outWidth {
                let ix0 = ox * g.strideW - g.padLeft
                var kx0 = 0, kx1 = g.kernelW
                while kx0 < kx1 && ix0 + kx0 * g.dilationW < 0 { kx0 += 1 }
                while kx1 > kx0 && ix0 + (kx1 - 1) * g.dilationW >= g.width { kx1 -= 1 }
                let out = dst + (oy * g.outWidth + ox) * c
                var ch = 0
                while ch + 8 <= c {
                    var acc = SIMD8<Float>.zero
                    var ky = ky0
                    while ky < ky1 {
                        let row = src + ((iy0 + ky * g.dilationH) * g.width) * c + ch
                        let wrow = w + ky * g.kernelW * c + ch
                        var kx = kx0
                        while kx < kx1 {
                            acc += row.loadSIMD((ix0 + kx * g.dilationW) * c) * wrow.loadSIMD(kx * c)
                            kx += 1
                        }
                        ky += 1
                    }
                    let z = acc * scale.loadSIMD(ch) + shift.loadSIMD(ch)
                    if let stats { for i in 0..<8 { stats[ch + i] += Double(z[i]) } }
                    out.storeSIMD(act.apply(z), at: ch)
                    ch += 8
                }
                while ch < c {
                    var acc: Float = 0
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 {
                            acc += src[((iy0 + ky * g.dilationH) * g.width + ix0 + kx * g.dilationW) * c + ch]
                                * w[(ky * g.kernelW + kx) * c + ch]
                        }
                    }
                    let z = acc * scale[ch] + shift[ch]
                    if let stats { stats[ch] += Double(z) }
                    out[ch] = act.apply(z)
                    ch += 1
                }
            }
        }
    }
}
