import Foundation

/// The few file-system calls the module makes, each turning failures into `DatasetError`.
enum FileAccess {
    /// The whole file as bytes.
    static func read(_ path: String) throws(DatasetError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error))
        }
    }

    /// The file as UTF-8 text.
    static func text(_ path: String) throws(DatasetError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Whether `path` exists, and whether it is a directory.
    static func kind(of path: String) -> (exists: Bool, isDirectory: Bool) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return (exists, isDirectory.boolValue)
    }

    /// The entries of a directory (names only), hidden ones (starting with ".") left out,
    /// in byte-wise order of their UTF-8 names so that every platform lists them alike.
    static func entries(of directory: String) throws(DatasetError) -> [String] {
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            return names.filter { !$0.hasPrefix(".") }.sorted(by: utf8Less)
        } catch {
            throw .unreadable(path: directory, reason: Self.reason(error))
        }
    }

    /// Byte-wise order of UTF-8 strings: stable across platforms and locales.
    static func utf8Less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `path` joined to `name` with one separator.
    static func join(_ path: String, _ name: String) -> String {
        if path.isEmpty { return name }
        return path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// The folder part of a path ("." when there is none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a path.
    static func lastComponent(of path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The lower-cased extension of a file name, without the dot ("" when none).
    static func pathExtension(of name: String) -> String {
        let last = lastComponent(of: name)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return last[last.index(after: dot)...].lowercased()
    }

    /// `path` resolved against `base` when it is relative.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        path.hasPrefix("/") ? path : join(base, path)
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return ns.localizedDescription
    }
}
