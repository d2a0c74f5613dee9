/// A two-column table that assigns a value to images (or to class folders): a group name for the
/// fairness metrics, a target label for the attack metric, or a class for folders that are not
/// named after their class.
///
/// One row per line, `KEY<TAB>VALUE` or `KEY,VALUE`; blank lines and lines starting with `#`
/// are ignored, and so is a first line whose key is `image`, `file`, `path`, `name` or `folder`.
/// A key is an image's path relative to the data folder (`n01440764/x.jpg`), its file name
/// (`x.jpg`), its file name without extension (`x`), or, for class mappings, a folder name.
public struct ImageTable: Sendable, Equatable {
    /// The file the table was read from (empty when built in memory).
    public let path: String
    /// The rows in file order.
    public let rows: [(key: String, value: String)]

    /// A table from rows.
    public init(rows: [(key: String, value: String)], path: String = "") {
        self.rows = rows
        self.path = path
    }

    /// Reads a table.
    /// - Throws: `DatasetError.unreadable`, or `.invalidTable` for a line without two columns or a
    ///   key given twice.
    public init(contentsOf path: String) throws(DatasetError) {
        let text = try FileAccess.text(path)
        var rows: [(String, String)] = []
        var seen: Set<String> = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmed([" ", "\r"])
            if line.isEmpty || line.hasPrefix("#") { continue }
            let separator: Character = line.contains("\t") ? "\t" : ","
            let fields = line.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.trimmed([" ", "\r", "\t", "\""]) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .invalidTable(path: path, line: number + 1, reason: "'\(line)' is not 'image<TAB>value' or 'image,value'")
            }
            if rows.isEmpty && ["image", "file", "path", "name", "folder", "filename"].contains(fields[0].lowercased()) {
                continue
            }
            guard seen.insert(fields[0]).inserted else {
                throw .invalidTable(path: path, line: number + 1, reason: "'\(fields[0])' appears twice; give each image one row")
            }
            rows.append((fields[0], fields[1]))
        }
        self.init(rows: rows, path: path)
    }

    /// The value of each image named by its relative path, nil where no row names it. An image is
    /// looked up by relative path, then file name, then file name without extension, then the
    /// name of its folder.
    public func values(for names: [String]) -> [String?] {
        var table: [String: String] = [:]
        for row in rows { table[row.key] = row.value }
        return names.map { name in
            let file = FileAccess.lastComponent(of: name)
            let ext = FileAccess.pathExtension(of: file)
            let stem = ext.isEmpty ? file : String(file.dropLast(ext.count + 1))
            let folder = name.contains("/") ? FileAccess.lastComponent(of: FileAccess.directory(of: name)) : nil
            return table[name] ?? table[file] ?? table[stem] ?? folder.flatMap { table[$0] }
        }
    }

    /// Rows are equal when keys and values are, in order.
    public static func == (a: ImageTable, b: ImageTable) -> Bool {
        a.path == b.path && a.rows.elementsEqual(b.rows) { $0.key == $1.key && $0.value == $1.value }
    }
}
