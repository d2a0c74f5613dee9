/// A float buffer that parallel workers fill in disjoint ranges (contents start unspecified).
///
/// `@unchecked Sendable`: every worker writes only the ranges of the micro-batches it took from
/// the session's counter, and the buffer is read only after all workers have finished.
final class SharedOutput: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
    }

    /// The contents as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    deinit { base.deallocate() }
}
