/// Reads little-endian primitives from a byte array, checking every read against the bytes that
/// remain: the decoding half of the wire format. Every failure is a
/// ``ClusterError/malformedMessage(_:)`` naming what was being read.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard n >= 0, remaining >= n else {
            throw ClusterError.malformedMessage(
                "\(what) needs \(n) bytes at offset \(offset) but only \(remaining) remain")
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8(_ what: String) throws -> UInt8 {
        try take(1, what).first ?? 0
    }

    mutating func u16(_ what: String) throws -> UInt16 {
        let s = try take(2, what)
        return UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        let s = try take(4, what)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    mutating func u64(_ what: String) throws -> UInt64 {
        let s = try take(8, what)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func i32(_ what: String) throws -> Int32 { Int32(bitPattern: try u32(what)) }

    mutating func f64(_ what: String) throws -> Double { Double(bitPattern: try u64(what)) }

    mutating func bool(_ what: String) throws -> Bool {
        switch try u8(what) {
        case 0: return false
        case 1: return true
        case let b: throw ClusterError.malformedMessage("\(what) must be 0 or 1, got \(b)")
        }
    }

    /// A u32 count of elements of at least `elementSize` bytes each, checked against the bytes that
    /// remain before anything is allocated.
    mutating func count(_ what: String, elementSize: Int, max: Int = Int(UInt32.max)) throws -> Int {
        let n = Int(try u32("\(what) count"))
        guard n <= max else {
            throw ClusterError.malformedMessage("\(what) count \(n) exceeds the limit \(max)")
        }
        guard n * elementSize <= remaining else {
            throw ClusterError.malformedMessage(
                "\(what) count \(n) needs at least \(n * elementSize) bytes but only \(remaining) remain")
        }
        return n
    }

    /// A u32-length-prefixed UTF-8 string of at most `maxBytes` bytes.
    mutating func string(_ what: String, maxBytes: Int = 65_536) throws -> String {
        let n = try count(what, elementSize: 1, max: maxBytes)
        let s = try take(n, what)
        guard let string = String(validating: s, as: UTF8.self) else {
            throw ClusterError.malformedMessage("\(what) is not valid UTF-8")
        }
        return string
    }

    mutating func u64Array(_ what: String, max: Int = Int(UInt32.max)) throws -> [UInt64] {
        let n = try count(what, elementSize: 8, max: max)
        var out: [UInt64] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try u64(what)) }
        return out
    }

    mutating func f64Array(_ what: String) throws -> [Double] {
        let n = try count(what, elementSize: 8)
        var out: [Double] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try f64(what)) }
        return out
    }

    /// Fails unless every byte was consumed.
    func expectEnd(_ what: @autoclosure () -> String) throws {
        guard remaining == 0 else {
            throw ClusterError.malformedMessage("\(remaining) unexpected bytes after the \(what())")
        }
    }
}
