/// A dense tensor in row-major (C) order: float32 activations and weights, or int64 shape data.
public struct Tensor: Hashable, Sendable {
    /// The elements.
    public enum Storage: Hashable, Sendable {
        /// 32-bit floats.
        case float32([Float])
        /// 64-bit integers (shapes, indices, axes).
        case int64([Int64])
    }

    /// The dimensions; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, `shape.reduce(1, *)` of them.
    public let storage: Storage

    /// A float tensor. `values.count` must equal the product of `shape`.
    public init(shape: [Int], floats values: [Float]) {
        precondition(values.count == Tensor.count(of: shape), "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.storage = .float32(values)
    }

    /// An int64 tensor. `values.count` must equal the product of `shape`.
    public init(shape: [Int], int64s values: [Int64]) {
        precondition(values.count == Tensor.count(of: shape), "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.storage = .int64(values)
    }

    /// A float tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, floats: Array(repeating: value, count: Tensor.count(of: shape)))
    }

    /// The number of elements of a tensor of `shape`.
    public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The number of elements.
    public var count: Int { Tensor.count(of: shape) }

    /// The float elements, or nil for an int64 tensor.
    public var floats: [Float]? {
        if case .float32(let v) = storage { return v }
        return nil
    }

    /// The int64 elements, or nil for a float tensor.
    public var int64s: [Int64]? {
        if case .int64(let v) = storage { return v }
        return nil
    }

    /// Whether the elements are float32.
    public var isFloat: Bool { floats != nil }

    /// The elements as floats (int64 converted).
    public var asFloats: [Float] {
        switch storage {
        case .float32(let v): return v
        case .int64(let v): return v.map { Float($0) }
        }
    }

    /// The elements as int64 (floats truncated toward zero).
    public var asInt64s: [Int64] {
        switch storage {
        case .float32(let v): return v.map { Int64($0) }
        case .int64(let v): return v
        }
    }

    /// The same elements with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.count(of: newShape) == count, "cannot reshape \(shape) to \(newShape)")
        switch storage {
        case .float32(let v): return Tensor(shape: newShape, floats: v)
        case .int64(let v): return Tensor(shape: newShape, int64s: v)
        }
    }

    /// Images `range` along the first axis.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(!shape.isEmpty && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice out of range")
        let inner = shape.dropFirst().reduce(1, *)
        var s = shape
        s[0] = range.count
        switch storage {
        case .float32(let v): return Tensor(shape: s, floats: Array(v[range.lowerBound * inner..<range.upperBound * inner]))
        case .int64(let v): return Tensor(shape: s, int64s: Array(v[range.lowerBound * inner..<range.upperBound * inner]))
        }
    }

    /// The largest absolute difference to `other` (infinity when shapes or types differ).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        let a = asFloats, b = other.asFloats
        var m: Float = 0
        for i in a.indices {
            let d = abs(a[i] - b[i])
            if d.isNaN { return .infinity }
            m = max(m, d)
        }
        return m
    }
}
