/// A textual unit address `LAYER:C` (layer name, colon, channel), as used on the command line and
/// in result files. `LAYER:A-B` names a channel range and `LAYER:*` or `LAYER` a whole layer when
/// parsed with `Model.units(parsing:)`.
public struct UnitAddress: Hashable, Sendable, CustomStringConvertible {
    /// The layer's name.
    public let layer: String
    /// The channel.
    public let channel: Int

    /// An address.
    public init(layer: String, channel: Int) {
        self.layer = layer
        self.channel = channel
    }

    /// Parses `LAYER:C`; the layer is everything before the last colon.
    public static func parse(_ text: String) throws -> UnitAddress {
        let t = text.trimmingWhitespace()
        guard let colon = t.lastIndex(of: ":") else {
            throw EngineError.malformedUnitAddress(given: text, expected: "LAYER:CHANNEL, e.g. conv_stem:3")
        }
        let layer = String(t[..<colon]), ch = String(t[t.index(after: colon)...])
        guard !layer.isEmpty, let c = Int(ch), c >= 0 else {
            throw EngineError.malformedUnitAddress(given: text, expected: "LAYER:CHANNEL with a channel number >= 0, e.g. conv_stem:3")
        }
        return UnitAddress(layer: layer, channel: c)
    }

    /// The address as text, `LAYER:C`.
    public var description: String { "\(layer):\(channel)" }
}
