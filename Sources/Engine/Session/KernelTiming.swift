/// The time one kind of kernel took in a profiled run.
public struct KernelTiming: Sendable, Hashable {
    /// The kernel's label (operator and node name).
    public let label: String
    /// CPU seconds spent, summed over micro-batches and threads.
    public let seconds: Double
}
