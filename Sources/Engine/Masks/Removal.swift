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
