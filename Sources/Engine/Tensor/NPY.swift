import Foundation

/// Reads and writes NumPy `.npy` files (format versions 1.0-3.0) of float32 or int64 in C order.
///
/// `float64` and `int32` files are also read (converted to float32 and int64). Fortran order,
/// big-endian data, object arrays and other element types are rejected with `EngineError.invalidNPY`.
public enum NPY {
    /// Reads the `.npy` file at `path`.
    public static func read(path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.cannotRead(path: path, reason: "no such file or not readable")
        }
        return try decode([UInt8](data), source: path)
    }

    /// Decodes the bytes of a `.npy` file; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String = "(bytes)") throws -> Tensor {
        func fail(_ reason: String) -> EngineError { .invalidNPY(source: source, reason: reason) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing the \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("format version \(major) is not supported")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
        let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        guard let descr = value(of: "descr", in: header) else { throw fail("header has no 'descr'") }
        let order = value(of: "fortran_order", in: header) ?? "False"
        guard order == "False" else { throw fail("Fortran order is not supported") }
        guard let shapeText = value(of: "shape", in: header) else { throw fail("header has no 'shape'") }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { part -> Int in
                guard let v = Int(part), v >= 0 else { throw fail("bad dimension '\(part)' in shape \(shapeText)") }
                return v
            }
        let d = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard d.first != ">" else { throw fail("big-endian data ('\(d)') is not supported") }
        let kind = d.drop { $0 == "<" || $0 == "|" || $0 == "=" }
        let n = Tensor.count(of: shape)
        let body = headerStart + headerLength
        func elements<T>(_: T.Type) throws -> [T] {
            let size = MemoryLayout<T>.size
            guard bytes.count - body >= n * size else {
                throw fail("\(bytes.count - body) data bytes for \(n) elements of \(size) bytes")
            }
            return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                bytes.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: src[body..<body + n * size]))
                }
                initialized = n
            }
        }
        switch kind {
        case "f4": return Tensor(shape: shape, floats: try elements(Float.self))
        case "f8": return Tensor(shape: shape, floats: try elements(Double.self).map { Float($0) })
        case "i8": return Tensor(shape: shape, int64s: try elements(Int64.self))
        case "i4": return Tensor(shape: shape, int64s: try elements(Int32.self).map { Int64($0) })
        default: throw fail("element type '\(d)' is not supported")
        }
    }

    /// The `.npy` (version 1.0) encoding of `tensor`.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let descr: String
        let payload: [UInt8]
        switch tensor.storage {
        case .float32(let v):
            descr = "<f4"
            payload = v.withUnsafeBytes { Array($0) }
        case .int64(let v):
            descr = "<i8"
            payload = v.withUnsafeBytes { Array($0) }
        }
        let dims = tensor.shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
        let length = header.utf8.count
        out += [UInt8(length & 0xff), UInt8(length >> 8)]
        out += Array(header.utf8)
        out += payload
        return out
    }

    /// Writes `tensor` to `path` as a `.npy` file.
    public static func write(_ tensor: Tensor, to path: String) throws {
        do {
            try Data(encode(tensor)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw EngineError.cannotRead(path: path, reason: "cannot write: \(error)")
        }
    }

    /// The text of `key`'s value in a Python dict literal header.
    private static func value(of key: String, in header: String) -> String? {
        guard let k = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
              let colon = header[k.upperBound...].firstIndex(of: ":") else { return nil }
        var rest = header[header.index(after: colon)...].drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }
}
