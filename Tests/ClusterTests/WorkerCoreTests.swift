import Logging
import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// The worker's state machine alone.
@Suite struct WorkerCoreTests {
    let t0 = ContinuousClock.now
    let unit = WorkUnit(id: 5, seed: 1, playerCount: Harness.players,
                        coalitions: [.prefix(sample: 5, removed: 0, toggle: nil)])

    func core() -> WorkerCore {
        var s = Harness.workerSettings("w")
        s.heartbeatInterval = .seconds(1)
        s.giveUpAfter = .seconds(30)
        return WorkerCore(settings: s, playerCount: Harness.players, logger: Harness.quietLogger, now: t0)
    }

    func welcome(_ run: String = "r") -> Message {
        .welcome(Welcome(runID: run, heartbeatMillis: 1000, maxMessageBytes: 1 << 20))
    }

    func finish(_ c: inout WorkerCore, _ a: Assignment, at now: ContinuousClock.Instant) {
        c.completed(.init(assignment: a, outcome: .success(WorkResult(id: a.unit.id, values: [1])), nanos: 10), now: now)
    }

    @Test func helloIsRepeatedWithBackoffUntilWelcomed() {
        var c = core()
        c.tick(now: t0)
        c.tick(now: t0 + .milliseconds(5))  // before the backoff: nothing
        c.tick(now: t0 + .milliseconds(10))
        c.tick(now: t0 + .milliseconds(30))
        let hellos = c.takeOutbox().filter { if case .hello = $0 { return true } else { return false } }
        #expect(hellos.count == 3)
        c.receive(welcome(), now: t0 + .milliseconds(31))
        #expect(c.phase == .connected)
        #expect(c.takeOutbox() == [.ready(credit: 2)])
    }

    @Test func duplicateAssignmentsAreEvaluatedOnce() {
        var c = core()
        c.receive(welcome(), now: t0)
        _ = c.takeOutbox()
        let a = Assignment(lease: 1, deadlineMillis: 1000, unit: unit)
        c.receive(.assign(a), now: t0)
        c.receive(.assign(a), now: t0)
        c.receive(.assign(Assignment(lease: 2, deadlineMillis: 1000, unit: unit)), now: t0)  // reissued to us
        #expect(c.takeWork() == [a])
        finish(&c, a, at: t0)
        #expect(c.takeOutbox().first == .result(ResultReport(lease: 1, evaluationNanos: 10, result: WorkResult(id: 5, values: [1]))))
        // Asked again after finishing: answered from the kept result, not evaluated again.
        c.receive(.assign(Assignment(lease: 3, deadlineMillis: 1000, unit: unit)), now: t0)
        #expect(c.takeWork().isEmpty)
        #expect(c.takeOutbox().count == 1)
    }

    @Test func unacknowledgedResultsAreResentAfterReconnectingAndDroppedForAnotherRun() {
        var c = core()
        c.receive(welcome(), now: t0)
        let a = Assignment(lease: 1, deadlineMillis: 1000, unit: unit)
        c.receive(.assign(a), now: t0)
        _ = c.takeWork()
        finish(&c, a, at: t0)
        _ = c.takeOutbox()
        // The coordinator falls silent: the worker says hello again, then is welcomed by the same run.
        c.tick(now: t0 + .seconds(6))
        #expect(c.takeOutbox().contains { if case .hello = $0 { return true } else { return false } })
        c.receive(welcome(), now: t0 + .seconds(6))
        #expect(c.takeOutbox().contains { if case .result(let r) = $0 { return r.result.id == 5 } else { return false } })
        // An acknowledgement ends the resending.
        c.receive(.ack(unitIDs: [5]), now: t0 + .seconds(7))
        c.tick(now: t0 + .seconds(20))
        #expect(!c.takeOutbox().contains { if case .result = $0 { return true } else { return false } })
        // A result of another run is dropped at the welcome.
        let b = Assignment(lease: 9, deadlineMillis: 1000, unit: WorkUnit(id: 6, seed: 1, playerCount: Harness.players, coalitions: []))
        c.receive(.assign(b), now: t0 + .seconds(20))
        _ = c.takeWork()
        finish(&c, b, at: t0 + .seconds(20))
        c.receive(welcome("other"), now: t0 + .seconds(21))
        #expect(c.unacknowledged.isEmpty)
    }

    @Test func shutdownHandsBackQueuedLeasesAndWaitsForTheEvaluatingOne() {
        var c = core()
        c.receive(welcome(), now: t0)
        let a = Assignment(lease: 1, deadlineMillis: 1000, unit: unit)
        let b = Assignment(lease: 2, deadlineMillis: 1000, unit: WorkUnit(id: 6, seed: 1, playerCount: Harness.players, coalitions: []))
        c.receive(.assign(a), now: t0)
        c.receive(.assign(b), now: t0)
        _ = c.takeWork()
        _ = c.takeOutbox()
        c.receive(.shutdown(reason: "done"), now: t0)
        #expect(c.exit == nil)  // still evaluating a
        finish(&c, a, at: t0)
        guard case .finished(let reason)? = c.exit else {
            Issue.record("expected the worker to finish")
            return
        }
        #expect(reason == "done")
        #expect(c.takeOutbox().last == .bye(returnedLeases: [2], reason: "done"))
    }

    @Test func aStoppingWorkerDoesNotWarnThatTheFinishedCoordinatorIsSilent() {
        // The coordinator asks the worker to stop and goes away while a unit is still evaluated:
        // its silence is expected then, and only a worker still at work warns of it.
        for stops in [false, true] {
            let records = RecordedLog()
            var s = Harness.workerSettings("w")
            s.heartbeatInterval = .seconds(1)
            s.giveUpAfter = .seconds(60)
            s.shutdownGrace = .seconds(30)
            var logger = Logger(label: "test") { _ in records }
            logger.logLevel = .debug
            var c = WorkerCore(settings: s, playerCount: Harness.players, logger: logger, now: t0)
            c.receive(welcome(), now: t0)
            c.receive(.assign(Assignment(lease: 1, deadlineMillis: 1000, unit: unit)), now: t0)
            _ = c.takeWork()
            if stops { c.receive(.shutdown(reason: "done"), now: t0) }
            c.tick(now: t0 + .seconds(10))
            let warnings = records.messages.filter { $0.level == .warning }.map(\.message)
            #expect(warnings == (stops ? [] : ["the coordinator is silent; saying hello again"]))
        }
    }

    @Test func refusalEndsTheWorkerWithTheReason() {
        var c = core()
        let r = Refusal(code: .dataMismatch, message: "different data")
        c.receive(.refuse(r), now: t0)
        guard case .failed(let e)? = c.exit else {
            Issue.record("expected a failure")
            return
        }
        #expect(e == .refused(r))
    }
}

/// Log records kept for a test to read.
final class RecordedLog: LogHandler, Sendable {
    private let records = Mutex<[(level: Logger.Level, message: String)]>([])
    var messages: [(level: Logger.Level, message: String)] { records.withLock { $0 } }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}  // not recorded
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    func log(event: LogEvent) {
        records.withLock { $0.append((event.level, event.message.description)) }
    }
}
