/// Where a value lives while a plan runs: an offset in the per-thread arena or in the plan's
/// read-only constant store, in floats.
struct Loc: Sendable, Hashable {
    /// Whether the value is a plan constant.
    let isConstant: Bool
    /// The offset in floats.
    let offset: Int
}

/// One step of an execution plan: a kernel with its buffers resolved.
protocol Kernel: Sendable {
    /// Computes the step's outputs from its inputs.
    func run(_ context: RunContext) throws
}
