/// Depthwise convolution (one filter per channel) of NHWC images, vectorised over channels.
///
/// The valid window taps of every output row and column are found once per run; each output
/// position then accumulates 32 channels at a time (four independent vector sums, so additions do
/// not wait on each other), then 8, then single channels. The epilogue is fused:
/// `act(acc * scale + shift)` with `scale = 1, shift = bias`, or the item's mask override.
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
        // Valid tap ranges per output row and column.
        var rowTaps = [(Int, Int)](), colTaps = [(Int, Int)]()
        for oy in 0..<g.outHeight { rowTaps.append(DepthwiseKernel.taps(oy * g.strideH - g.padTop, g.kernelH, g.dilationH, g.height)) }
        for ox in 0..<g.outWidth { colTaps.append(DepthwiseKernel.taps(ox * g.strideW - g.padLeft, g.kernelW, g.dilationW, g.width)) }
        let ones = [Float](repeating: 1, count: c)
        weights.withUnsafeBufferPointer { wb in
            ones.withUnsafeBufferPointer { onesBuffer in
                epilogue.bias.withUnsafeBufferPointer { biasBuffer in
                    rowTaps.withUnsafeBufferPointer { rt in
                        colTaps.withUnsafeBufferPointer { ct in
                            guard let w = wb.baseAddress, let one = onesBuffer.baseAddress, let bias = biasBuffer.baseAddress,
                                  let rows = rt.baseAddress, let cols = ct.baseAddress else { return }
                            for item in 0..<g.batch {
                                let src = UnsafePointer(x + item * g.height * g.width * c)
                                let dst = y + item * g.outPixels * c
                                let o = epilogue.layer.flatMap { context.masks?.override(layer: $0.index, item: item) }
                                if let o {
                                    o.scale.withUnsafeBufferPointer { sc in
                                        o.shift.withUnsafeBufferPointer { sh in
                                            guard let s = sc.baseAddress, let h = sh.baseAddress else { return }
                                            epilogue.activation.visit(DepthwiseImage(g: g, src: src, dst: dst, w: w, rows: rows, cols: cols,
                                                                                     scale: s, shift: h))
                                        }
                                    }
                                } else if let layer = epilogue.layer, let stats = context.statistics {
                                    IdentityFunctor().visitImage(DepthwiseImage(g: g, src: src, dst: dst, w: w, rows: rows, cols: cols,
                                                                                scale: one, shift: bias))
                                    let act = epilogue.activation
                                    for i in 0..<(g.outPixels * c) {
                                        stats[layer.firstUnit + i % c] += Double(dst[i])
                                        dst[i] = act.apply(dst[i])
                                    }
                                } else {
                                    epilogue.activation.visit(DepthwiseImage(g: g, src: src, dst: dst, w: w, rows: rows, cols: cols,
                                                                             scale: one, shift: bias))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The taps `k0..<k1` of a window starting at `start` that fall inside `0..<size`.
    static func taps(_ start: Int, _ kernel: Int, _ dilation: Int, _ size: Int) -> (Int, Int) {
        var k0 = 0, k1 = kernel
        while k0 < k1 && start + k0 * dilation < 0 { k0 += 1 }
        while k1 > k0 && start + (k1 - 1) * dilation >= size { k1 -= 1 }
        return (k0, k1)
    }
}

extension IdentityFunctor {
    /// Runs `image` without activation.
    func visitImage(_ image: DepthwiseImage) { image.visit(self) }
}

/// One image of a depthwise convolution, specialised per activation.
struct DepthwiseImage: ActivationVisitor {
    let g: ConvGeometry
    let src: UnsafePointer<Float>
    let dst: UnsafeMutablePointer<Float>
    let w: UnsafePointer<Float>
    let rows: UnsafePointer<(Int, Int)>
    let cols: UnsafePointer<(Int, Int)>
    let scale: UnsafePointer<Float>
    let shift: UnsafePointer<Float>

    func visit<F: ActivationFunctor>(_ f: F) {
        let c = g.inChannels
        let rowStride = g.width * c
        for oy in 0..<g.outHeight {
            let (ky0, ky1) = rows[oy]
            let iy0 = oy * g.strideH - g.padTop
            for ox in 0..<g.outWidth {
                let (kx0, kx1) = cols[ox]
                let ix0 = ox * g.strideW - g.padLeft
                let base = src + iy0 * rowStride + ix0 * c
                let out = dst + (oy * g.outWidth + ox) * c
                var ch = 0
                while ch + 32 <= c {
                    var a0 = SIMD8<Float>.zero, a1 = SIMD8<Float>.zero, a2 = SIMD8<Float>.zero, a3 = SIMD8<Float>.zero
                    for ky in ky0..<ky1 {
                        let row = base + ky * g.dilationH * rowStride + ch
                        let wrow = w + ky * g.kernelW * c + ch
                        for kx in kx0..<kx1 {
                            let xp = row + kx * g.dilationW * c
                            let wp = wrow + kx * c
                            a0 += xp.loadSIMD(0) * wp.loadSIMD(0)
                            a1 += xp.loadSIMD(8) * wp.loadSIMD(8)
                            a2 += xp.loadSIMD(16) * wp.loadSIMD(16)
                            a3 += xp.loadSIMD(24) * wp.loadSIMD(24)
                        }
                    }
                    let s = scale + ch, h = shift + ch
                    out.storeSIMD(f(a0 * s.loadSIMD(0) + h.loadSIMD(0)), at: ch)
                    out.storeSIMD(f(a1 * s.loadSIMD(8) + h.loadSIMD(8)), at: ch + 8)
                    out.storeSIMD(f(a2 * s.loadSIMD(16) + h.loadSIMD(16)), at: ch + 16)
                    out.storeSIMD(f(a3 * s.loadSIMD(24) + h.loadSIMD(24)), at: ch + 24)
                    ch += 32
                }
                while ch + 8 <= c {
                    var a = SIMD8<Float>.zero
                    for ky in ky0..<ky1 {
                        let row = base + ky * g.dilationH * rowStride + ch
                        let wrow = w + ky * g.kernelW * c + ch
                        for kx in kx0..<kx1 { a += (row + kx * g.dilationW * c).loadSIMD(0) * (wrow + kx * c).loadSIMD(0) }
                    }
                    out.storeSIMD(f(a * scale.loadSIMD(ch) + shift.loadSIMD(ch)), at: ch)
                    ch += 8
                }
                while ch < c {
                    var a: Float = 0
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 { a += base[ky * g.dilationH * rowStride + kx * g.dilationW * c + ch] * w[(ky * g.kernelW + kx) * c + ch] }
                    }
                    out[ch] = f(a * scale[ch] + shift[ch])
                    ch += 1
                }
            }
        }
    }
}
