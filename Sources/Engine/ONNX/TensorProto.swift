/// ONNX `TensorProto`: a named, typed, dense tensor (weights, constants).
///
/// Fields this engine does not model (segments, string data, external data, metadata) are kept in
/// `unknownFields` and written back unchanged by `encode`. Scalar fields are optional so that a
/// field present with its default value survives a round trip.
public struct TensorProto: Hashable, Sendable, ProtoDecodable {
    /// ONNX element type codes (`TensorProto.DataType`).
    public enum DataType {
        /// 32-bit IEEE float.
        public static let float: Int32 = 1
        /// 32-bit signed integer.
        public static let int32: Int32 = 6
        /// 64-bit signed integer.
        public static let int64: Int32 = 7
        /// 64-bit IEEE float.
        public static let double: Int32 = 11
    }

    /// The dimensions.
    public var dims: [Int64] = []
    /// The element type (`DataType`).
    public var dataType: Int32?
    /// Elements of float tensors when not in `rawData`.
    public var floatData: [Float] = []
    /// Elements of int32 (and smaller integer) tensors when not in `rawData`.
    public var int32Data: [Int32] = []
    /// Elements of int64 tensors when not in `rawData`.
    public var int64Data: [Int64] = []
    /// The tensor's name (an initializer's value name).
    public var name: String?
    /// Elements as little-endian bytes, when present.
    public var rawData: [UInt8]?
    /// Elements of double tensors when not in `rawData`.
    public var doubleData: [Double] = []
    /// The documentation string.
    public var docString: String?
    /// Where the data lives (0 = here, 1 = external).
    public var dataLocation: Int32?
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An empty tensor proto.
    public init() {}

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1: try reader.readInt64s(w, into: &dims)
            case 2:
                dataType = try reader.int32(w, field: "data_type")
            case 4: try reader.readFloats(w, into: &floatData)
            case 5: try reader.readInt32s(w, into: &int32Data)
            case 7: try reader.readInt64s(w, into: &int64Data)
            case 8:
                name = try reader.string(w, field: "name")
            case 9:
                rawData = try reader.bytes(w, field: "raw_data")
            case 10: try reader.readDoubles(w, into: &doubleData)
            case 12:
                docString = try reader.string(w, field: "doc_string")
            case 14:
                dataLocation = try reader.int32(w, field: "data_location")
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        for d in dims { w.writeInt(1, d) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let dataType { w.writeInt(2, Int64(dataType)) }
        w.flushUnknown(unknown, below: 4, cursor: &cursor)
        w.writePackedFloats(4, floatData)
        w.flushUnknown(unknown, below: 5, cursor: &cursor)
        w.writePackedInt64s(5, int32Data.map { Int64($0) })
        w.flushUnknown(unknown, below: 7, cursor: &cursor)
        w.writePackedInt64s(7, int64Data)
        w.flushUnknown(unknown, below: 8, cursor: &cursor)
        if let name { w.writeString(8, name) }
        w.flushUnknown(unknown, below: 9, cursor: &cursor)
        if let rawData { w.writeBytes(9, rawData) }
        w.flushUnknown(unknown, below: 10, cursor: &cursor)
        if !doubleData.isEmpty {
            var inner = ProtoWriter()
            for d in doubleData { inner.writeFixed64(d.bitPattern) }
            w.writeBytes(10, inner.bytes)
        }
        w.flushUnknown(unknown, below: 12, cursor: &cursor)
        if let docString { w.writeString(12, docString) }
        w.flushUnknown(unknown, below: 14, cursor: &cursor)
        if let dataLocation { w.writeInt(14, Int64(dataLocation)) }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }

    /// Whether the data lives in an external file (not supported by this engine).
    public var hasExternalData: Bool {
        dataLocation == 1 || unknownFields.fields.contains { $0.number == 13 }
    }
}
