/// ONNX `OperatorSetIdProto`: a domain and its operator set version.
public struct OperatorSetIdProto: Hashable, Sendable, ProtoDecodable {
    /// The domain (`""` for the default ONNX domain).
    public var domain: String?
    /// The operator set version.
    public var version: Int64?
    /// Fields not modelled here, preserved verbatim.
    public var unknownFields = UnknownFields()

    /// An operator set id.
    public init(domain: String? = nil, version: Int64? = nil) {
        self.domain = domain
        self.version = version
    }

    init(reader: inout ProtoReader) throws {
        while true {
            let start = reader.position
            guard let (n, w) = try reader.readTag() else { break }
            switch n {
            case 1:
                domain = try reader.string(w, field: "domain")
            case 2:
                version = try reader.int64(w, field: "version")
            default:
                try unknownFields.keep(&reader, tagStart: start, number: n, wire: w)
            }
        }
    }

    func encode(to w: inout ProtoWriter) {
        let unknown = unknownFields.sorted
        var cursor = 0
        w.flushUnknown(unknown, below: 1, cursor: &cursor)
        if let domain { w.writeString(1, domain) }
        w.flushUnknown(unknown, below: 2, cursor: &cursor)
        if let version { w.writeInt(2, version) }
        w.flushUnknown(unknown, below: Int.max, cursor: &cursor)
    }
}
