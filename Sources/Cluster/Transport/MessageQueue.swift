import Synchronization

/// Wakes whoever resolves a ``MessageQueue``'s timed-out receivers: an I/O thread that polls
/// anyway (ZeroMQ), or a timer thread (the in-process transport).
package protocol QueueWaker: Sendable {
    /// Asks for `expire` (the queue's ``MessageQueue/expireWaiters(now:)``) to be called at
    /// `deadline` or soon after; `queue` identifies the queue.
    func wake(at deadline: ContinuousClock.Instant, queue: ObjectIdentifier,
              expire: @escaping @Sendable (ContinuousClock.Instant) -> ContinuousClock.Instant?)
}

/// A bounded first-in first-out queue from producers that never block (``push(_:)`` fails when the
/// queue is full) to Swift concurrency receivers that suspend in ``pop(timeout:)`` until an element
/// arrives, the timeout passes, the queue is finished, or their task is cancelled: the queue
/// between a transport's I/O and its callers.
///
/// Timeouts cost no task and no timer per receive. A waiting receiver records its deadline here;
/// the ``QueueWaker`` (which the owner of the queue provides) calls ``expireWaiters(now:)`` by
/// then. The queue asks the waker only when a deadline is earlier than the one it was already
/// promised, so a receiver that waits again and again with the same timeout wakes nobody but
/// itself: one wake-up per arriving element or expiring deadline.
///
/// When a pop makes room in a full queue, `onRoom` runs, so that a producer that stopped reading
/// (an I/O thread whose inbox was full) can resume.
package final class MessageQueue<Element: Sendable>: Sendable {
    /// What ``push(_:)`` did.
    package enum PushOutcome: Sendable, Equatable { case queued, full, closed }

    private struct Waiter {
        var id: UInt64
        var deadline: ContinuousClock.Instant
        var timeout: Duration
        var continuation: CheckedContinuation<Element?, any Error>
    }

    private struct State {
        var buffer: [Element?]
        var head = 0
        var count = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var finished = false
        var failure: (any Error)?
        /// The time by which the waker promised to call ``expireWaiters(now:)``.
        var promised: ContinuousClock.Instant?

        mutating func take(capacity: Int) -> (Element?, wasFull: Bool) {
            let wasFull = count == capacity
            let e = buffer[head]
            buffer[head] = nil
            head = (head + 1) % capacity
            count -= 1
            return (e, wasFull)
        }
    }

    private enum Fast {
        case value(Element?, wasFull: Bool)
        case fail(any Error)
        case wait(UInt64)
    }

    /// The most elements held at once (the high-water mark).
    package let capacity: Int
    private let state: Mutex<State>
    private let onRoom: @Sendable () -> Void
    private let waker: any QueueWaker

    /// An empty queue of at most `capacity` elements whose timeouts `waker` serves.
    package init(capacity: Int, waker: any QueueWaker, onRoom: @escaping @Sendable () -> Void = {}) {
        precondition(capacity > 0, "a queue holds at least one element")
        self.capacity = capacity
        self.waker = waker
        self.onRoom = onRoom
        state = Mutex(State(buffer: Array(repeating: nil, count: capacity)))
    }

    /// Whether a push would succeed now.
    package var hasRoom: Bool { state.withLock { !$0.finished && ($0.count < capacity || !$0.waiters.isEmpty) } }

    /// The number of elements waiting.
    package var count: Int { state.withLock { $0.count } }

    /// Whether ``finish(throwing:discardingBuffered:)`` was called.
    package var isFinished: Bool { state.withLock { $0.finished } }

    /// Hands `element` to the longest-waiting receiver, or queues it.
    @discardableResult
    package func push(_ element: Element) -> PushOutcome {
        let (outcome, waiter): (PushOutcome, Waiter?) = state.withLock { s in
            if s.finished { return (.closed, nil) }
            if !s.waiters.isEmpty { return (.queued, s.waiters.removeFirst()) }
            guard s.count < capacity else { return (.full, nil) }
            s.buffer[(s.head + s.count) % capacity] = element
            s.count += 1
            return (.queued, nil)
        }
        waiter?.continuation.resume(returning: element)
        return outcome
    }

    /// Takes every buffered element at once, without waiting (for an owner that stops using the
    /// queue's receive, such as a pump that starts serving on its own thread).
    package func takeAll() -> [Element] {
        let (taken, wasFull) = state.withLock { s -> ([Element], Bool) in
            let wasFull = s.count == capacity
            var taken: [Element] = []
            taken.reserveCapacity(s.count)
            while s.count > 0, let e = s.take(capacity: capacity).0 { taken.append(e) }
            return (taken, wasFull && !taken.isEmpty)
        }
        if wasFull { onRoom() }
        return taken
    }

    /// Ends the queue: receivers get what is buffered (unless `discardingBuffered`), then `failure`
    /// thrown (or `nil` without one); pushes fail with ``PushOutcome/closed``. Idempotent.
    package func finish(throwing failure: (any Error)? = nil, discardingBuffered: Bool = false) {
        let waiters: [Waiter] = state.withLock { s in
            guard !s.finished else { return [] }
            s.finished = true
            s.failure = failure
            if discardingBuffered {
                s.buffer = Array(repeating: nil, count: capacity)
                s.head = 0
                s.count = 0
            }
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters {
            if let failure { w.continuation.resume(throwing: failure) } else { w.continuation.resume(returning: nil) }
        }
    }

    /// The next element, suspending until one arrives or `timeout` passes (then `nil`). Once the
    /// queue is finished and drained, returns `nil` or throws the finishing error; throws
    /// `CancellationError` when the task is cancelled.
    package func pop(timeout: Duration) async throws -> Element? {
        let fast = state.withLock { s -> Fast in
            if s.count > 0 {
                let (e, wasFull) = s.take(capacity: capacity)
                return .value(e, wasFull: wasFull)
            }
            if s.finished { return s.failure.map { .fail($0) } ?? .value(nil, wasFull: false) }
            s.nextWaiter += 1
            return .wait(s.nextWaiter)
        }
        let id: UInt64
        switch fast {
        case .value(let e, let wasFull):
            if wasFull { onRoom() }
            return e
        case .fail(let error): throw error
        case .wait(let w): id = w
        }
        try Task.checkCancellation()
        if timeout <= .zero { return nil }
        let deadline = ContinuousClock.now + timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Element?, any Error>) in
                let (early, wake) = state.withLock { s -> (Fast?, Bool) in
                    if s.count > 0 {
                        let (e, wasFull) = s.take(capacity: capacity)
                        return (.value(e, wasFull: wasFull), false)
                    }
                    if s.finished { return (s.failure.map { .fail($0) } ?? .value(nil, wasFull: false), false) }
                    // Checked under the lock that the cancellation handler also takes, so a
                    // cancellation is either seen here or finds the registered waiter.
                    if Task.isCancelled { return (.fail(CancellationError()), false) }
                    s.waiters.append(Waiter(id: id, deadline: deadline, timeout: timeout, continuation: c))
                    if let promised = s.promised, promised <= deadline { return (nil, false) }
                    s.promised = deadline
                    return (nil, true)
                }
                if wake {
                    waker.wake(at: deadline, queue: ObjectIdentifier(self)) { [weak self] now in self?.expireWaiters(now: now) }
                }
                switch early {
                case nil: return
                case .value(let e, let wasFull)?:
                    if wasFull { onRoom() }
                    c.resume(returning: e)
                case .fail(let error)?: c.resume(throwing: error)
                case .wait?: preconditionFailure("not produced here")
                }
            }
        } onCancel: {
            resolve(waiter: id, with: .failure(CancellationError()))
        }
    }

    /// How early a deadline may be served: a receive that times out this much before its
    /// deadline is as good as on time, and spares a wake-up.
    package static var slack: Duration { .milliseconds(1) }

    /// Resolves receivers whose deadline passed (or is within ``slack``) with `nil` and returns the
    /// time by which the waker should call again (`nil`: no receiver waits). Called by the
    /// ``QueueWaker``.
    ///
    /// The answer anticipates that receivers come back: it keeps an earlier promise that has not
    /// come due (even when the receiver it was made for got an element meanwhile), and after a
    /// timeout it promises to call again one timeout later. A receiver that waits again and again
    /// with the same timeout, or for the same deadline, then finds its deadline already promised
    /// and wakes nobody; the cost is at most one call in vain per timeout.
    package func expireWaiters(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        // Called on every turn of a polling thread: no allocation and no key path (this class is
        // generic, so a key path would be instantiated at run time on every call) when nothing waits.
        let (expired, next) = state.withLock { s -> ([Waiter], ContinuousClock.Instant?) in
            let due = now + Self.slack
            if s.waiters.isEmpty {
                if let promised = s.promised, promised > due { return ([], promised) }
                s.promised = nil
                return ([], nil)
            }
            var expired: [Waiter] = []
            var next: ContinuousClock.Instant?
            var longest: Duration?
            var kept = 0
            for i in s.waiters.indices {
                let w = s.waiters[i]
                if w.deadline <= due {
                    expired.append(w)
                    longest = max(longest ?? w.timeout, w.timeout)
                } else {
                    next = min(next ?? w.deadline, w.deadline)
                    s.waiters[kept] = w
                    kept += 1
                }
            }
            s.waiters.removeLast(s.waiters.count - kept)
            if let promised = s.promised, promised > due { next = min(next ?? promised, promised) }
            if let again = longest { next = min(next ?? now + again, now + again) }
            s.promised = next
            return (expired, next)
        }
        for w in expired { w.continuation.resume(returning: nil) }
        return next
    }

    private func resolve(waiter id: UInt64, with result: Result<Element?, any Error>) {
        let waiter = state.withLock { s -> Waiter? in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: i)
        }
        waiter?.continuation.resume(with: result)
    }
}
