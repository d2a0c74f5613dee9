/// Fields a message type does not model, kept verbatim (tag and payload) with their numbers so that
/// re-encoding a decoded message writes them back unchanged.
public struct UnknownFields: Hashable, Sendable {
    /// One preserved field: its number and its complete encoding.
    struct Field: Hashable, Sendable {
        let number: Int
        let raw: [UInt8]
    }
    /// The preserved fields, in the order they were read.
    var fields: [Field] = []

    /// Whether nothing was preserved.
    public var isEmpty: Bool { fields.isEmpty }

    /// Skips the field whose tag starting at `tagStart` was just read, keeping its bytes.
    mutating func keep(_ reader: inout ProtoReader, tagStart: Int, number: Int, wire: WireType) throws {
        try reader.skip(wire, number: number)
        fields.append(Field(number: number, raw: Array(reader.bytes[tagStart..<reader.position])))
    }

    /// The fields sorted by number (stable), as the encoder interleaves them.
    var sorted: UnknownFields {
        var copy = self
        copy.fields = fields.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
            .map(\.element)
        return copy
    }
}
