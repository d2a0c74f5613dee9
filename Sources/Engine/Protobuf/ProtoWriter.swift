/// Builds the protocol buffer wire format of one message, field by field.
///
/// Known fields are written in ascending field-number order, as the reference implementation does;
/// fields a message did not understand when it was decoded are kept verbatim in `UnknownFields` and
/// written back in their place, so a decode-encode round trip preserves them.
struct ProtoWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeTag(_ number: Int, _ wire: WireType) {
        writeVarint(UInt64(number) << 3 | UInt64(wire.rawValue))
    }

    mutating func writeFixed32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    mutating func writeFixed64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    /// A varint field (int32/int64/enum/bool).
    mutating func writeInt(_ number: Int, _ value: Int64) {
        writeTag(number, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    /// A fixed32 float field.
    mutating func writeFloat(_ number: Int, _ value: Float) {
        writeTag(number, .fixed32)
        writeFixed32(value.bitPattern)
    }

    /// A length-delimited byte string.
    mutating func writeBytes<C: Collection>(_ number: Int, _ value: C) where C.Element == UInt8 {
        writeTag(number, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A string field.
    mutating func writeString(_ number: Int, _ value: String) {
        writeBytes(number, Array(value.utf8))
    }

    /// A nested message field.
    mutating func writeMessage(_ number: Int, _ body: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        body(&inner)
        writeBytes(number, inner.bytes)
    }

    /// A packed repeated int64 field (nothing when empty).
    mutating func writePackedInt64s(_ number: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var inner = ProtoWriter()
        for v in values { inner.writeVarint(UInt64(bitPattern: v)) }
        writeBytes(number, inner.bytes)
    }

    /// A packed repeated float field (nothing when empty).
    mutating func writePackedFloats(_ number: Int, _ values: [Float]) {
        guard !values.isEmpty else { return }
        writeTag(number, .lengthDelimited)
        writeVarint(UInt64(values.count * 4))
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values { writeFixed32(v.bitPattern) }
    }

    /// Appends raw, already-encoded field bytes.
    mutating func appendRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Writes the unknown fields of `unknown` whose numbers are below `number`, in order.
    /// Call before each known field with its number, and with `Int.max` at the end.
    mutating func flushUnknown(_ unknown: UnknownFields, below number: Int, cursor: inout Int) {
        while cursor < unknown.fields.count, unknown.fields[cursor].number < number {
            appendRaw(unknown.fields[cursor].raw)
            cursor += 1
        }
    }
}
