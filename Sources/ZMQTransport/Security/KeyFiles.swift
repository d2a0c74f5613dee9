#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CURVE key files as `nshap keys generate` writes them.
///
/// - `NAME.key`: the secret key as one line of Z85 text (mode 0600; loading refuses a file that
///   others may read or anyone but its owner may write).
/// - `NAME.pub`: the public key as one line `Z85 NAME`, so that `cat *.pub > allow.txt` makes an
///   allow-list.
///
/// Lines starting with `#` and blank lines are ignored when reading.
public enum KeyFiles {
    /// The secret-key file name for `name`.
    public static func secretFileName(_ name: String) -> String { "\(name).key" }
    /// The public-key file name for `name`.
    public static func publicFileName(_ name: String) -> String { "\(name).pub" }

    /// Writes `pair` as `NAME.key` (mode 0600) and `NAME.pub` in `directory`, creating the
    /// directory (mode 0700) when missing. Refuses to overwrite existing files unless `overwrite`.
    /// Returns the paths written (public, secret).
    @discardableResult
    public static func write(_ pair: CurveKeyPair, name: String, directory: String,
                             overwrite: Bool = false) throws -> (publicPath: String, secretPath: String) {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ZMQError.file(path: name, reason: "a key name is a plain file name without '/' that does not start with '.'")
        }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw ZMQError.file(path: directory, reason: "cannot create the directory: \(String(cString: strerror(errno)))")
        }
        let secretPath = directory + "/" + secretFileName(name)
        let publicPath = directory + "/" + publicFileName(name)
        try writeFile(secretPath, "# CURVE secret key (Z85) of '\(name)': keep it private\n\(pair.secretZ85)\n",
                      mode: 0o600, overwrite: overwrite)
        try writeFile(publicPath, "\(pair.publicKey.z85) \(name)\n", mode: 0o644, overwrite: overwrite)
        return (publicPath, secretPath)
    }

    /// Appends `line` to the text file at `path` (created with mode 0644 when missing).
    public static func append(line: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ZMQError.file(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count, fsync(fd) == 0 else {
            throw ZMQError.file(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Loads a key pair: `path` is a secret-key file, or a directory holding `NAME.key`.
    public static func loadPair(_ path: String, defaultName: String) throws -> CurveKeyPair {
        let file = isDirectory(path) ? path + "/" + secretFileName(defaultName) : path
        var info = stat()
        guard stat(file, &info) == 0 else {
            throw ZMQError.file(path: file, reason: "no such secret-key file (create one with 'nshap keys generate --out DIR --name \(defaultName)')")
        }
        // Others may not read it and nobody else may write it; the group may read it, as
        // Kubernetes secret volumes with an fsGroup require.
        if info.st_mode & 0o027 != 0 {
            throw ZMQError.file(path: file, reason: "the secret key may be read by others or written by someone else (mode \(String(info.st_mode & 0o777, radix: 8))); run 'chmod 600 \(file)'")
        }
        let text = try readFile(file)
        guard let line = significantLines(text).first else {
            throw ZMQError.invalidKey(source: file, reason: "the file holds no key")
        }
        return try CurveKeyPair(secretZ85: line, source: file)
    }

    /// Loads a public key: the first key of a `.pub` file (or any file whose first significant line
    /// starts with 40 characters of Z85).
    public static func loadPublicKey(_ path: String) throws -> CurveKey {
        let text = try readFile(path)
        guard let line = significantLines(text).first else {
            throw ZMQError.invalidKey(source: path, reason: "the file holds no key")
        }
        let token = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? line
        return try CurveKey(z85: token, source: path)
    }

    /// Non-blank lines that do not start with `#`, trimmed.
    static func significantLines(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The contents of a small text file (at most 4 MiB).
    static func readFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ZMQError.file(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ZMQError.file(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > 4 << 20 { throw ZMQError.file(path: path, reason: "larger than 4 MiB; not a key file") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to `path` with `mode`, created exclusively unless `overwrite`.
    static func writeFile(_ path: String, _ text: String, mode: mode_t, overwrite: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "the file exists; pass --force to replace it" : String(cString: strerror(errno))
            throw ZMQError.file(path: path, reason: reason)
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ZMQError.file(path: path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw ZMQError.file(path: path, reason: String(cString: strerror(errno))) }
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
