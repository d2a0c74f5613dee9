extension Tensor {
    /// Converts an ONNX tensor proto (float, double, int32 or int64; raw or typed data).
    public init(proto: TensorProto) throws {
        let name = proto.name ?? "(unnamed)"
        guard !proto.hasExternalData else {
            throw EngineError.invalidTensor(name: name, reason: "data in an external file is not supported; save the model with its weights embedded")
        }
        let shape = try proto.dims.map { d -> Int in
            guard d >= 0 else { throw EngineError.invalidTensor(name: name, reason: "negative dimension \(d)") }
            return Int(d)
        }
        let n = Tensor.count(of: shape)
        let type = proto.dataType ?? 0
        func raw<T>(_: T.Type, _ bytes: [UInt8]) throws -> [T] {
            guard bytes.count == n * MemoryLayout<T>.size else {
                throw EngineError.invalidTensor(name: name, reason: "raw_data has \(bytes.count) bytes for \(n) elements of shape \(shape)")
            }
            return bytes.withUnsafeBytes { buf in
                (0..<n).map { buf.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
            }
        }
        func check(_ c: Int) throws {
            guard c == n else {
                throw EngineError.invalidTensor(name: name, reason: "\(c) elements for shape \(shape)")
            }
        }
        switch type {
        case TensorProto.DataType.float:
            if let r = proto.rawData {
                guard r.count == n * 4 else { _ = try raw(Float.self, r); break }
                // ONNX stores little-endian data; every platform this engine targets is little-endian.
                let values = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
                    r.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
                    initialized = n
                }
                self.init(shape: shape, floats: values)
            } else {
                try check(proto.floatData.count)
                self.init(shape: shape, floats: proto.floatData)
            }
            return
        case TensorProto.DataType.double:
            let values = try proto.rawData.map { try raw(UInt64.self, $0).map { Double(bitPattern: UInt64(littleEndian: $0)) } } ?? proto.doubleData
            try check(values.count)
            self.init(shape: shape, floats: values.map { Float($0) })
            return
        case TensorProto.DataType.int64:
            let values = try proto.rawData.map { try raw(Int64.self, $0).map { Int64(littleEndian: $0) } } ?? proto.int64Data
            try check(values.count)
            self.init(shape: shape, int64s: values)
            return
        case TensorProto.DataType.int32:
            let values = try proto.rawData.map { try raw(Int32.self, $0).map { Int64(Int32(littleEndian: $0)) } } ?? proto.int32Data.map { Int64($0) }
            try check(values.count)
            self.init(shape: shape, int64s: values)
            return
        default:
            break
        }
        throw EngineError.invalidTensor(name: name, reason: "element type \(type) is not supported; use float32, float64, int32 or int64")
    }

    /// An ONNX tensor proto holding this tensor in `raw_data` (float32 or int64, little-endian).
    public func proto(name: String?) -> TensorProto {
        var p = TensorProto()
        p.name = name
        p.dims = shape.map { Int64($0) }
        switch storage {
        case .float32(let v):
            p.dataType = TensorProto.DataType.float
            p.rawData = v.withUnsafeBytes { Array($0) }
        case .int64(let v):
            p.dataType = TensorProto.DataType.int64
            p.rawData = v.withUnsafeBytes { Array($0) }
        }
        return p
    }
}
