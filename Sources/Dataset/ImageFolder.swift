/// The image files of a data set and their labels, in a fixed order, before any decoding.
///
/// `path` may be:
/// - a folder of class folders: every file below `root/CLASS/` (recursively) is an image of that
///   class. A class folder's label is, in order of preference: the row of a mapping table naming
///   the image or the folder; the class whose WordNet ID, name or index the folder name is in the
///   label file (when every folder resolves); the folder name itself when every folder name is a
///   number; otherwise the folder's position in sorted order (torchvision's `ImageFolder` rule);
/// - a folder of images without subfolders: unlabelled unless a mapping table names them;
/// - a single image file: one unlabelled image.
///
/// Hidden files and files ending in `.csv`, `.tsv`, `.txt`, `.json` or `.md` are not images and
/// are left out silently; every other file is an image candidate, and those that fail to decode
/// are counted as skipped when loading. Entries are sorted by the UTF-8 bytes of their relative
/// paths, so every machine lists the same data in the same order.
public struct ImageFolder: Sendable {
    /// One image file.
    public struct Entry: Sendable, Equatable {
        /// The path relative to the data set's root (the file name for a single file).
        public let name: String
        /// The path to open.
        public let path: String
        /// The class index, when known.
        public let label: Int?
    }

    /// The path given.
    public let root: String
    /// The files, sorted by `name`.
    public let entries: [Entry]
    /// The class folders in sorted order (empty without class folders).
    public let classFolders: [String]
    /// How the class folders were given their labels.
    public let folderRule: FolderRule

    /// The rule that turned class folder names into labels.
    public enum FolderRule: String, Sendable {
        /// No class folders (a single file or a flat folder).
        case none
        /// Every folder is a WordNet ID, class name or index of the label file.
        case labelFile = "label file"
        /// Every folder name is a number, used as the label.
        case numbers
        /// The folder's position in sorted order (torchvision's rule).
        case sortedOrder = "sorted order"
    }

    private static let metadataExtensions: Set<String> = ["csv", "tsv", "txt", "json", "md"]

    /// Lists a data set.
    /// - Parameters:
    ///   - path: a folder or an image file.
    ///   - classes: the model's class labels, to map folder names (WordNet IDs, names) to indices.
    ///   - mapping: a table from images or folder names to class indices, WordNet IDs or names.
    /// - Throws: `DatasetError.unreadable` when the path cannot be listed, `.empty` when it holds no
    ///   candidate file, `.invalidTable` when a mapping value names no class.
    public init(path: String, classes: ClassLabels? = nil, mapping: ImageTable? = nil) throws(DatasetError) {
        root = path
        let kind = FileAccess.kind(of: path)
        guard kind.exists else { throw .unreadable(path: path, reason: "no such file or folder") }
        guard kind.isDirectory else {
            let name = FileAccess.lastComponent(of: path)
            let label = try Self.label(mapping?.values(for: [name]).first ?? nil, classes: classes, table: mapping)
            entries = [Entry(name: name, path: path, label: label)]
            classFolders = []
            folderRule = .none
            return
        }
        var files: [(name: String, folder: String?)] = []
        var folders: [String] = []
        for item in try FileAccess.entries(of: path) {
            let full = FileAccess.join(path, item)
            if FileAccess.kind(of: full).isDirectory {
                folders.append(item)
                for file in try Self.walk(full, prefix: item) { files.append((file, item)) }
            } else if !Self.metadataExtensions.contains(FileAccess.pathExtension(of: item)) {
                files.append((item, nil))
            }
        }
        // Root-level files sit beside class folders as metadata: they are images only without folders.
        if !folders.isEmpty { files.removeAll { $0.folder == nil } }
        guard !files.isEmpty else { throw .empty(path: path, skipped: 0) }
        files.sort { FileAccess.utf8Less($0.name, $1.name) }
        classFolders = folders

        let (folderLabels, rule) = Self.folderLabels(folders, classes: classes)
        folderRule = folders.isEmpty ? .none : rule
        let mapped = mapping?.values(for: files.map(\.name))
        var list: [Entry] = []
        list.reserveCapacity(files.count)
        for (i, file) in files.enumerated() {
            let label: Int?
            if let value = mapped?[i] {
                label = try Self.label(value, classes: classes, table: mapping)
            } else if let folder = file.folder {
                label = folderLabels[folder]
            } else {
                label = nil
            }
            list.append(Entry(name: file.name, path: FileAccess.join(path, file.name), label: label))
        }
        entries = list
    }

    /// Whether every entry has a label.
    public var isLabeled: Bool { entries.allSatisfy { $0.label != nil } }

    private static func walk(_ folder: String, prefix: String) throws(DatasetError) -> [String] {
        var out: [String] = []
        for item in try FileAccess.entries(of: folder) {
            let full = FileAccess.join(folder, item)
            if FileAccess.kind(of: full).isDirectory {
                out += try walk(full, prefix: prefix + "/" + item)
            } else if !metadataExtensions.contains(FileAccess.pathExtension(of: item)) {
                out.append(prefix + "/" + item)
            }
        }
        return out
    }

    private static func folderLabels(_ folders: [String], classes: ClassLabels?) -> ([String: Int], FolderRule) {
        if let classes {
            let resolved = folders.map { classes.index(of: $0) }
            if resolved.allSatisfy({ $0 != nil }) {
                return (Dictionary(uniqueKeysWithValues: zip(folders, resolved.compactMap { $0 })), .labelFile)
            }
        }
        let numbers = folders.map { Int($0) }
        if numbers.allSatisfy({ ($0 ?? -1) >= 0 }) {
            return (Dictionary(uniqueKeysWithValues: zip(folders, numbers.compactMap { $0 })), .numbers)
        }
        return (Dictionary(uniqueKeysWithValues: folders.enumerated().map { ($1, $0) }), .sortedOrder)
    }

    private static func label(_ value: String?, classes: ClassLabels?, table: ImageTable?) throws(DatasetError) -> Int? {
        guard let value else { return nil }
        if let classes, let i = classes.index(of: value) { return i }
        if let i = Int(value), i >= 0 { return i }
        throw .invalidTable(path: table?.path ?? "", line: 0,
                            reason: "'\(value)' is not a class index\(classes == nil ? "" : ", WordNet ID or class name")")
    }
}
