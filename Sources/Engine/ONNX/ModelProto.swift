/// ONNX `ModelProto`: the top-level message of an `.onnx` file.
///
/// `ModelProto(bytes:)` decodes the protocol buffer wire format without generated code;
/// `serialized()` encodes it back. Fields not modelled are preserved, so decoding and encoding a
/// model (after editing, say, some initializers) gives a file ONNX Runtime loads.
public struct ModelProto: Hashable, Sendable {
    /// The IR version.
    public var irVersion: Int64?
    /// The producing tool.
    public var producerName: String?
    /// The producing tool's version.
    public var producerVersion: String?
    /// The model's domain.
    public var domain: String?
    /// The model's version.
    public var modelVersion: Int64?
    /// The documentation string.
    public var docString: String?
    /// The graph.
    public var graph: GraphProto?
    /// The operator sets used.
    public var opsetImport: [OperatorSetIdProto] = []
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An empty model.
    public init() {}

    /// Decodes a serialized model.
    public init(bytes: [UInt8]) throws {
        var reader = ProtoReader(bytes: bytes, range: 0..<bytes.count, message: "ModelProto")
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                irVersion = try reader.int64(w, field: "ir_version")
            case 2:
                producerName = try reader.string(w, field: "producer_name")
            case 3:
                producerVersion = try reader.string(w, field: "producer_version")
            case 4:
                domain = try reader.string(w, field: "domain")
            case 5:
                modelVersion = try reader.int64(w, field: "model_version")
            case 6:
                docString = try reader.string(w, field: "doc_string")
            case 7:
                graph = try reader.message(w, field: "graph", as: GraphProto.self)
            case 8:
                opsetImport.append(try reader.message(w, field: "opset_import", as: OperatorSetIdProto.self))
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    /// The model in the protocol buffer wire format.
    public func serialized() -> [UInt8] {
        var w = ProtoWriter()
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        if let irVersion { w.writeInt(1, irVersion) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let producerName { w.writeString(2, producerName) }
        w.flushUnknown(unknown, below: 3, cursor: &cursor)
        if let producerVersion { w.writeString(3, producerVersion) }
        w.flushUnknown(unknown, below: 4, cursor: &cursor)
        if let domain { w.writeString(4, domain) }
        w.flushUnknown(unknown, below: 5, cursor: &cursor)
        if let modelVersion { w.writeInt(5, modelVersion) }
        w.flushUnknown(unknown, below: 6, cursor: &cursor)
        if let docString { w.writeString(6, docString) }
        w.flushUnknown(unknown, below: 7, cursor: &cursor)
        if let graph { w.writeMessage(7) { graph.encode(to: &$0) } }
        w.flushUnknown(unknown, below: 8, cursor: &cursor)
        for o in opsetImport { w.writeMessage(8) { o.encode(to: &$0) } }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
        return w.bytes
    }
}
