import Foundation

/// Makes a coordinator's journal durable without making its loop wait for the disk.
///
/// The loop writes records at once with ``write(_:)`` (a process that crashes loses nothing it
/// wrote: the page cache keeps it) and, at most once per group-commit interval, asks with
/// ``requestSync()`` for everything written so far to be made durable; a thread of its own then
/// runs one `fsync` for the whole batch. The loop sends the acknowledgements of a batch once
/// ``durable`` has reached the batch's number. One wake-up of the thread per sync, none per record.
final class JournalWriter: @unchecked Sendable {
    // @unchecked Sendable: every stored `var` is only read or written while `condition` is locked;
    // the journal itself is thread safe.

    /// What the writer did, for the coordinator's statistics.
    struct Counters {
        var syncs = 0
        var nanos: UInt64 = 0
    }

    private let journal: Journal
    private let condition = NSCondition()
    private var written: UInt64 = 0
    private var requested: UInt64 = 0
    private var durableSequence: UInt64 = 0
    private var error: (any Error)?
    private var closing = false
    private var discarding = false
    private var finished = false
    private var counters = Counters()

    /// A writer for `journal`; its thread starts at once.
    init(journal: Journal) {
        self.journal = journal
        let thread = Thread { [self] in loop() }
        thread.name = "nshap-journal"
        thread.start()
    }

    /// Writes `records` (not yet durably) and returns the number of the batch they belong to:
    /// numbers increase, and batch `n` is durable once ``durable`` is `n` or more.
    @discardableResult
    func write(_ records: [JournalRecord]) throws -> UInt64 {
        if !records.isEmpty { try journal.write(records) }
        condition.lock()
        defer { condition.unlock() }
        if !records.isEmpty { written += 1 }
        return written
    }

    /// Whether something written is neither durable nor asked to be.
    var needsSync: Bool {
        condition.lock()
        defer { condition.unlock() }
        return requested < written
    }

    /// Asks the thread to make everything written so far durable.
    func requestSync() {
        condition.lock()
        defer { condition.unlock() }
        guard requested < written else { return }
        requested = written
        condition.signal()
    }

    /// Makes everything written so far durable on the calling thread (blocking it for an
    /// `fsync`): for the last turns of a coordinator, which send every acknowledgement.
    func syncNow() throws {
        condition.lock()
        let sequence = written
        condition.unlock()
        let start = ContinuousClock.now
        try journal.sync()
        let elapsed = ContinuousClock.now - start
        condition.lock()
        defer { condition.unlock() }
        durableSequence = max(durableSequence, sequence)
        requested = max(requested, sequence)
        counters.syncs += 1
        counters.nanos &+= elapsed.nanoseconds
    }

    /// The number of the last batch that is on disk.
    var durable: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return durableSequence
    }

    /// The first sync error; nothing is synced after it.
    var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return error
    }

    /// Syncs and time spent so far.
    var counts: Counters {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Syncs what was written (unless `discardingPending`: a crash, which leaves it to the page
    /// cache), stops the thread and waits for it. Idempotent. The journal stays open.
    func stop(discardingPending: Bool = false) {
        condition.lock()
        closing = true
        if discardingPending { discarding = true } else { requested = written }
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        let clock = ContinuousClock()
        condition.lock()
        while true {
            while requested <= durableSequence && !closing { condition.wait() }
            if discarding || requested <= durableSequence { break }
            let sequence = requested
            condition.unlock()
            let start = clock.now
            var failure: (any Error)?
            do {
                try journal.sync()
            } catch {
                failure = error
            }
            let end = clock.now
            condition.lock()
            counters.syncs += 1
            counters.nanos &+= (end - start).nanoseconds
            if let failure {
                error = failure
                break
            }
            durableSequence = max(durableSequence, sequence)
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
