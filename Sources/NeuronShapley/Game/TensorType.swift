import Engine

/// Writes ONNX `TypeProto` bytes for float tensors, for the graph inputs and outputs of the
/// models this module derives (cuts and probes).
enum TensorType {
    /// A value info for a float tensor named `name` of shape `[N] + itemShape` (`N` symbolic);
    /// with a nil `itemShape`, a float tensor of unknown shape.
    static func valueInfo(name: String, itemShape: [Int]?) -> ValueInfoProto {
        var v = ValueInfoProto()
        v.name = name
        v.typeBytes = typeBytes(itemShape: itemShape)
        return v
    }

    /// `TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_param: "N" } dim { dim_value } ... } } }`.
    static func typeBytes(itemShape: [Int]?) -> [UInt8] {
        var tensor: [UInt8] = []
        tensor += field(1, varint: 1)  // elem_type FLOAT
        if let itemShape {
            var shape: [UInt8] = []
            shape += field(1, bytes: field(2, bytes: Array("N".utf8)))
            for d in itemShape { shape += field(1, bytes: field(1, varint: UInt64(d))) }
            tensor += field(2, bytes: shape)
        }
        return field(1, bytes: tensor)
    }

    static func field(_ number: Int, varint value: UInt64) -> [UInt8] {
        varint(UInt64(number << 3)) + varint(value)
    }

    static func field(_ number: Int, bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
}
