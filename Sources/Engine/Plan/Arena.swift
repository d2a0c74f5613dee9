/// A growable block of floats owned by one thread at a time (a plan's arena or scratch space).
///
/// `@unchecked Sendable`: an arena is checked out of a `Mutex`-protected pool by one worker,
/// used by that worker alone, and returned; it is never used by two threads at once.
final class Arena: @unchecked Sendable {
    /// The memory.
    private(set) var base: UnsafeMutablePointer<Float>
    /// The capacity in floats.
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// Makes room for at least `floats` floats (contents are not preserved).
    func reserve(_ floats: Int) {
        guard floats > capacity else { return }
        base.deallocate()
        capacity = floats
        base = .allocate(capacity: floats)
    }

    deinit { base.deallocate() }
}
