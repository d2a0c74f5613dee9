/// A bounded first-in first-out queue with an async, timed, cancellable receive: the in-process
/// stand-in for a socket's queue. Any number of producers; receivers are served in arrival order;
/// receive timeouts are served by the process's ``TimerThread``.
final class Mailbox<Element: Sendable>: Sendable {
    typealias PushOutcome = MessageQueue<Element>.PushOutcome

    private let queue: MessageQueue<Element>
    /// What to call the mailbox in errors.
    let name: String

    init(capacity: Int, name: String) {
        precondition(capacity > 0, "a mailbox holds at least one element")
        self.queue = MessageQueue(capacity: capacity, waker: TimerThread.shared)
        self.name = name
    }

    /// The most elements queued at once (the high-water mark).
    var capacity: Int { queue.capacity }

    /// Hands `element` to a waiting receiver or queues it.
    func push(_ element: Element) -> PushOutcome { queue.push(element) }

    /// The next element, or `nil` after `timeout`. Throws ``ClusterError/transportClosed(_:)`` once
    /// closed, `CancellationError` when the task is cancelled.
    func pop(timeout: Duration) async throws -> Element? {
        try await queue.pop(timeout: timeout)
    }

    /// Refuses further elements, drops queued ones, and wakes every receiver with an error.
    func close() {
        queue.finish(throwing: ClusterError.transportClosed(name), discardingBuffered: true)
    }

    var isClosed: Bool { queue.isFinished }
}
