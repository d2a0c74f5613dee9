/// The wire types of the protocol buffer encoding.
enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A cursor over the protocol buffer wire format of one message: a sequence of
/// `(tag, payload)` fields inside `bytes[position..<end]`.
///
/// The reader never copies the underlying bytes; nested messages are read by a new reader over a
/// sub-range of the same array. Every read is bounds-checked and throws
/// `EngineError.malformedProtobuf` naming `message` on truncated or invalid input.
struct ProtoReader {
    /// The whole buffer (shared, copy-on-write).
    let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    /// One past the last byte of this message.
    let end: Int
    /// The message type being read, for error messages.
    let message: String

    init(bytes: [UInt8], range: Range<Int>, message: String) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.message = message
    }

    /// Whether the whole message has been read.
    var isAtEnd: Bool { position >= end }

    func fail(_ reason: String) -> EngineError {
        .malformedProtobuf(message: message, offset: position, reason: reason)
    }

    /// Reads a base-128 varint.
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw fail("truncated varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw fail("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    /// Reads the next field's tag, or returns nil at the end of the message.
    mutating func readTag() throws -> (number: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let tag = try readVarint()
        let number = Int(truncatingIfNeeded: tag >> 3)
        guard number > 0, number < (1 << 29) else { throw fail("invalid field number \(number)") }
        guard let wire = WireType(rawValue: UInt8(tag & 7)) else {
            throw fail("invalid wire type \(tag & 7) for field \(number)")
        }
        return (number, wire)
    }

    /// Reads a length-delimited payload and returns its range in `bytes`.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw fail("length \(length) runs past the end of the message")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// Reads 4 little-endian bytes.
    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw fail("truncated fixed32") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    /// Reads 8 little-endian bytes.
    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw fail("truncated fixed64") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// Skips the payload of a field whose tag was just read.
    mutating func skip(_ wire: WireType, number: Int) throws {
        switch wire {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup:
            while let (n, w) = try readTag() {
                if w == .endGroup {
                    guard n == number else { throw fail("group \(number) closed by \(n)") }
                    return
                }
                try skip(w, number: n)
            }
            throw fail("unterminated group \(number)")
        case .endGroup:
            throw fail("unexpected end of group \(number)")
        }
    }

    /// A reader over a nested message whose payload is `range`.
    func nested(_ range: Range<Int>, message: String) -> ProtoReader {
        ProtoReader(bytes: bytes, range: range, message: message)
    }

    // MARK: typed payload helpers

    /// Reads a length-delimited UTF-8 string.
    mutating func readString() throws -> String {
        let r = try readLengthDelimited()
        return String(decoding: bytes[r], as: UTF8.self)
    }

    /// Reads a length-delimited byte string.
    mutating func readBytes() throws -> [UInt8] {
        Array(bytes[try readLengthDelimited()])
    }

    /// Reads an int64 that is either one varint or a packed run of them, appending to `values`.
    mutating func readInt64s(_ wire: WireType, into values: inout [Int64]) throws {
        switch wire {
        case .varint:
            values.append(Int64(bitPattern: try readVarint()))
        case .lengthDelimited:
            let r = try readLengthDelimited()
            var sub = nested(r, message: message)
            while !sub.isAtEnd { values.append(Int64(bitPattern: try sub.readVarint())) }
        default:
            throw fail("repeated int64 field with wire type \(wire)")
        }
    }

    /// Reads an int32 that is either one varint or a packed run of them, appending to `values`.
    mutating func readInt32s(_ wire: WireType, into values: inout [Int32]) throws {
        var wide: [Int64] = []
        try readInt64s(wire, into: &wide)
        for v in wide { values.append(Int32(truncatingIfNeeded: v)) }
    }

    /// Reads a float that is either one fixed32 or a packed run of them, appending to `values`.
    mutating func readFloats(_ wire: WireType, into values: inout [Float]) throws {
        switch wire {
        case .fixed32:
            values.append(Float(bitPattern: try readFixed32()))
        case .lengthDelimited:
            let r = try readLengthDelimited()
            guard r.count % 4 == 0 else { throw fail("packed floats of \(r.count) bytes") }
            var sub = nested(r, message: message)
            values.reserveCapacity(values.count + r.count / 4)
            while !sub.isAtEnd { values.append(Float(bitPattern: try sub.readFixed32())) }
        default:
            throw fail("repeated float field with wire type \(wire)")
        }
    }

    /// Reads a double that is either one fixed64 or a packed run of them, appending to `values`.
    mutating func readDoubles(_ wire: WireType, into values: inout [Double]) throws {
        switch wire {
        case .fixed64:
            values.append(Double(bitPattern: try readFixed64()))
        case .lengthDelimited:
            let r = try readLengthDelimited()
            guard r.count % 8 == 0 else { throw fail("packed doubles of \(r.count) bytes") }
            var sub = nested(r, message: message)
            while !sub.isAtEnd { values.append(Double(bitPattern: try sub.readFixed64())) }
        default:
            throw fail("repeated double field with wire type \(wire)")
        }
    }

    // MARK: field helpers (check the wire type of a known field, then read it)

    /// A string field.
    mutating func string(_ wire: WireType, field: String) throws -> String {
        try expect(wire, .lengthDelimited, field: field)
        return try readString()
    }

    /// A bytes field.
    mutating func bytes(_ wire: WireType, field: String) throws -> [UInt8] {
        try expect(wire, .lengthDelimited, field: field)
        return try readBytes()
    }

    /// An int64 field (one varint).
    mutating func int64(_ wire: WireType, field: String) throws -> Int64 {
        try expect(wire, .varint, field: field)
        return Int64(bitPattern: try readVarint())
    }

    /// An int32 or enum field (one varint).
    mutating func int32(_ wire: WireType, field: String) throws -> Int32 {
        try expect(wire, .varint, field: field)
        return Int32(truncatingIfNeeded: try readVarint())
    }

    /// A float field (one fixed32).
    mutating func float(_ wire: WireType, field: String) throws -> Float {
        try expect(wire, .fixed32, field: field)
        return Float(bitPattern: try readFixed32())
    }

    /// A nested message field of type `M`.
    mutating func message<M: ProtoDecodable>(_ wire: WireType, field: String, as _: M.Type) throws -> M {
        try expect(wire, .lengthDelimited, field: field)
        var sub = nested(try readLengthDelimited(), message: String(describing: M.self))
        return try M(reader: &sub)
    }

    /// Checks the wire type of a known field.
    func expect(_ wire: WireType, _ expected: WireType, field: String) throws {
        guard wire == expected else { throw fail("field \(field) has wire type \(wire), expected \(expected)") }
    }
}

/// A message decoded field by field from a ``ProtoReader``.
protocol ProtoDecodable {
    init(reader: inout ProtoReader) throws
}
