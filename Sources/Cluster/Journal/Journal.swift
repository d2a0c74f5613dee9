public import ShapleyCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One entry of a run's journal.
public enum JournalRecord: Hashable, Sendable {
    /// A result the coordinator accepted.
    case result(WorkResult)
    /// A quarantined unit the estimator went on without, and why it was quarantined.
    case abandoned(unitID: UInt64, reason: String)
}

extension JournalRecord {
    /// The first record of each unit among `records` (a unit is journaled once, but a record can
    /// be written again after a resume): its result, or why it was abandoned.
    public static func firstPerUnit(_ records: [JournalRecord]) -> (results: [UInt64: WorkResult], abandoned: [UInt64: String]) {
        var results: [UInt64: WorkResult] = [:]
        var abandoned: [UInt64: String] = [:]
        for record in records {
            switch record {
            case .result(let r) where results[r.id] == nil && abandoned[r.id] == nil: results[r.id] = r
            case .abandoned(let id, let reason) where results[id] == nil && abandoned[id] == nil: abandoned[id] = reason
            default: continue
            }
        }
        return (results, abandoned)
    }
}
extension WorkResult {
    /// Why this cannot be the result of `unit`, if it cannot (too many values, too few for a unit
    /// that is not truncated, or one that is not finite).
    public func problem(for unit: WorkUnit) -> String? {
        let n = unit.coalitions.count, m = values.count
        if m > n { return "\(m) values for \(n) coalitions" }
        if m < n && unit.truncation == nil { return "\(m) values for \(n) coalitions of a walk without truncation" }
        if let bad = values.first(where: { !$0.isFinite }) { return "a value is \(bad)" }
        return nil
    }
}

/// A crash-safe, append-only log of accepted results and abandoned units.
///
/// Layout: the 8 bytes `NSJRNL\0\1`, then records of `u32 length, u32 crc32(payload), payload`
/// (little-endian), the payload being `u8 1, u64 unit id, u32 count, f64 values` (a result) or
/// `u8 2, u64 unit id, u32 length, UTF-8 reason` (an abandoned unit).
/// ``append(_:)`` writes a batch and `fsync`s it before returning (``write(_:)`` and ``sync()``
/// split the two, for group commit), so a result the coordinator acknowledged is on disk. On
/// open, records are read back until the first one that is short or fails its checksum (a write
/// torn by a crash); the file is truncated there.
public final class Journal: Sendable {
    /// The file.
    public let path: String
    /// The records read back when the journal was opened, in file order.
    public let records: [JournalRecord]
    /// The results among ``records``, in file order.
    public var recovered: [WorkResult] {
        records.compactMap { if case .result(let r) = $0 { return r } else { return nil } }
    }
    /// Bytes of a torn tail dropped when the journal was opened (0 after a clean stop).
    public let truncatedBytes: Int

    private static let magic: [UInt8] = [0x4E, 0x53, 0x4A, 0x52, 0x4E, 0x4C, 0x00, 0x01]
    private static let maxRecordBytes = 1 << 28
    private let descriptor: Mutex<Int32>

