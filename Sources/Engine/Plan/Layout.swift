/// The physical order of a tensor's elements in an execution plan.
enum Layout: Sendable, Hashable {
    /// Row-major in the logical (ONNX) order of dimensions: NCHW for images.
    case plain
    /// Channels last (`[N, H, W, C]` in memory) for a logical `[N, C, H, W]` tensor.
    case nhwc

    /// Whether data of logical `shape` is laid out identically in plain and NHWC order
    /// (one channel, or one spatial position).
    static func isTrivial(_ shape: [Int]) -> Bool {
        shape.count != 4 || shape[1] == 1 || shape[2] * shape[3] == 1
    }

    /// The physical dimensions of logical `shape` in this layout.
    func physical(_ shape: [Int]) -> [Int] {
        switch self {
        case .plain: return shape
        case .nhwc:
            precondition(shape.count == 4, "NHWC needs a rank-4 shape, got \(shape)")
            return [shape[0], shape[2], shape[3], shape[1]]
        }
    }
}
