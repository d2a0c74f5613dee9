import Foundation

/// The one thread of a process that serves the receive timeouts of the in-process transport's
/// queues (a ``QueueWaker``): it sleeps until the earliest deadline it was given and then lets the
/// queue expire its waiting receivers. Started on first use; it lives as long as the process.
final class TimerThread: QueueWaker, @unchecked Sendable {
    // @unchecked Sendable: `entries` and `started` are only read or written while `condition` is
    // locked.
    private struct Entry {
        var deadline: ContinuousClock.Instant
        var expire: @Sendable (ContinuousClock.Instant) -> ContinuousClock.Instant?
    }

    /// The process's timer thread.
    static let shared = TimerThread()

    private let condition = NSCondition()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var started = false

    private init() {}

    func wake(at deadline: ContinuousClock.Instant, queue: ObjectIdentifier,
              expire: @escaping @Sendable (ContinuousClock.Instant) -> ContinuousClock.Instant?) {
        condition.lock()
        defer { condition.unlock() }
        if let existing = entries[queue], existing.deadline <= deadline { return }
        entries[queue] = Entry(deadline: deadline, expire: expire)
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = "nshap-inproc-timer"
            thread.start()
        }
        condition.signal()
    }

    private func loop() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            let due = entries.filter { $0.value.deadline <= now }
            guard due.isEmpty else {
                for key in due.keys { entries[key] = nil }
                condition.unlock()
                for (key, entry) in due {
                    if let next = entry.expire(now) { wake(at: next, queue: key, expire: entry.expire) }
                }
                condition.lock()
                continue
            }
            if let earliest = entries.values.map(\.deadline).min() {
                let wait = earliest - now
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            } else {
                condition.wait()
            }
        }
    }
}
