/// What follows a convolution's (or Gemm's) accumulation: bias, channel masks, statistics and the
/// activation, applied to rows of an NHWC output while they are still in cache.
///
/// For item `i` of the micro-batch the pre-activation value of channel `c` is `acc + bias[c]`, or
/// `acc * scale[c] + shift[c]` when the item's mask overrides this layer (removed channels: scale 0,
/// shift the removal constant). When statistics are collected, pre-activation values are summed
/// per unit (`unitBase + c`). The activation is applied last.
struct Epilogue: Sendable {
    /// Per-channel bias (zeros when the node has none).
    let bias: [Float]
    /// The fused activation.
    let activation: Activation
    /// The conv layer (for masks and statistics), when the node is a layer of players.
    let layer: ConvLayer?

    /// Applies the epilogue to `rows` rows of `channels` values, `ld` apart, starting at `data`;
    /// `firstRow` is the index of the first row in the micro-batch and `rowsPerItem` the rows of one item.
    func apply(_ context: RunContext, data: UnsafeMutablePointer<Float>, ld: Int, firstRow: Int, rows: Int,
               rowsPerItem: Int) {
        let channels = bias.count
        bias.withUnsafeBufferPointer { biasBuffer in
            guard let biasBase = biasBuffer.baseAddress else { return }
            var r = 0
            while r < rows {
                let item = (firstRow + r) / rowsPerItem
                let end = min(rows, (item + 1) * rowsPerItem - firstRow)
                let override = layer.flatMap { context.masks?.override(layer: $0.index, item: item) }
                if let override {
                    override.scale.withUnsafeBufferPointer { sc in
                        override.shift.withUnsafeBufferPointer { sh in
                            guard let s = sc.baseAddress, let h = sh.baseAddress else { return }
                            for row in r..<end {
                                Epilogue.scaleShift(data + row * ld, channels, scale: s, shift: h, activation)
                            }
                        }
                    }
                } else if let stats = context.statistics, let layer {
                    for row in r..<end {
                        let p = data + row * ld
                        for c in 0..<channels {
                            let z = p[c] + biasBase[c]
                            stats[layer.firstUnit + c] += Double(z)
                            p[c] = activation.apply(z)
                        }
                    }
                } else {
                    for row in r..<end { Epilogue.addBias(data + row * ld, channels, bias: biasBase, activation) }
                }
                r = end
            }
        }
    }

    /// `p[c] = act(p[c] + bias[c])` for `n` channels.
    @inline(__always)
    static func addBias(_ p: UnsafeMutablePointer<Float>, _ n: Int, bias: UnsafePointer<Float>, _ act: Activation) {
        var c = 0
        switch act {
        case .identity:
            while c + 8 <= n { p.storeSIMD(p.loadSIMD(c) + bias.loadSIMD(c), at: c); c += 8 }
        case .relu:
            while c + 8 <= n { p.storeSIMD(pointwiseMax(p.loadSIMD(c) + bias.loadSIMD(c), .zero), at: c); c += 8 }
        case .clip(let lo, let hi):
            let l = SIMD8<Float>(repeating: lo), h = SIMD8<Float>(repeating: hi)
            while c + 8 <= n { p.storeSIMD(pointwiseMin(pointwiseMax(p.loadSIMD(c) + bias.loadSIMD(c), l), h), at: c); c += 8 }
        default:
            if act.isVectorised {
                while c + 8 <= n { p.storeSIMD(act.apply(p.loadSIMD(c) + bias.loadSIMD(c)), at: c); c += 8 }
            }
        }
        while c < n { p[c] = act.apply(p[c] + bias[c]); c += 1 }
    }

    /// `p[c] = act(p[c] * scale[c] + shift[c])` for `n` channels.
    @inline(__always)
    static func scaleShift(_ p: UnsafeMutablePointer<Float>, _ n: Int, scale: UnsafePointer<Float>,
                           shift: UnsafePointer<Float>, _ act: Activation) {
        var c = 0
        if act.isVectorised {
            while c + 8 <= n {
                p.storeSIMD(act.apply(p.loadSIMD(c) * scale.loadSIMD(c) + shift.loadSIMD(c)), at: c)
                c += 8
            }
        }
        while c < n { p[c] = act.apply(p[c] * scale[c] + shift[c]); c += 1 }
    }
}
