/// What is known about a value while a graph is specialised to a concrete input shape: its shape,
/// whether it holds floats, and its contents when it is a constant (folded at plan time).
struct ValueFacts: Sendable {
    /// The logical (ONNX, NCHW) shape.
    var shape: [Int]
    /// Whether the elements are floats (otherwise int64).
    var isFloat: Bool
    /// The value, when known before running.
    var constant: Tensor?

    init(shape: [Int], isFloat: Bool, constant: Tensor? = nil) {
        self.shape = shape
        self.isFloat = isFloat
        self.constant = constant
    }

    init(constant: Tensor) {
        self.init(shape: constant.shape, isFloat: constant.isFloat, constant: constant)
    }
}