    /// Opens (creating if needed) the journal at `path` and reads back what it holds.
    public init(path: String) throws {
        self.path = path
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.error(path, "cannot open for writing") }
        var ok = false
        defer { if !ok { Glibc.close(fd) } }
        let bytes = try Self.readAll(fd, path: path)
        if bytes.isEmpty {
            try Self.writeAll(fd, Self.magic, path: path)
            guard fsync(fd) == 0 else { throw Self.error(path, "cannot fsync") }
            Self.syncDirectory(of: path)
            records = []
            truncatedBytes = 0
        } else {
            let (parsed, end) = try Self.parse(bytes, path: path)
            records = parsed
            truncatedBytes = bytes.count - end
            if end < bytes.count {
                guard ftruncate(fd, off_t(end)) == 0, fsync(fd) == 0 else {
                    throw Self.error(path, "cannot truncate the torn tail")
                }
            }
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw Self.error(path, "cannot seek") }
        descriptor = Mutex(fd)
        ok = true
    }

    /// The records of the journal at `path`, read without opening it for writing: a torn tail is
    /// left as it is, not truncated. For tools that read a run's journal (which its coordinator
    /// may still be appending to) rather than continue it.
    public static func readRecords(path: String) throws -> [JournalRecord] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path, "cannot open for reading") }
        defer { Glibc.close(fd) }
        return try parse(try readAll(fd, path: path), path: path).0
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
        }
    }

    /// Appends `results` and makes them durable (one `fsync` for the batch).
    public func append(_ results: [WorkResult]) throws {
        try write(results.map(JournalRecord.result))
        try sync()
    }

    /// Appends `records` and makes them durable (one `fsync` for the batch).
    public func append(_ records: [JournalRecord]) throws {
        try write(records)
        try sync()
    }

    /// The bytes of `records` as they are appended to the file.
    static func encode(_ records: [JournalRecord]) -> [UInt8] {
        var w = ByteWriter(capacity: records.reduce(0) { total, r in
            if case .result(let result) = r { return total + 21 + 8 * result.values.count }
            return total + 64
        })
        for record in records {
            var payload = ByteWriter(capacity: 64)
            switch record {
            case .result(let r):
                payload.u8(1)
                payload.u64(r.id)
                payload.f64Array(r.values)
            case .abandoned(let id, let reason):
                payload.u8(2)
                payload.u64(id)
                payload.string(String(reason.prefix(1000)))  // at most 4,000 bytes: well under the string limit
            }
            w.u32(UInt32(payload.bytes.count))
            w.u32(CRC32.checksum(payload.bytes))
            w.raw(payload.bytes)
        }
        return w.bytes
    }

    /// Appends `records` without waiting for the disk; ``sync()`` makes them durable.
    public func write(_ records: [JournalRecord]) throws {
        guard !records.isEmpty else { return }
        try writeEncoded(Self.encode(records))
    }

    /// Appends bytes made by ``encode(_:)``.
    private func writeEncoded(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try descriptor.withLock { fd in
            guard fd >= 0 else { throw ClusterError.journal(path: path, reason: "is closed") }
            try Self.writeAll(fd, bytes, path: path)
        }
    }

    /// Waits until everything written is on disk (`fsync`).
    public func sync() throws {
        try descriptor.withLock { fd in
            guard fd >= 0 else { throw ClusterError.journal(path: path, reason: "is closed") }
            guard fsync(fd) == 0 else { throw Self.error(path, "cannot fsync") }
        }
    }

    /// Closes the file; later appends throw.
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// The records of a whole journal file's `bytes` (after checking its header) and where the
    /// readable part ends.
    private static func parse(_ bytes: [UInt8], path: String) throws -> ([JournalRecord], Int) {
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else {
            throw ClusterError.journal(path: path, reason: "is not a journal of this program (wrong header); give the run directory's journal.log")
        }
        var results: [JournalRecord] = []
        var offset = 8
        while bytes.count - offset >= 8 {
            var header = ByteReader(bytes, offset: offset)
            guard let length = try? Int(header.u32("length")), let crc = try? header.u32("crc") else { break }
            guard length <= maxRecordBytes, bytes.count - offset - 8 >= length else { break }
            let payload = bytes[(offset + 8)..<(offset + 8 + length)]
            guard CRC32.checksum(payload) == crc else { break }
            var r = ByteReader(Array(payload))
            let kind = try? r.u8("kind"), id = try? r.u64("unit id")
            let record: JournalRecord?
            switch (kind, id) {
            case (1?, let id?): record = (try? r.f64Array("values")).map { .result(WorkResult(id: id, values: $0)) }
            case (2?, let id?): record = (try? r.string("reason")).map { .abandoned(unitID: id, reason: $0) }
            default: record = nil
            }
            guard let record, r.remaining == 0 else {
                throw ClusterError.journal(path: path, reason: "record at byte \(offset) has a valid checksum but an unknown layout; it was written by another version")
            }
            results.append(record)
            offset += 8 + length
        }
        return (results, offset)
    }

    private static func readAll(_ fd: Int32, path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw error(path, "cannot read") }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + written, buffer.count - written)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw error(path, "cannot write") }
            written += n
        }
    }

    private static func syncDirectory(of path: String) {
        let dir = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : "."
        let fd = Glibc.open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            Glibc.close(fd)
        }
    }

    private static func error(_ path: String, _ what: String) -> ClusterError {
        ClusterError.journal(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
