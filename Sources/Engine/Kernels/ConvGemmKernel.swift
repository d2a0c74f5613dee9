/// Convolution of NHWC images as a matrix product: `out[pixels, Cout] = patches[pixels, K] * W^T`.
///
/// 1x1, stride-1, unpadded convolutions use the input directly as the patch matrix; others gather
/// patches (im2col) for a chunk of output rows into scratch space. Rows are processed in chunks:
/// each chunk is prefilled with the bias, accumulated into by `sgemm` (beta 1, so OpenBLAS does not
/// clear it first), and finished by the epilogue (masks, activation) while it is in cache.
struct ConvGemmKernel: Kernel {
    let input: Loc
    let output: Loc
    let geometry: ConvGeometry
    /// Weights as `[Cout, kh, kw, Cin/groups]`.
    let weights: [Float]
    let epilogue: Epilogue
    /// Output rows per chunk.
    let chunkRows: Int

    /// Rows per chunk for a layer with `outChannels` and patch size `patchSize`. OpenBLAS repacks
    /// the weights on every call, so layers with large weight matrices take few large chunks; small
    /// ones take chunks of about 256 KB of output so the epilogue finds them in cache. Gathered
    /// patches (im2col) are kept under 1 MB of scratch.
    static func chunkRows(outChannels: Int, patchSize: Int, pointwise: Bool) -> Int {
        var rows = outChannels * patchSize >= 32_768 ? 4096 : max(128, min(4096, 65_536 / max(outChannels, 1)))
        if !pointwise { rows = min(rows, max(64, 262_144 / max(patchSize, 1))) }
        return max(8, rows / 8 * 8)
    }

    /// Scratch floats needed.
    var scratchFloats: Int { geometry.isPointwise ? 0 : chunkRows * geometry.patchSize }

    func run(_ context: RunContext) {
        let g = geometry
        let x = context[input], y = context[output]
        let rowsTotal = g.batch * g.outPixels
        weights.withUnsafeBufferPointer { wb in
            guard let w = wb.baseAddress else { return }
            var r0 = 0
            while r0 < rowsTotal {
                let rows = min(chunkRows, rowsTotal - r0)
                epilogue.prefill(y + r0 * g.outChannels, rows: rows)
                if g.isPointwise {
                    BLAS.sgemm(transB: true, m: rows, n: g.outChannels, k: g.inChannels,
                               a: x + r0 * g.inChannels, lda: g.inChannels, b: w, ldb: g.inChannels,
                               beta: 1, c: y + r0 * g.outChannels, ldc: g.outChannels)
                } else {
                    let k = g.patchSize
                    for group in 0..<g.groups {
                        ConvGemmKernel.im2col(x, g, group: group, rows: r0..<(r0 + rows), into: context.scratch)
                        BLAS.sgemm(transB: true, m: rows, n: g.outPerGroup, k: k,
                                   a: context.scratch, lda: k, b: w + group * g.outPerGroup * k, ldb: k,
                                   beta: 1, c: y + r0 * g.outChannels + group * g.outPerGroup, ldc: g.outChannels)
                    }
                }
                epilogue.apply(context, data: y + r0 * g.outChannels, ld: g.outChannels, firstRow: r0, rows: rows,
                               rowsPerItem: g.outPixels)
                r0 += rows
            }
        }
    }

    /// Gathers the patches of output rows `rows` (flattened item, oy, ox) of group `group` into
    /// `dst` as `[rows, kh * kw * Cin/groups]`, zero outside the image. With unit dilation a kernel
    /// row's taps are one contiguous run of the NHWC input, copied at once when it lies inside.
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, group: Int, rows: Range<Int>,
                       into dst: UnsafeMutablePointer<Float>) {
        let cg = g.inPerGroup, cin = g.inChannels
        let span = g.kernelW &* cg
        let contiguous = g.dilationW == 1 && cg == cin
        var d = dst
        var item = rows.lowerBound / g.outPixels
        var oy = (rows.lowerBound % g.outPixels) / g.outWidth
        var ox = rows.lowerBound % g.outWidth
        for _ in rows {
            let imageOffset: Int = item &* g.height &* g.width &* cin
            let image = x + (imageOffset &+ group &* cg)
            let ix0 = ox &* g.strideW &- g.padLeft
            let lastX: Int = ix0 &+ (g.kernelW &- 1) &* g.dilationW
            let rowInside = ix0 >= 0 && lastX < g.width
            for ky in 0..<g.kernelH {
                let iy: Int = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                if iy < 0 || iy >= g.height {
                    for i in 0..<span { d[i] = 0 }
                } else if contiguous && rowInside {
                    let at: Int = (iy &* g.width &+ ix0) &* cin
                    let s = image + at
                    if span >= 32 { d.update(from: s, count: span) } else { for i in 0..<span { d[i] = s[i] } }
                } else {
                    for kx in 0..<g.kernelW {
                        let ix: Int = ix0 &+ kx &* g.dilationW
                        let o = d + kx &* cg
                        if ix >= 0 && ix < g.width {
                            let at: Int = (iy &* g.width &+ ix) &* cin
                            let s = image + at
                            for i in 0..<cg { o[i] = s[i] }
                        } else {
                            for i in 0..<cg { o[i] = 0 }
                        }
                    }
                }
                d += span
            }
            ox &+= 1
            if ox == g.outWidth {
                ox = 0
                oy &+= 1
                if oy == g.outHeight { oy = 0; item &+= 1 }
            }
        }
    }
}
