/// Depthwise convolution (one filter per channel) of NHWC images, vectorised over channels.
///
/// The valid window taps of every output row and column are found once per run. Channels go 32
/// at a time (four independent vector sums, so additions do not wait on each other), then 8, then
/// one by one; layers with large weight sets are tiled by channel (see `DepthwiseImage`). The epilogue is fused:
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
