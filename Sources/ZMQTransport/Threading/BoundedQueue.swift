import Synchronization

/// A bounded first-in first-out queue from a producer thread (which never blocks: ``tryPush(_:)``
/// fails when full) to Swift concurrency consumers (which suspend in ``pop(timeout:)`` until an
/// element arrives, the timeout passes, or the queue is finished).
///
/// When a pop makes room in a full queue, `onRoom` runs so that the producer (an I/O thread that
/// stopped reading its socket while the queue was full) can resume.
final class BoundedQueue<Element: Sendable>: Sendable {
    private typealias Waiter = QueueWaiter<Element>

    private struct State {
        var buffer: [Element?]
        var head = 0
        var count = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var finished = false
        var failure: (any Error)?
    }

    /// The most elements held at once.
    let capacity: Int
    private let state: Mutex<State>
    private let onRoom: @Sendable () -> Void

    /// An empty queue holding at most `capacity` elements.
    init(capacity: Int, onRoom: @escaping @Sendable () -> Void = {}) {
        precondition(capacity > 0, "a queue holds at least one element")
        self.capacity = capacity
        self.onRoom = onRoom
        state = Mutex(State(buffer: Array(repeating: nil, count: capacity)))
    }

    /// Whether a push would succeed now.
    var hasRoom: Bool { state.withLock { !$0.finished && ($0.count < capacity || !$0.waiters.isEmpty) } }

    /// The number of elements waiting.
    var count: Int { state.withLock { $0.count } }

    /// Appends `element`, or hands it to a waiting consumer; `false` when full or finished.
    func tryPush(_ element: Element) -> Bool {
        let outcome = state.withLock { s -> PushOutcome<Element> in
            if s.finished { return .refused }
            if !s.waiters.isEmpty { return .handed(s.waiters.removeFirst()) }
            guard s.count < capacity else { return .refused }
            s.buffer[(s.head + s.count) % capacity] = element
            s.count += 1
            return .buffered
        }
        switch outcome {
        case .refused: return false
        case .buffered: return true
        case .handed(let w):
            w.timer?.cancel()
            w.continuation.resume(returning: element)
            return true
        }
    }

    /// Ends the queue: consumers drain what is buffered, then get `nil` (or `failure` thrown).
    func finish(throwing failure: (any Error)? = nil) {
        let waiters = state.withLock { s -> [Waiter] in
            guard !s.finished else { return [] }
            s.finished = true
            s.failure = failure
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters {
            w.timer?.cancel()
            if let failure { w.continuation.resume(throwing: failure) } else { w.continuation.resume(returning: nil) }
        }
    }

    /// Takes the oldest element under the lock.
    private static func take(_ s: inout State, capacity: Int) -> (Element?, wasFull: Bool) {
        let wasFull = s.count == capacity
        let e = s.buffer[s.head]
        s.buffer[s.head] = nil
        s.head = (s.head + 1) % capacity
        s.count -= 1
        return (e, wasFull)
    }

    /// The next element, suspending until one arrives or `timeout` passes (then `nil`). Once the
    /// queue is finished and drained, returns `nil` or throws the finishing error; throws
    /// `CancellationError` when the task is cancelled.
    func pop(timeout: Duration) async throws -> Element? {
        let fast = state.withLock { s -> PopAction<Element> in
            if s.count > 0 {
                let (e, wasFull) = Self.take(&s, capacity: capacity)
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
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Element?, any Error>) in
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.resolve(waiter: id, with: .success(nil)) }
                }
                let early = state.withLock { s -> PopAction<Element>? in
                    if s.count > 0 {
                        let (e, wasFull) = Self.take(&s, capacity: capacity)
                        return .value(e, wasFull: wasFull)
                    }
                    if s.finished { return s.failure.map { .fail($0) } ?? .value(nil, wasFull: false) }
                    // Checked under the lock the cancellation handler takes too: a cancellation
                    // is either seen here or finds the registered waiter.
                    if Task.isCancelled { return .fail(CancellationError()) }
                    s.waiters.append(Waiter(id: id, continuation: c, timer: timer))
                    return nil
                }
                guard let early else { return }
                timer.cancel()
                switch early {
                case .value(let e, let wasFull):
                    if wasFull { onRoom() }
                    c.resume(returning: e)
                case .fail(let error): c.resume(throwing: error)
                case .wait: preconditionFailure("not produced here")
                }
            }
        } onCancel: {
            resolve(waiter: id, with: .failure(CancellationError()))
        }
    }

    private func resolve(waiter id: UInt64, with result: Result<Element?, any Error>) {
        let waiter = state.withLock { s -> Waiter? in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: i)
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(with: result)
    }
}

private struct QueueWaiter<Element: Sendable> {
    var id: UInt64
    var continuation: CheckedContinuation<Element?, any Error>
    var timer: Task<Void, Never>?
}

private enum PushOutcome<Element: Sendable> {
    case refused, buffered
    case handed(QueueWaiter<Element>)
}

private enum PopAction<Element: Sendable> {
    case value(Element?, wasFull: Bool)
    case fail(any Error)
    case wait(UInt64)
}
