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

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        guard let start = firstIndex(where: { !ws.contains($0) }), let end = lastIndex(where: { !ws.contains($0) }) else { return "" }
        return String(self[start...end])
    }

    /// The Levenshtein edit distance to `other`.
    func editDistance(to other: String) -> Int {
        let a = Array(self), b = Array(other)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
