/// How a removed unit's output channel is replaced.
///
/// A removed filter's channel (the Conv output, before any activation that follows) becomes a
/// constant over every position and image:
/// - `mean`: the channel's mean over the validation images, one scalar per channel averaged over
///   images and all spatial positions (`ChannelMeans`); the default, as in Neuron Shapley.
/// - `zero`: 0.
/// - `bias`: the Conv's bias, which is what the layer outputs when the filter's weights are zero.
public enum Removal: String, Sendable, Hashable, CaseIterable, Codable {
    /// The channel's mean over validation images (a scalar per channel).
    case mean
    /// Zero.
    case zero
    /// The conv bias (the output of a zero-weight filter).
    case bias
}

/// A set of removed units (global unit indices), applied to one evaluation.
public struct Mask: Hashable, Sendable, CustomStringConvertible {
    /// The removed units, sorted, without duplicates.
    public let removed: [Int]

    /// A mask removing `units` (global indices).
    public init<S: Sequence>(removing units: S) where S.Element == Int {
        removed = Array(Set(units)).sorted()
    }

    /// A mask removing `units`.
    public init(removing units: [Unit]) {
        self.init(removing: units.map(\.index))
    }

    /// A mask removing the units whose bits are set in `words` (bit `i % 64` of word `i / 64` is
    /// unit `i`), e.g. the complement of a coalition.
    public init(removedBits words: [UInt64], unitCount: Int) {
        var r: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            var x = word
            while x != 0 {
                let i = w * 64 + x.trailingZeroBitCount
                if i < unitCount { r.append(i) }
                x &= x - 1
            }
        }
        removed = r
    }

    /// The mask removing nothing.
    public static let none = Mask(removing: [Int]())

    /// Whether nothing is removed.
    public var isEmpty: Bool { removed.isEmpty }

    /// A short summary.
    public var description: String { "Mask(\(removed.count) removed)" }
}

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
        var byLayer: [Int: [Int]] = [:]
        for u in mask.removed {
            guard u >= 0 && u < model.unitCount else {
                throw EngineError.invalidInput(reason: "unit \(u) does not exist; the model has units 0..<\(model.unitCount)")
            }
            byLayer[model.unit(index: u).layer, default: []].append(u)
        }
        var o: [Int: ChannelOverride] = [:]
        for (l, units) in byLayer {
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
