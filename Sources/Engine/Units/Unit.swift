/// One player: an output channel (filter) of a conv layer.
public struct Unit: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The layer's index among the model's conv layers.
    public let layer: Int
    /// The channel within the layer.
    public let channel: Int
    /// The global unit index (`layer.firstUnit + channel`).
    public let index: Int

    /// A unit; `index` must equal the layer's first unit plus `channel`.
    public init(layer: Int, channel: Int, index: Int) {
        self.layer = layer
        self.channel = channel
        self.index = index
    }

    /// Units order by global index.
    public static func < (a: Unit, b: Unit) -> Bool { a.index < b.index }

    /// A readable form with the global index, layer and channel.
    public var description: String { "unit \(index) (layer \(layer), channel \(channel))" }
}
