/// The class names of a model's outputs, with their WordNet IDs when known.
///
/// Read from an `imagenet-classes.tsv`-style file: one class per line as `index<TAB>wnid<TAB>name`
/// with an optional header line starting with `index`. Lines of two columns are `index<TAB>name`
/// and lines of one column are names in index order. Commas may separate the columns instead of
/// tabs in `.csv` files.
public struct ClassLabels: Sendable, Equatable {
    /// The name of class `i` at index `i`.
    public let names: [String]
    /// The WordNet ID of class `i`, when the file gives one.
    public let wnids: [String?]

    /// Labels from names in index order, with optional WordNet IDs of the same length.
    public init(names: [String], wnids: [String?]? = nil) {
        precondition(wnids == nil || wnids?.count == names.count, "one WordNet ID per class")
        self.names = names
        self.wnids = wnids ?? Array(repeating: nil, count: names.count)
    }

    /// The number of classes.
    public var count: Int { names.count }

    /// Reads a label file.
    /// - Throws: `DatasetError.unreadable` or `.invalidTable` for a bad line, a repeated or
    ///   missing index.
    public init(contentsOf path: String) throws(DatasetError) {
        let text = try FileAccess.text(path)
        let separator: Character = FileAccess.pathExtension(of: path) == "csv" ? "," : "\t"
        var byIndex: [Int: (wnid: String?, name: String)] = [:]
        var next = 0
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmed([" ", "\r", "\t"])
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = raw.split(separator: separator, omittingEmptySubsequences: false)
                .map { String($0).trimmed([" ", "\r"]) }
            if number == 0 && fields.first?.lowercased() == "index" { continue }
            let index: Int, wnid: String?, name: String
            switch fields.count {
            case 1:
                (index, wnid, name) = (next, nil, fields[0])
            case 2:
                guard let i = Int(fields[0]) else {
                    throw .invalidTable(path: path, line: number + 1, reason: "'\(fields[0])' is not a class index; write 'index<TAB>name'")
                }
                (index, wnid, name) = (i, nil, fields[1])
            default:
                guard let i = Int(fields[0]) else {
                    throw .invalidTable(path: path, line: number + 1, reason: "'\(fields[0])' is not a class index; write 'index<TAB>wnid<TAB>name'")
                }
                (index, wnid, name) = (i, fields[1].isEmpty ? nil : fields[1], fields[2...].joined(separator: String(separator)))
            }
            guard index >= 0, byIndex[index] == nil else {
                throw .invalidTable(path: path, line: number + 1, reason: "class index \(index) is negative or repeated")
            }
            byIndex[index] = (wnid, name)
            next = index + 1
        }
        guard !byIndex.isEmpty else {
            throw .invalidTable(path: path, line: 1, reason: "no class found; write one 'index<TAB>wnid<TAB>name' line per class")
        }
        let count = (byIndex.keys.max() ?? 0) + 1
        var names: [String] = [], wnids: [String?] = []
        for i in 0..<count {
            guard let entry = byIndex[i] else {
                throw .invalidTable(path: path, line: 0, reason: "class index \(i) is missing; indices must run from 0 to \(count - 1)")
            }
            names.append(entry.name)
            wnids.append(entry.wnid)
        }
        self.init(names: names, wnids: wnids)
    }

    /// The class a folder or table entry names: its WordNet ID, its class name, or its index
    /// written as a number, tried in that order.
    public func index(of key: String) -> Int? {
        if let i = wnids.firstIndex(where: { $0 == key }) { return i }
        if let i = names.firstIndex(of: key) { return i }
        if let i = Int(key), i >= 0, i < count { return i }
        return nil
    }
}
