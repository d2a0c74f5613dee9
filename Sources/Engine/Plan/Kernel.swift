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

/// Where a value lives while a plan runs: an offset in the per-thread arena or in the plan's
/// read-only constant store, in floats.
struct Loc: Sendable, Hashable {
    /// Whether the value is a plan constant.
    let isConstant: Bool
    /// The offset in floats.
    let offset: Int
}

/// The masks of one micro-batch: for each item, the channel overrides of each layer it masks.
///
/// An override for a layer replaces the layer's bias epilogue `z = acc + bias[c]` by
/// `z = acc * scale[c] + shift[c]` (scale 0 and shift the removal constant for removed channels,
/// scale 1 and shift the bias for kept ones); the activation is applied afterwards.
struct MicroBatchMasks: Sendable {
    /// Per item, layer index to override; nil for an unmasked item.
    let items: [PreparedMask?]

    /// The override of `layer` for item `index`, if any.
    @inline(__always)
    func override(layer: Int, item index: Int) -> ChannelOverride? {
        guard index < items.count, let m = items[index] else { return nil }
        return m.overrides[layer]
    }

    /// Whether any item overrides `layer`.
    func touches(layer: Int) -> Bool {
        items.contains { $0?.overrides[layer] != nil }
    }
}

/// Everything a kernel needs while it runs: the arena, constants, scratch space, the micro-batch
/// size, masks, and the optional statistics accumulator of conv outputs.
struct RunContext {
    /// The per-thread arena holding the plan's runtime values.
    let arena: UnsafeMutablePointer<Float>
    /// The plan's constants.
    let constants: UnsafeMutablePointer<Float>
    /// Per-thread scratch space of at least the plan's `scratchFloats`.
    let scratch: UnsafeMutablePointer<Float>
    /// The masks of the items of this micro-batch, if any.
    let masks: MicroBatchMasks?
    /// Per-unit sums of pre-activation conv outputs (`unitCount` doubles), when collecting statistics.
    let statistics: UnsafeMutablePointer<Double>?

    /// The memory of a value.
    @inline(__always)
    subscript(_ loc: Loc) -> UnsafeMutablePointer<Float> {
        (loc.isConstant ? constants : arena) + loc.offset
    }
}

/// One step of an execution plan: a kernel with its buffers resolved.
protocol Kernel: Sendable {
    /// Computes the step's outputs from its inputs.
    func run(_ context: RunContext) throws
}
