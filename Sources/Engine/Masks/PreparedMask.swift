/// Replacement of a layer's epilogue for one mask: `z = acc * scale[c] + shift[c]` (see `Epilogue`).
struct ChannelOverride: Sendable {
    let scale: [Float]
    let shift: [Float]
    /// `shift - bias * scale`: the shift for an accumulator that already holds the bias.
    let shiftAfterBias: [Float]

    init(scale: [Float], shift: [Float], bias: [Float]) {
        self.scale = scale
        self.shift = shift
        shiftAfterBias = zip(zip(shift, bias), scale).map { $0.0 - $0.1 * $1 }
    }
}

/// A mask turned into per-layer channel overrides, ready for kernels.
struct PreparedMask: Sendable {
    /// Overrides by layer index, for layers with removed units.
    let overrides: [Int: ChannelOverride]

    /// Builds the overrides of `mask` for `model` with `removal` (and `means` for `.mean`).
    init(_ mask: Mask, model: Model, removal: Removal, means: ChannelMeans?, biases: [[Float]]) throws {
        if let u = mask.removed.first(where: { $0 < 0 || $0 >= model.unitCount }) {
            throw EngineError.invalidInput(reason: "unit \(u) does not exist; the model has units 0..<\(model.unitCount)")
        }
        var o: [Int: ChannelOverride] = [:]
        for (l, units) in mask.removedByLayer(in: model) {
            let layer = model.convLayers[l]
            let bias = biases[l]
            var scale = [Float](repeating: 1, count: layer.channels)
            var shift = bias
            for u in units {
                let c = u - layer.firstUnit
                scale[c] = 0
                switch removal {
                case .zero: shift[c] = 0
                case .bias: shift[c] = bias[c]
                case .mean:
                    guard let means else {
                        throw EngineError.channelMeansMismatch(reason: "removal 'mean' needs channel means; compute them with Session.channelMeans")
                    }
                    shift[c] = means.values[u]
                }
            }
            o[l] = ChannelOverride(scale: scale, shift: shift, bias: bias)
        }
        overrides = o
    }
}
