/// The CURVE public keys allowed to connect, each with a label for logs.
///
/// The file format is one key per line, `Z85 [label]`, with `#` comments and blank lines ignored:
/// exactly what `cat workers/*.pub` produces.
public struct AllowList: Sendable, Hashable {
    /// Labels by key.
    public private(set) var labels: [CurveKey: String]

    /// An allow-list with these keys (labelled by their short form).
    public init(_ keys: [CurveKey] = []) {
        labels = Dictionary(keys.map { ($0, $0.shortForm) }, uniquingKeysWith: { a, _ in a })
    }

    /// Parses allow-list text; `source` names it in errors (with the line number).
    public init(text: String, source: String) throws {
        labels = [:]
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1)
            let key = try CurveKey(z85: String(parts[0]), source: "\(source) line \(lineNumber)")
            let label = parts.count > 1 ? String(parts[1]).trimmingWhitespace() : key.shortForm
            labels[key] = label
        }
    }

    /// Reads an allow-list file.
    public static func load(_ path: String) throws -> AllowList {
        let list = try AllowList(text: KeyFiles.readFile(path), source: path)
        return list
    }

    /// Adds `key` with `label`.
    public mutating func insert(_ key: CurveKey, label: String? = nil) {
        labels[key] = label ?? key.shortForm
    }

    /// The label of the key with these bytes, or `nil` when it is not allowed.
    public func label(for keyBytes: [UInt8]) -> String? {
        guard let key = try? CurveKey(bytes: keyBytes) else { return nil }
        return labels[key]
    }

    /// The number of keys.
    public var count: Int { labels.count }
}
