/// What follows a convolution's accumulation: bias, channel masks, statistics and the activation,
/// applied to rows of an NHWC output while they are still in cache.
///
/// The bias is put in first (`prefill`), so the accumulator already holds `acc + bias[c]`. For item
/// `i` of the micro-batch the pre-activation value of channel `c` is then that, or
/// `acc * scale[c] + shift[c]` when the item's mask overrides this layer (removed channels: scale 0,
/// shift the removal constant), computed as `(acc + bias) * scale + (shift - bias * scale)`. When
/// statistics are collected, pre-activation values are summed per unit (`firstUnit + c`). The
/// activation is applied last; with no activation, no mask and no statistics nothing is left to do.
struct Epilogue: Sendable {
    /// Per-channel bias (zeros when the node has none).
    let bias: [Float]
    /// The fused activation.
    let activation: Activation
    /// The conv layer (for masks and statistics), when the node is a layer of players.
    let layer: ConvLayer?

    /// Writes the bias into `rows` rows of `bias.count` values starting at `data` (rows contiguous).
    func prefill(_ data: UnsafeMutablePointer<Float>, rows: Int) {
        let n = bias.count
        bias.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for r in 0..<rows {
                let p = data + r * n
                var c = 0
                while c + 8 <= n { p.storeSIMD(base.loadSIMD(c), at: c); c += 8 }
                while c < n { p[c] = base[c]; c += 1 }
            }
        }
    }

    /// Applies the epilogue to `rows` rows of `bias.count` values (already holding the bias), `ld` apart, starting at `data`;
    /// `firstRow` is the index of the first row in the micro-batch and `rowsPerItem` the rows of one item.
    func apply(_ context: RunContext, data: UnsafeMutablePointer<Float>, ld: Int, firstRow: Int, rows: Int,
               rowsPerItem: Int) {
        let channels = bias.count
        do {
            var r = 0
            while r < rows {
                let item = (firstRow + r) / rowsPerItem
                let end = min(rows, (item + 1) * rowsPerItem - firstRow)
                let override = layer.flatMap { context.masks?.override(layer: $0.index, item: item) }
                if let override {
                    override.scale.withUnsafeBufferPointer { sc in
                        override.shiftAfterBias.withUnsafeBufferPointer { sh in
                            guard let s = sc.baseAddress, let h = sh.baseAddress else { return }
                            activation.visit(Rows(data: data + r * ld, ld: ld, rows: end - r, channels: channels,
                                                  scale: s, shift: h))
                        }
                    }
                } else if let stats = context.statistics, let layer {
                    for row in r..<end {
                        let p = data + row * ld
                        for c in 0..<channels {
                            let z = p[c]
                            stats[layer.firstUnit + c] += Double(z)
                            p[c] = activation.apply(z)
                        }
                    }
                } else if activation != .identity {
                    activation.visit(Rows(data: data + r * ld, ld: ld, rows: end - r, channels: channels,
                                          scale: nil, shift: nil))
                }
                r = end
            }
        }
    }

    /// `p[c] = act(p[c] * scale[c] + shift[c])` (or `act(p[c])` without them) over rows.
    private struct Rows: ActivationVisitor {
        let data: UnsafeMutablePointer<Float>
        let ld: Int
        let rows: Int
        let channels: Int
        let scale: UnsafePointer<Float>?
        let shift: UnsafePointer<Float>?

        func visit<F: ActivationFunctor>(_ f: F) {
            let n = channels
            for row in 0..<rows {
                let p = data + row * ld
                var c = 0
                if let scale, let shift {
                    while c + 8 <= n { p.storeSIMD(f(p.loadSIMD(c) * scale.loadSIMD(c) + shift.loadSIMD(c)), at: c); c += 8 }
                    while c < n { p[c] = f(p[c] * scale[c] + shift[c]); c += 1 }
                } else {
                    while c + 8 <= n { p.storeSIMD(f(p.loadSIMD(c)), at: c); c += 8 }
                    while c < n { p[c] = f(p[c]); c += 1 }
                }
            }
        }
    }
}
