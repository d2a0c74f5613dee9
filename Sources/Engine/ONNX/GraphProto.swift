/// ONNX `GraphProto`: nodes, initializers (weights), inputs, outputs.
public struct GraphProto: Hashable, Sendable, ProtoDecodable {
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
                node.append(try reader.message(w, field: "node", as: NodeProto.self))
            case 2:
                name = try reader.string(w, field: "name")
            case 5:
                initializer.append(try reader.message(w, field: "initializer", as: TensorProto.self))
            case 10:
                docString = try reader.string(w, field: "doc_string")
            case 11, 12, 13:
                let info = try reader.message(w, field: "value info", as: ValueInfoProto.self)
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
