import Foundation

/// The embedded demo: a small digits CNN (4 conv layers, 232 filters) with its preprocessing
/// sidecar and 450 labelled test images, compiled into the binary.
///
/// The files live in the source tree under `Sources/NeuronShapley/Resources/demo/`; a generated
/// Swift file holds them as one base64 literal (`tools/demo/embed_demo.py`), because a SwiftPM
/// resource bundle must sit beside the executable (on Linux, `Bundle.module` ends the program
/// when it is missing, e.g. for a binary copied elsewhere). On first use the files are unpacked
/// into a cache directory named after the archive's hash, which later runs reuse.
public enum DemoBundle {
    /// Where the demo's files are on disk.
    public struct Location: Sendable, Hashable {
        /// The directory holding everything.
        public let directory: String
        /// The ONNX model.
        public var model: String { directory + "/digits-cnn.onnx" }
        /// The preprocessing sidecar.
        public var sidecar: String { directory + "/digits-cnn.json" }
        /// The test images, in class folders.
        public var images: String { directory + "/images" }
    }

    /// The demo's files: unpacked on first use into `$NSHAP_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/nshap`, else `~/.cache/nshap`, else the temporary directory.
    public static func location() throws -> Location {
        let name = "demo-\(DemoArchive.sha256.prefix(16))"
        var failures: [String] = []
        for base in cacheBases() {
            let directory = (base as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: directory + "/.complete") { return Location(directory: directory) }
            do {
                try unpack(into: directory)
                return Location(directory: directory)
            } catch {
                failures.append("\(directory): \(error)")
            }
        }
        throw NeuronShapleyError.file(path: name, reason: "cannot unpack the embedded demo (\(failures.joined(separator: "; "))); set NSHAP_CACHE_DIR to a writable directory")
    }

    /// The embedded files: relative path and bytes, in archive order.
    public static func files() throws -> [(path: String, bytes: [UInt8])] {
        guard let data = Data(base64Encoded: DemoArchive.base64, options: .ignoreUnknownCharacters) else {
            throw NeuronShapleyError.file(path: "embedded demo", reason: "the archive is not valid base64; regenerate it with tools/demo/embed_demo.py")
        }
        let bytes = [UInt8](data)
        var out: [(String, [UInt8])] = []
        var i = 0
        func line() -> String? {
            guard let end = bytes[i...].firstIndex(of: 0x0A) else { return nil }
            defer { i = end + 1 }
            return String(decoding: bytes[i..<end], as: UTF8.self)
        }
        while i < bytes.count {
            guard let path = line(), let sizeText = line(), let size = Int(sizeText), size >= 0, i + size <= bytes.count,
                  !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw NeuronShapleyError.file(path: "embedded demo", reason: "the archive is damaged at byte \(i); regenerate it with tools/demo/embed_demo.py")
            }
            out.append((path, Array(bytes[i..<(i + size)])))
            i += size
        }
        guard out.count == DemoArchive.fileCount else {
            throw NeuronShapleyError.file(path: "embedded demo", reason: "the archive holds \(out.count) files, not \(DemoArchive.fileCount)")
        }
        return out
    }

    static func cacheBases() -> [String] {
        let env = ProcessInfo.processInfo.environment
        var bases: [String] = []
        if let d = env["NSHAP_CACHE_DIR"], !d.isEmpty { bases.append(d) }
        if let d = env["XDG_CACHE_HOME"], !d.isEmpty { bases.append(d + "/nshap") }
        if let home = env["HOME"], !home.isEmpty { bases.append(home + "/.cache/nshap") }
        bases.append(NSTemporaryDirectory() + "nshap-\(getuid())")
        return bases
    }

    /// Writes the files into a fresh sibling of `directory`, then renames it into place (so a
    /// concurrent or interrupted unpack never leaves a half-written demo behind).
    static func unpack(into directory: String) throws {
        let fm = FileManager.default
        let staging = directory + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: staging) }
        for (path, bytes) in try files() {
            let target = staging + "/" + path
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: target))
        }
        try Data().write(to: URL(fileURLWithPath: staging + "/.complete"))
        do {
            try fm.moveItem(atPath: staging, toPath: directory)
        } catch {
            // Another process may have unpacked it first.
            guard fm.fileExists(atPath: directory + "/.complete") else { throw error }
        }
    }
}
