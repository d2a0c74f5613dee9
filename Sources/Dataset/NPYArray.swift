import Foundation

/// An array read from or written to NumPy's `.npy` format (versions 1 to 3, C order,
/// little-endian), holding float32 data or integer labels.
public struct NPYArray: Sendable, Equatable {
    /// The element storage.
    public enum Storage: Sendable, Equatable {
        /// `<f4` data.
        case float32([Float])
        /// Integer data (`<i8`, `<i4`, `<i2`, `|i1`, `|u1`, `<u2`, `<u4`), widened.
        case integers([Int])
    }

    /// The array's shape; empty for a scalar.
    public var shape: [Int]
    /// The elements in C order.
    public var storage: Storage

    /// An array of floats with the given shape.
    public init(floats: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == floats.count, "shape must match the element count")
        self.shape = shape
        self.storage = .float32(floats)
    }

    /// An array of integers with the given shape (written as `<i8`).
    public init(integers: [Int], shape: [Int]) {
        precondition(shape.reduce(1, *) == integers.count, "shape must match the element count")
        self.shape = shape
        self.storage = .integers(integers)
    }

    /// The elements as floats (integers converted).
    public var floats: [Float] {
        switch storage {
        case .float32(let v): return v
        case .integers(let v): return v.map { Float($0) }
        }
    }

    /// The elements as integers, or nil when they are floats.
    public var integers: [Int]? {
        if case .integers(let v) = storage { return v }
        return nil
    }

    /// Reads an `.npy` file.
    /// - Throws: `DatasetError.unreadable` or `.invalidNPY`.
    public init(contentsOf path: String) throws(DatasetError) {
        try self.init(bytes: try FileAccess.read(path), path: path)
    }

    /// Parses `.npy` bytes; `path` is only used in messages.
    public init(bytes: [UInt8], path: String) throws(DatasetError) {
        func fail(_ reason: String) -> DatasetError { .invalidNPY(path: path, reason: reason) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing the \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int, start: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else if major == 2 || major == 3, bytes.count >= 12 {
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            start = 12
        } else {
            throw fail("format version \(major) is not 1, 2 or 3")
        }
        guard bytes.count >= start + headerLength else { throw fail("the header is cut short") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header) else { throw fail("the header has no 'descr'") }
        if let order = Self.field("fortran_order", in: header), order.hasPrefix("True") {
            throw fail("Fortran order is not supported; save a C-ordered array (numpy.ascontiguousarray)")
        }
        guard let shapeText = Self.field("shape", in: header) else { throw fail("the header has no 'shape'") }
        let shape = shapeText.split(whereSeparator: { "(), ".contains($0) }).compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let type = descr.trimmed(["'", "\"", " "])
        let widths: [String: Int] = ["<f4": 4, "<i8": 8, "<i4": 4, "<i2": 2, "|i1": 1, "|u1": 1, "<u2": 2, "<u4": 4]
        guard let width = widths[type] else {
            throw fail("element type \(type) is not supported; use float32 for images and int64 for labels")
        }
        let body = start + headerLength
        guard bytes.count - body >= count * width else {
            throw fail("holds \(bytes.count - body) data bytes but shape \(shape) of \(type) needs \(count * width)")
        }
        self.shape = shape
        if type == "<f4" {
            var floats = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let o = body + 4 * i
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                floats[i] = Float(bitPattern: bits)
            }
            storage = .float32(floats)
        } else {
            let signed = type.contains("i")
            var values = [Int](repeating: 0, count: count)
            for i in 0..<count {
                let o = body + width * i
                var raw: UInt64 = 0
                for b in 0..<width { raw |= UInt64(bytes[o + b]) << (8 * UInt64(b)) }
                if signed && width < 8 && raw & (1 << (8 * UInt64(width) - 1)) != 0 {
                    raw |= ~UInt64(0) << (8 * UInt64(width))
                }
                values[i] = Int(Int64(bitPattern: raw))
            }
            storage = .integers(values)
        }
    }

    /// The array in `.npy` version 1 format (`<f4` or `<i8`).
    public var npyBytes: [UInt8] {
        let descr: String
        switch storage {
        case .float32: descr = "<f4"
        case .integers: descr = "<i8"
        }
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
        let length = header.utf8.count
        out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        switch storage {
        case .float32(let values):
            out.reserveCapacity(out.count + 4 * values.count)
            for v in values {
                let bits = v.bitPattern
                out += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
            }
        case .integers(let values):
            out.reserveCapacity(out.count + 8 * values.count)
            for v in values {
                let bits = UInt64(bitPattern: Int64(v))
                for b in 0..<8 { out.append(UInt8((bits >> (8 * UInt64(b))) & 0xFF)) }
            }
        }
        return out
    }

    /// The text after `'key':` in a header dictionary, up to the next top-level comma.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for ch in header[range.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," || ch == "}") && depth == 0 { break }
            value.append(ch)
        }
        return value.trimmed([" "])
    }
}
