/// ONNX `AttributeProto`: one named attribute of a node.
///
/// Scalars, tensors and their lists are modelled; subgraphs, sparse tensors and type protos are kept
/// verbatim in `unknownFields`.
public struct AttributeProto: Hashable, Sendable, ProtoDecodable {
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
                name = try reader.string(w, field: "name")
            case 2:
                f = try reader.float(w, field: "f")
            case 3:
                i = try reader.int64(w, field: "i")
            case 4:
                s = try reader.bytes(w, field: "s")
            case 5:
                t = try reader.message(w, field: "t", as: TensorProto.self)
            case 7: try reader.readFloats(w, into: &floats)
            case 8: try reader.readInt64s(w, into: &ints)
            case 9:
                strings.append(try reader.bytes(w, field: "strings"))
            case 10:
                tensors.append(try reader.message(w, field: "tensors", as: TensorProto.self))
            case 13:
                docString = try reader.string(w, field: "doc_string")
            case 20:
                type = try reader.int32(w, field: "type")
            case 21:
                refAttrName = try reader.string(w, field: "ref_attr_name")
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
