import Synchronization

/// The shared counter workers take micro-batch indices from, and the first failure.
final class WorkQueue: Sendable {
    private let next = Mutex(0)
    private let error = Mutex<(any Error)?>(nil)

    /// The next index below `count`, or nil when done or after a failure.
    func take(below count: Int) -> Int? {
        guard error.withLock({ $0 == nil }) else { return nil }
        return next.withLock { n in
            guard n < count else { return nil }
            defer { n += 1 }
            return n
        }
    }

    /// Records a failure (the first one wins) and stops further work.
    func fail(_ e: any Error) { error.withLock { $0 = $0 ?? e } }

    /// The first failure, if any.
    var failure: (any Error)? { error.withLock { $0 } }
}
