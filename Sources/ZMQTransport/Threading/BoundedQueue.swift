import Synchronization

/// A bounded first-in first-out queue from a producer thread (which never blocks: ``tryPush(_:)``
/// fails when full) to Swift concurrency consumers (which suspend in ``pop()`` until an element
/// arrives or the queue is finished).
///
/// When a pop makes room in a full queue, `onRoom` runs so that the producer (an I/O thread that
/// stopped reading its socket) can resume.
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element?]
        var head = 0
        var count = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Element?, any Error>)] = []
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
    var hasRoom: Bool { state.withLock { $0.count < capacity || !$0.waiters.isEmpty } }

    /// The number of elements waiting.
    var count: Int { state.withLock { $0.count } }

    /// Appends `element`, or hands it to a waiting consumer; `false` when full or finished.
    func tryPush(_ element: Element) -> Bool {
        let outcome = state.withLock { s -> PushOutcome<Element> in
            if s.finished { return .refused }
            if !s.waiters.isEmpty { return .handed(s.waiters.removeFirst().continuation) }
            guard s.count < capacity else { return .refused }
            s.buffer[(s.head + s.count) % capacity] = element
            s.count += 1
            return .buffered
        }
        switch outcome {
        case .refused: return false
        case .buffered: return true
        case .handed(let c):
            c.resume(returning: element)
            return true
        }
    }

    /// Ends the queue: consumers drain what is buffered, then get `nil` (or `failure` thrown).
    func finish(throwing failure: (any Error)? = nil) {
        let waiters = state.withLock { s -> [CheckedContinuation<Element?, any Error>] in
            guard !s.finished else { return [] }
            s.finished = true
            s.failure = failure
            defer { s.waiters = [] }
            return s.count == 0 ? s.waiters.map(\.continuation) : []
        }
        for w in waiters {
            if let failure { w.resume(throwing: failure) } else { w.resume(returning: nil) }
        }
    }

    /// The next element, suspending until one arrives; `nil` once finished and drained. Throws
    /// the finishing error after draining, or `CancellationError` when the task is cancelled.
    func pop() async throws -> Element? {
        let id = state.withLock { s -> UInt64 in s.nextWaiter += 1; return s.nextWaiter }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Element?, any Error>) in
                let action = state.withLock { s -> PopAction<Element> in
                    if Task.isCancelled { return .fail(CancellationError()) }
                    if s.count > 0 {
                        let wasFull = s.count == capacity
                        let e = s.buffer[s.head]
                        s.buffer[s.head] = nil
                        s.head = (s.head + 1) % capacity
                        s.count -= 1
                        return .value(e, wasFull: wasFull)
                    }
                    if s.finished {
                        if let f = s.failure { return .fail(f) }
                        return .value(nil, wasFull: false)
                    }
                    s.waiters.append((id, c))
                    return .none
                }
                switch action {
                case .none: break
                case .value(let e, let wasFull):
                    if wasFull { onRoom() }
                    c.resume(returning: e)
                case .fail(let error): c.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Element?, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

private enum PushOutcome<Element: Sendable> {
    case refused, buffered, handed(CheckedContinuation<Element?, any Error>)
}

private enum PopAction<Element: Sendable> {
    case none, value(Element?, wasFull: Bool), fail(any Error)
}
