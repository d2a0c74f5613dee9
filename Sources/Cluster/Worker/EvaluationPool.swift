import Dispatch
import Foundation
import ShapleyCore
import Synchronization

/// Threads of their own that evaluate work units, so that the task serving the transport keeps
/// answering (heartbeats) while a long evaluation runs. Jobs run in submission order; each
/// completion is handed to `onCompletion` from the evaluating thread.
final class EvaluationPool: Sendable {
    struct Completion: Sendable {
        var assignment: Assignment
        var outcome: Result<WorkResult, EvaluationFailure>
        var nanos: UInt64
    }

    struct EvaluationFailure: Error {
        var message: String
    }

    private let jobs = Mutex<(queue: [Assignment], closed: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)
    private let threads: Int

    init(threads: Int, evaluator: WorkEvaluator, name: String,
         onCompletion: @escaping @Sendable (Completion) -> Void) {
        precondition(threads > 0, "a pool needs at least one thread")
        self.threads = threads
        for i in 0..<threads {
            let thread = Thread { [self] in
                while let job = next() {
                    let clock = ContinuousClock()
                    let start = clock.now
                    let outcome: Result<WorkResult, EvaluationFailure>
                    do {
                        outcome = .success(try evaluator.evaluate(job.unit))
                    } catch {
                        outcome = .failure(EvaluationFailure(message: "\(error)"))
                    }
                    let elapsed = clock.now - start
                    let nanos = UInt64(max(0, elapsed.components.seconds)) * 1_000_000_000
                        + UInt64(max(0, elapsed.components.attoseconds / 1_000_000_000))
                    onCompletion(Completion(assignment: job, outcome: outcome, nanos: nanos))
                }
            }
            thread.name = "\(name)-eval-\(i)"
            thread.start()
        }
    }

    /// Queues a unit for evaluation.
    func submit(_ assignment: Assignment) {
        let accepted = jobs.withLock { j -> Bool in
            guard !j.closed else { return false }
            j.queue.append(assignment)
            return true
        }
        if accepted { available.signal() }
    }

    /// Lets the threads exit once they finish what they are evaluating; queued jobs are dropped.
    func shutdown() {
        let wasOpen = jobs.withLock { j -> Bool in
            defer { j.closed = true; j.queue = [] }
            return !j.closed
        }
        if wasOpen { for _ in 0..<threads { available.signal() } }
    }

    private func next() -> Assignment? {
        while true {
            available.wait()
            let (job, closed): (Assignment?, Bool) = jobs.withLock { j in
                if j.closed { return (nil, true) }
                return (j.queue.isEmpty ? nil : j.queue.removeFirst(), false)
            }
            if closed { return nil }
            if let job { return job }
        }
    }
}
