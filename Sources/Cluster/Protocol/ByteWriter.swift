/// Appends little-endian primitives to a byte array: the encoding half of the wire format.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ more: [UInt8]) { bytes.append(contentsOf: more) }

    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }

    /// A count as u32; callers guarantee it fits (checked against the message limit later).
    mutating func count(_ n: Int) {
        precondition(n >= 0 && n <= Int(UInt32.max), "a count must fit in 32 bits")
        u32(UInt32(n))
    }

    /// UTF-8 bytes prefixed by their u32 length.
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        count(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func u64Array(_ a: [UInt64]) {
        count(a.count)
        bytes.reserveCapacity(bytes.count + 8 * a.count)
        for v in a { u64(v) }
    }

    mutating func f64Array(_ a: [Double]) {
        count(a.count)
        bytes.reserveCapacity(bytes.count + 8 * a.count)
        for v in a { f64(v) }
    }
}
