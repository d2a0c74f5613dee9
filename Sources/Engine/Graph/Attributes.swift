/// Typed access to a node's attributes, with errors that name the node and attribute.
struct Attributes {
    let node: NodeInfo
    private let byName: [String: AttributeProto]

    init(_ proto: NodeProto, node: NodeInfo) {
        self.node = node
        var d: [String: AttributeProto] = [:]
        for a in proto.attribute { if let n = a.name { d[n] = a } }
        self.byName = d
    }

    /// Whether the attribute is present.
    func has(_ name: String) -> Bool { byName[name] != nil }

    /// An integer attribute.
    func int(_ name: String, default value: Int? = nil) throws -> Int {
        if let a = byName[name] {
            guard let i = a.i else { throw node.invalid("attribute '\(name)' is not an integer") }
            return Int(i)
        }
        guard let value else { throw node.invalid("missing attribute '\(name)'") }
        return value
    }

    /// A float attribute.
    func float(_ name: String, default value: Float? = nil) throws -> Float {
        if let a = byName[name] {
            guard let f = a.f else { throw node.invalid("attribute '\(name)' is not a float") }
            return f
        }
        guard let value else { throw node.invalid("missing attribute '\(name)'") }
        return value
    }

    /// An integer list attribute (nil when absent and no default).
    func ints(_ name: String) -> [Int]? {
        guard let a = byName[name] else { return nil }
        return a.ints.map { Int($0) }
    }

    /// A string attribute.
    func string(_ name: String, default value: String) -> String {
        guard let s = byName[name]?.s else { return value }
        return String(decoding: s, as: UTF8.self)
    }

    /// A tensor attribute.
    func tensor(_ name: String) throws -> Tensor? {
        guard let t = byName[name]?.t else { return nil }
        return try Tensor(proto: t)
    }

    /// The attribute names present, for rejecting unsupported ones.
    var names: Set<String> { Set(byName.keys) }

    /// Throws when an attribute outside `supported` is present.
    func reject(unless supported: Set<String>) throws {
        if let extra = names.subtracting(supported).sorted().first {
            throw node.invalid("attribute '\(extra)' is not supported")
        }
    }
}
