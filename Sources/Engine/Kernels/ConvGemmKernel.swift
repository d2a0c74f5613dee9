/// Convolution of NHWC images as a matrix product: `out[pixels, Cout] = patches[pixels, K] * W^T`.
///
/// 1x1, stride-1, unpadded convolutions use the input directly as the patch matrix; others gather
/// patches (im2col) for a chunk of output rows into scratch space. Rows are processed in chunks
/// so the epilogue (bias, masks, activation) runs while the chunk is in cache.
struct ConvGemmKernel: Kernel {
    let input: Loc
    let output: Loc
    let geometry: ConvGeometry
    /// Weights as `[Cout, kh, kw, Cin/groups]`.
    let weights: [Float]
    let epilogue: Epilogue
    /// Output rows per chunk.
    let chunkRows: Int

    /// Rows per chunk for a layer with `outChannels` and patch size `k`: about 256 KB of output,
    /// at least 128 rows so the weight packing is amortised.
    static func chunkRows(outChannels: Int, patchSize: Int) -> Int {
        max(128, min(4096, 65536 / max(outChannels, 1))) / 8 * 8
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
                if g.isPointwise {
                    BLAS.sgemm(transB: true, m: rows, n: g.outChannels, k: g.inChannels,
                               a: x + r0 * g.inChannels, lda: g.inChannels, b: w, ldb: g.inChannels,
                               c: y + r0 * g.outChannels, ldc: g.outChannels)
                } else {
                    let k = g.patchSize
                    for group in 0..<g.groups {
                        ConvGemmKernel.im2col(x, g, group: group, rows: r0..<(r0 + rows), into: context.scratch)
                        BLAS.sgemm(transB: true, m: rows, n: g.outPerGroup, k: k,
                                   a: context.scratch, lda: k, b: w + group * g.outPerGroup * k, ldb: k,
                                   c: y + r0 * g.outChannels + group * g.outPerGroup, ldc: g.outChannels)
                    }
                }
                epilogue.apply(context, data: y + r0 * g.outChannels, ld: g.outChannels, firstRow: r0, rows: rows,
                               rowsPerItem: g.outPixels)
                r0 += rows
            }
        }
    }

    /// Gathers the patches of output rows `rows` (flattened item, oy, ox) of group `group` into
    /// `dst` as `[rows, kh * kw * Cin/groups]`, zero outside the image.
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, group: Int, rows: Range<Int>,
                       into dst: UnsafeMutablePointer<Float>) {
        let cg = g.inPerGroup, k = g.patchSize
        var d = dst
        for r in rows {
            let item = r / g.outPixels, p = r % g.outPixels
            let oy = p / g.outWidth, ox = p % g.outWidth
            let image = x + item * g.height * g.width * g.inChannels + group * cg
            for ky in 0..<g.kernelH {
                let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                for kx in 0..<g.kernelW {
                    let ix = ox * g.strideW - g.padLeft + kx * g.dilationW
                    if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                        d.update(from: image + (iy * g.width + ix) * g.inChannels, count: cg)
                    } else {
                        d.update(repeating: 0, count: cg)
                    }
                    d += cg
                }
            }
            _ = k
        }
    }
}
