/// ONNX `GraphProto`: nodes, initializers (weights), inputs, outputs.
public struct GraphProto: Hashable, Sendable {
    /// The nodes (ONNX requires them in topological order; this engine sorts them anyway).
    public var node: [NodeProto] = []
    /// The graph's name.
    public var name: String?
    /// Constant tensors (weights), by value name.
    public var initializer: [TensorProto] = []
    /// The documentation string.
    public var docString: String?
    /// The inputs (older models also list initializers here).
    public var input: [ValueInfoProto] = []
    /// The outputs.
    public var output: [ValueInfoProto] = []
    /// Types of intermediate values.
    public var valueInfo: [ValueInfoProto] = []
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An empty graph.
    public init() {}

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                try reader.expect(w, .lengthDelimited, field: "node")
                var sub = reader.nested(try reader.readLengthDelimited(), message: "NodeProto")
                node.append(try NodeProto(reader: &sub))
            case 2:
                try reader.expect(w, .lengthDelimited, field: "name")
                name = try reader.readString()
            case 5:
                try reader.expect(w, .lengthDelimited, field: "initializer")
                var sub = reader.nested(try reader.readLengthDelimited(), message: "TensorProto")
                initializer.append(try TensorProto(reader: &sub))
            case 10:
                try reader.expect(w, .lengthDelimited, field: "doc_string")
                docString = try reader.readString()
            case 11, 12, 13:
                try reader.expect(w, .lengthDelimited, field: "value info")
                var sub = reader.nested(try reader.readLengthDelimited(), message: "ValueInfoProto")
                let info = try ValueInfoProto(reader: &sub)
                if n == 11 { input.append(info) } else if n == 12 { output.append(info) } else { valueInfo.append(info) }
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        for v in node { w.writeMessage(1) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let name { w.writeString(2, name) }
        w.flushUnknown(unknown, below: 5, cursor: &cursor)
        for v in initializer { w.writeMessage(5) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 10, cursor: &cursor)
        if let docString { w.writeString(10, docString) }
        w.flushUnknown(unknown, below: 11, cursor: &cursor)
        for v in input { w.writeMessage(11) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 12, cursor: &cursor)
        for v in output { w.writeMessage(12) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 13, cursor: &cursor)
        for v in valueInfo { w.writeMessage(13) { v.encode(to: &$0) } }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }
}
