/// The masks of one micro-batch: for each item, the channel overrides of each layer it masks.
///
/// An override for a layer replaces the layer's bias epilogue `z = acc + bias[c]` by
/// `z = acc * scale[c] + shift[c]` (scale 0 and shift the removal constant for removed channels,
/// scale 1 and shift the bias for kept ones); the activation is applied afterwards.
struct MicroBatchMasks: Sendable {
    /// Per item, layer index to override; nil for an unmasked item.
    let items: [PreparedMask?]

    /// The override of `layer` for item `index`, if any.
    @inline(__always)
    func override(layer: Int, item index: Int) -> ChannelOverride? {
        guard index < items.count, let m = items[index] else { return nil }
        return m.overrides[layer]
    }

    /// Whether any item overrides `layer`.
    func touches(layer: Int) -> Bool {
        items.contains { $0?.overrides[layer] != nil }
    }
}
