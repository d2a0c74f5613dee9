/// ONNX `NodeProto`: one operator application in a graph.
public struct NodeProto: Hashable, Sendable, ProtoDecodable {
    /// Input value names; an empty name is an omitted optional input.
    public var input: [String] = []
    /// Output value names.
    public var output: [String] = []
    /// The node's name (may be absent or empty).
    public var name: String?
    /// The operator, e.g. `Conv`.
    public var opType: String?
    /// The attributes.
    public var attribute: [AttributeProto] = []
    /// The documentation string.
    public var docString: String?
    /// The operator set domain (`""` or absent for the default ONNX domain).
    public var domain: String?
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An empty node.
    public init() {}

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                input.append(try reader.string(w, field: "input"))
            case 2:
                output.append(try reader.string(w, field: "output"))
            case 3:
                name = try reader.string(w, field: "name")
            case 4:
                opType = try reader.string(w, field: "op_type")
            case 5:
                attribute.append(try reader.message(w, field: "attribute", as: AttributeProto.self))
            case 6:
                docString = try reader.string(w, field: "doc_string")
            case 7:
                domain = try reader.string(w, field: "domain")
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        for v in input { w.writeString(1, v) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        for v in output { w.writeString(2, v) }
        w.flushUnknown(unknown, below: 3, cursor: &cursor)
        if let name { w.writeString(3, name) }
        w.flushUnknown(unknown, below: 4, cursor: &cursor)
        if let opType { w.writeString(4, opType) }
        w.flushUnknown(unknown, below: 5, cursor: &cursor)
        for a in attribute { w.writeMessage(5) { a.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 6, cursor: &cursor)
        if let docString { w.writeString(6, docString) }
        w.flushUnknown(unknown, below: 7, cursor: &cursor)
        if let domain { w.writeString(7, domain) }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }

    /// The attribute named `name`, if present.
    public func attribute(named name: String) -> AttributeProto? {
        attribute.first { $0.name == name }
    }
}
