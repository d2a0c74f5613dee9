/// ONNX `ValueInfoProto`: the name and type of a graph input, output or intermediate value.
///
/// The `TypeProto` is kept as its encoded bytes (re-encoded unchanged); for tensor types the element
/// type and dimensions are decoded into `elementType` and `dimensions`.
public struct ValueInfoProto: Hashable, Sendable, ProtoDecodable {
    /// One dimension of a tensor type: a fixed size, a named symbol, or unknown.
    public enum Dimension: Hashable, Sendable {
        /// A fixed size.
        case value(Int64)
        /// A symbolic size such as `batch`.
        case parameter(String)
        /// Neither given.
        case unknown
    }

    /// The value's name.
    public var name: String?
    /// The encoded `TypeProto`, if present.
    public var typeBytes: [UInt8]?
    /// The documentation string.
    public var docString: String?
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// The tensor element type, when the type is a tensor type that gives one.
    public private(set) var elementType: Int32?
    /// The tensor dimensions, when the type is a tensor type with a shape.
    public private(set) var dimensions: [Dimension]?

    /// An empty value info.
    public init() {}

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                name = try reader.string(w, field: "name")
            case 2:
                try reader.expect(w, .lengthDelimited, field: "type")
                let r = try reader.readLengthDelimited()
                typeBytes = Array(reader.bytes[r])
                var sub = reader.nested(r, message: "TypeProto")
                try decodeType(&sub)
            case 3:
                docString = try reader.string(w, field: "doc_string")
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    /// Reads `TypeProto.tensor_type` (field 1): `elem_type` (1) and `shape` (2) of `dim` (1) entries.
    private mutating func decodeType(_ reader: inout ProtoReader) throws {
        while let (n, w) = try reader.readTag() {
            guard n == 1, w == .lengthDelimited else { try reader.skip(w, number: n); continue }
            var tensor = reader.nested(try reader.readLengthDelimited(), message: "TypeProto.Tensor")
            while let (tn, tw) = try tensor.readTag() {
                if tn == 1, tw == .varint {
                    elementType = Int32(truncatingIfNeeded: try tensor.readVarint())
                } else if tn == 2, tw == .lengthDelimited {
                    var shape = tensor.nested(try tensor.readLengthDelimited(), message: "TensorShapeProto")
                    var dims: [Dimension] = []
                    while let (sn, sw) = try shape.readTag() {
                        guard sn == 1, sw == .lengthDelimited else { try shape.skip(sw, number: sn); continue }
                        var dim = shape.nested(try shape.readLengthDelimited(), message: "Dimension")
                        var d = Dimension.unknown
                        while let (dn, dw) = try dim.readTag() {
                            if dn == 1, dw == .varint {
                                d = .value(Int64(bitPattern: try dim.readVarint()))
                            } else if dn == 2, dw == .lengthDelimited {
                                d = .parameter(try dim.readString())
                            } else {
                                try dim.skip(dw, number: dn)
                            }
                        }
                        dims.append(d)
                    }
                    dimensions = dims
                } else {
                    try tensor.skip(tw, number: tn)
                }
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        if let name { w.writeString(1, name) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let typeBytes { w.writeBytes(2, typeBytes) }
        w.flushUnknown(unknown, below: 3, cursor: &cursor)
        if let docString { w.writeString(3, docString) }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }
}
