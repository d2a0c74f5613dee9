/// ONNX `AttributeProto`: one named attribute of a node.
///
/// Scalars, tensors and their lists are modelled; subgraphs, sparse tensors and type protos are kept
/// verbatim in `unknownFields`.
public struct AttributeProto: Hashable, Sendable {
    /// ONNX attribute type codes (`AttributeProto.AttributeType`).
    public enum Kind {
        /// A float.
        public static let float: Int32 = 1
        /// An int64.
        public static let int: Int32 = 2
        /// A byte string.
        public static let string: Int32 = 3
        /// A tensor.
        public static let tensor: Int32 = 4
        /// A list of floats.
        public static let floats: Int32 = 6
        /// A list of int64.
        public static let ints: Int32 = 7
        /// A list of byte strings.
        public static let strings: Int32 = 8
        /// A list of tensors.
        public static let tensors: Int32 = 9
    }

    /// The attribute's name.
    public var name: String?
    /// A float value.
    public var f: Float?
    /// An integer value.
    public var i: Int64?
    /// A byte-string value.
    public var s: [UInt8]?
    /// A tensor value.
    public var t: TensorProto?
    /// A list of floats.
    public var floats: [Float] = []
    /// A list of integers.
    public var ints: [Int64] = []
    /// A list of byte strings.
    public var strings: [[UInt8]] = []
    /// A list of tensors.
    public var tensors: [TensorProto] = []
    /// The documentation string.
    public var docString: String?
    /// The attribute type (`Kind`).
    public var type: Int32?
    /// The name of a function attribute this one refers to.
    public var refAttrName: String?
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An empty attribute.
    public init() {}

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                try reader.expect(w, .lengthDelimited, field: "name")
                name = try reader.readString()
            case 2:
                try reader.expect(w, .fixed32, field: "f")
                f = Float(bitPattern: try reader.readFixed32())
            case 3:
                try reader.expect(w, .varint, field: "i")
                i = Int64(bitPattern: try reader.readVarint())
            case 4:
                try reader.expect(w, .lengthDelimited, field: "s")
                s = try reader.readBytes()
            case 5:
                try reader.expect(w, .lengthDelimited, field: "t")
                var sub = reader.nested(try reader.readLengthDelimited(), message: "TensorProto")
                t = try TensorProto(reader: &sub)
            case 7: try reader.readFloats(w, into: &floats)
            case 8: try reader.readInt64s(w, into: &ints)
            case 9:
                try reader.expect(w, .lengthDelimited, field: "strings")
                strings.append(try reader.readBytes())
            case 10:
                try reader.expect(w, .lengthDelimited, field: "tensors")
                var sub = reader.nested(try reader.readLengthDelimited(), message: "TensorProto")
                tensors.append(try TensorProto(reader: &sub))
            case 13:
                try reader.expect(w, .lengthDelimited, field: "doc_string")
                docString = try reader.readString()
            case 20:
                try reader.expect(w, .varint, field: "type")
                type = Int32(truncatingIfNeeded: try reader.readVarint())
            case 21:
                try reader.expect(w, .lengthDelimited, field: "ref_attr_name")
                refAttrName = try reader.readString()
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        if let name { w.writeString(1, name) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let f { w.writeFloat(2, f) }
        w.flushUnknown(unknown, below: 3, cursor: &cursor)
        if let i { w.writeInt(3, i) }
        w.flushUnknown(unknown, below: 4, cursor: &cursor)
        if let s { w.writeBytes(4, s) }
        w.flushUnknown(unknown, below: 5, cursor: &cursor)
        if let t { w.writeMessage(5) { t.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 7, cursor: &cursor)
        for v in floats { w.writeFloat(7, v) }
        w.flushUnknown(unknown, below: 8, cursor: &cursor)
        for v in ints { w.writeInt(8, v) }
        w.flushUnknown(unknown, below: 9, cursor: &cursor)
        for v in strings { w.writeBytes(9, v) }
        w.flushUnknown(unknown, below: 10, cursor: &cursor)
        for v in tensors { w.writeMessage(10) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 13, cursor: &cursor)
        if let docString { w.writeString(13, docString) }
        w.flushUnknown(unknown, below: 20, cursor: &cursor)
        if let type { w.writeInt(20, Int64(type)) }
        w.flushUnknown(unknown, below: 21, cursor: &cursor)
        if let refAttrName { w.writeString(21, refAttrName) }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }
}
