/// The read-only constants an execution plan's kernels read (weights of elementwise ops, constant
/// operands), packed into one allocation.
///
/// `@unchecked Sendable`: the memory is written only while the plan is being built (before the
/// store is shared) and is read-only afterwards; it is freed in `deinit`.
final class ConstantStore: @unchecked Sendable {
    /// The packed constants.
    let base: UnsafeMutablePointer<Float>
    /// The number of floats.
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        base = .allocate(capacity: max(count, 1))
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { base.update(from: s, count: count) }
        }
    }

    deinit { base.deallocate() }
}
