/// The logits of a network whose output depends on one layer's channels only through a readout
/// that is affine in each channel's pooled value, for any set of those channels removed.
///
/// When a layer's output reaches the logits through per-channel operations (activations, a
/// residual sum with a branch the layer does not feed), a global average pool and an affine head
/// (flatten, Gemm), channel `c` contributes to image `i`'s pooled features one of two values,
/// whether or not it is removed: so the logits with the channels `S` kept are
/// `base0[i] + Σ_{c ∈ S} delta[c, i] · weights[c]`, where `base0` are the logits with every
/// channel removed, `delta[c, i]` the change of channel `c`'s pooled value on image `i` when it is
/// kept, and `weights[c]` the head's response to that channel. Equivalently, from the logits with
/// nothing removed, `base1[i] − Σ_{c ∈ R} delta[c, i] · weights[c]` for the removed channels `R`.
/// Each mask costs one small product over the smaller of the two sets, instead of the layer's
/// epilogue, the pool and the whole head per image.
///
/// The result for a mask depends only on that mask (the set summed over is chosen by its size and
/// summed in channel order), not on the other masks of a call.
public struct LinearReadout: Sendable {
    /// The channels (players) the readout covers.
    public let channels: Int
    /// Images.
    public let images: Int
    /// Logits per image.
    public let classes: Int
    /// `[channels, classes]`: the head's response to one unit of each channel's pooled value.
    let weights: [Float]
    /// `[channels, images]`: each channel's pooled value kept minus removed, per image.
    let delta: [Float]
    /// `[images, classes]`: the logits with every channel removed.
    let base0: [Float]
    /// `[images, classes]`: the logits with nothing removed.
    let base1: [Float]

    /// A readout from its parts (shapes as documented on the properties).
    /// - Throws: ``EngineError/invalidInput(reason:)`` when a part's size does not fit.
    public init(channels: Int, images: Int, classes: Int, weights: [Float], delta: [Float],
                base0: [Float], base1: [Float]) throws {
        guard channels >= 0, images >= 0, classes >= 0, weights.count == channels * classes,
              delta.count == channels * images, base0.count == images * classes, base1.count == images * classes else {
            throw EngineError.invalidInput(reason: "linear readout: \(channels) channels, \(images) images, \(classes) classes do not fit "
                + "weights \(weights.count), delta \(delta.count), bases \(base0.count) and \(base1.count)")
        }
        self.channels = channels
        self.images = images
        self.classes = classes
        self.weights = weights
        self.delta = delta
        self.base0 = base0
        self.base1 = base1
    }

    /// The largest difference between the logits with nothing removed and the sum of every
    /// channel's contribution to the logits with all removed: near zero (rounding) when the
    /// readout is affine as assumed.
    public func closureError() -> Float {
        let all = logits(summing: Array(0..<channels), from: base0, sign: 1)
        var worst: Float = 0
        for (a, b) in zip(all, base1) { worst = max(worst, abs(a - b)) }
        return worst
    }

    /// The logits (`[images, classes]`) with channels `removed` (indices below ``channels``,
    /// sorted, without duplicates) taken out.
    public func logits(removing removed: [Int]) -> [Float] {
        if removed.count * 2 <= channels { return logits(summing: removed, from: base1, sign: -1) }
        var kept: [Int] = []
        kept.reserveCapacity(channels - removed.count)
        var r = 0
        for c in 0..<channels {
            if r < removed.count && removed[r] == c { r += 1 } else { kept.append(c) }
        }
        return logits(summing: kept, from: base0, sign: 1)
    }

    /// `base + sign · Σ_{c ∈ set} delta[c, ·]ᵀ weights[c]`, the channels in order.
    private func logits(summing set: [Int], from base: [Float], sign: Float) -> [Float] {
        var out = base
        guard !set.isEmpty, images > 0, classes > 0 else { return out }
        var d = [Float](repeating: 0, count: set.count * images)
        var w = [Float](repeating: 0, count: set.count * classes)
        for (j, c) in set.enumerated() {
            for i in 0..<images { d[j * images + i] = delta[c * images + i] }
            for k in 0..<classes { w[j * classes + k] = weights[c * classes + k] }
        }
        d.withUnsafeBufferPointer { dp in
            w.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { op in
                    guard let a = dp.baseAddress, let b = wp.baseAddress, let c = op.baseAddress else { return }
                    BLAS.sgemm(transA: true, m: images, n: classes, k: set.count, alpha: sign, a: a, lda: images,
                               b: b, ldb: classes, beta: 1, c: c, ldc: classes)
                }
            }
        }
        return out
    }
}
