import Synchronization

/// A bounded first-in first-out queue with an async, timed, cancellable receive: the in-process
/// stand-in for a socket's queue. Any number of producers; receivers are served in arrival order.
final class Mailbox<Element: Sendable>: Sendable {
    enum PushOutcome { case queued, full, closed }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Element?, any Error>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var buffer: [Element?] = []
        var head = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var closed = false

        var count: Int { buffer.count - head }

        mutating func popFirst() -> Element? {
            guard head < buffer.count else { return nil }
            let e = buffer[head]
            buffer[head] = nil
            head += 1
            if head > 64 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return e
        }
    }

    private enum Fast { case element(Element), closed, wait(UInt64) }

    private let state = Mutex(State())
    /// The most elements queued at once (the high-water mark).
    let capacity: Int
    /// What to call the mailbox in errors.
    let name: String

    init(capacity: Int, name: String) {
        precondition(capacity > 0, "a mailbox holds at least one element")
        self.capacity = capacity
        self.name = name
    }

    /// Hands `element` to a waiting receiver or queues it.
    func push(_ element: Element) -> PushOutcome {
        let (outcome, waiter): (PushOutcome, Waiter?) = state.withLock { s in
            if s.closed { return (.closed, nil) }
            if !s.waiters.isEmpty { return (.queued, s.waiters.removeFirst()) }
            guard s.count < capacity else { return (.full, nil) }
            s.buffer.append(element)
            return (.queued, nil)
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: element)
        }
        return outcome
    }

    /// The next element, or `nil` after `timeout`. Throws ``ClusterError/transportClosed(_:)`` once
    /// closed and empty, `CancellationError` when the task is cancelled.
    func pop(timeout: Duration) async throws -> Element? {
        let fast: Fast = state.withLock { s in
            if let e = s.popFirst() { return .element(e) }
            if s.closed { return .closed }
            s.nextWaiter += 1
            return .wait(s.nextWaiter)
        }
        let id: UInt64
        switch fast {
        case .element(let e): return e
        case .closed: throw ClusterError.transportClosed(name)
        case .wait(let w): id = w
        }
        if timeout <= .zero { return nil }
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Element?, any Error>) in
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.finish(waiter: id, with: .success(nil)) }
                }
                let early: Result<Element?, any Error>? = state.withLock { s in
                    if let e = s.popFirst() { return .success(e) }
                    if s.closed { return .failure(ClusterError.transportClosed(name)) }
                    // Checked under the lock that the cancellation handler also takes, so a
                    // cancellation is either seen here or finds the registered waiter.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters.append(Waiter(id: id, continuation: c, timer: timer))
                    return nil
                }
                if let early {
                    timer.cancel()
                    c.resume(with: early)
                }
            }
        } onCancel: {
            finish(waiter: id, with: .failure(CancellationError()))
        }
    }

    private func finish(waiter id: UInt64, with result: Result<Element?, any Error>) {
        let waiter: Waiter? = state.withLock { s in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: i)
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(with: result)
    }

    /// Refuses further elements, drops queued ones, and wakes every receiver with an error.
    func close() {
        let waiters: [Waiter] = state.withLock { s in
            s.closed = true
            s.buffer = []
            s.head = 0
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters {
            w.timer?.cancel()
            w.continuation.resume(throwing: ClusterError.transportClosed(name))
        }
    }

    var isClosed: Bool { state.withLock { $0.closed } }
}
