import Foundation
import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// How leases come back without waiting for their deadline: a worker the coordinator does not know
/// is asked to say hello again, an assignment a worker's heartbeats never list is issued again,
/// and the default deadline follows the unit durations seen.
@Suite struct LeaseRecoveryTests {
    let t0 = ContinuousClock.now
    let evaluator = WorkEvaluator(game: WeightedTestGame(playerCount: Harness.players))

    func core(_ adjust: (inout CoordinatorConfiguration) -> Void = { _ in }) throws -> CoordinatorCore {
        var s = Harness.coordinatorSettings()
        s.heartbeatInterval = .seconds(1)
        s.leaseTimeout = nil
        adjust(&s)
        return CoordinatorCore(settings: s, estimator: try Harness.makeEstimator(s.run), logger: Harness.quietLogger)
    }

    func hello(_ instance: UInt64, slots: UInt32 = 2) -> Message {
        .hello(Hello(instance: instance, name: "w\(instance)", modelFingerprint: "model-A", dataFingerprint: "data-A",
                     metric: "value", playerCount: UInt32(Harness.players), slots: slots))
    }

    func assignments(_ out: [Outgoing], to peer: PeerID? = nil) -> [Assignment] {
        out.compactMap { o in
            if case .assign(let a) = o.message, peer == nil || o.peer == peer { return a }
            return nil
        }
    }

    @Test func strangerIsAskedToSayHelloAgainAtMostOncePerInterval() throws {
        var c = try core()
        let p = PeerID([7])
        let beat = Message.heartbeat(Heartbeat(credit: 1))
        c.receive(beat, from: p, now: t0)
        c.receive(.ready(credit: 2), from: p, now: t0 + .milliseconds(500))
        #expect(c.takeOutbox().map(\.message) == [.helloAgain])
        c.receive(.result(ResultReport(lease: 1, evaluationNanos: 0, result: WorkResult(id: 3, values: []))), from: p,
                  now: t0 + .milliseconds(1001))
        #expect(c.takeOutbox().map(\.peer) == [p])
        // A bye needs no answer; a coordinator that is shutting down asks nobody.
        c.receive(.bye(returnedLeases: [], reason: "x"), from: PeerID([8]), now: t0)
        c.beginShutdown(reason: "done")
        _ = c.takeOutbox()
        c.receive(beat, from: PeerID([9]), now: t0)
        #expect(c.takeOutbox().isEmpty)
        #expect(c.statistics.helloAgainSent == 2 && c.statistics.strayMessages == 5)
    }

    @Test func workerSaysHelloAtOnceWhenAskedAndResendsItsResults() {
        var s = Harness.workerSettings("w")
        s.heartbeatInterval = .seconds(1)
        s.coordinatorTimeoutIntervals = 1000
        var w = WorkerCore(settings: s, playerCount: Harness.players, logger: Harness.quietLogger, now: t0)
        w.receive(.welcome(Welcome(runID: "r", heartbeatMillis: 1000, maxMessageBytes: 1 << 20)), now: t0)
        let unit = WorkUnit(id: 5, seed: 1, playerCount: Harness.players, coalitions: [.prefix(sample: 5, removed: 0, toggle: nil)])
        let a = Assignment(lease: 1, deadlineMillis: 1000, unit: unit)
        w.receive(.assign(a), now: t0)
        w.completed(.init(assignment: a, outcome: .success(WorkResult(id: 5, values: [1])), nanos: 1), now: t0)
        _ = w.takeOutbox()
        w.receive(.helloAgain, now: t0 + .milliseconds(1))
        guard case .hello? = w.takeOutbox().first else {
            Issue.record("expected a hello")
            return
        }
        #expect(w.phase != .connected)
        w.receive(.welcome(Welcome(runID: "r", heartbeatMillis: 1000, maxMessageBytes: 1 << 20)), now: t0 + .milliseconds(2))
        let out = w.takeOutbox()
        #expect(out.contains(.result(ResultReport(lease: 1, evaluationNanos: 1, result: WorkResult(id: 5, values: [1])))))
        #expect(out.last == .ready(credit: 2))
    }

    @Test func assignmentMissingFromHeartbeatsIsIssuedAgainAfterTheGrace() throws {
        var c = try core()
        let (a, b) = (PeerID([1]), PeerID([2]))
        c.receive(hello(1, slots: 3), from: a, now: t0)
        c.receive(.ready(credit: 3), from: a, now: t0)
        c.assign(now: t0)
        let held = assignments(c.takeOutbox())
        #expect(held.count == 3)
        // The first assignment never arrived, though a later one did: lost after one interval.
        func beat(evaluating: [UInt64], queued: [UInt64] = [], last: UInt64) -> Message {
            .heartbeat(Heartbeat(credit: 0, evaluating: evaluating, lastLease: last, queued: queued))
        }
        c.receive(beat(evaluating: [held[1].lease], last: held[1].lease), from: a, now: t0 + .milliseconds(500))
        #expect(c.statistics.assignmentsLost == 0 && c.leases.count == 3)
        c.receive(beat(evaluating: [held[1].lease], last: held[1].lease), from: a, now: t0 + .seconds(1))
        #expect(c.statistics.assignmentsLost == 1 && c.leases[held[0].lease] == nil)
        #expect(c.open[held[0].unit.id]?.strikes == 0)  // not the unit's fault
        // The last one may still be on its way: given the longer grace (10 intervals).
        c.receive(beat(evaluating: [held[1].lease], last: held[1].lease), from: a, now: t0 + .seconds(9))
        #expect(c.statistics.assignmentsLost == 1 && c.leases[held[2].lease] != nil)
        c.receive(beat(evaluating: [held[1].lease], last: held[1].lease), from: a, now: t0 + .seconds(10))
        #expect(c.statistics.assignmentsLost == 2 && c.leases.count == 1)
        // The units go to the next worker with room, before any new unit.
        c.receive(hello(2, slots: 2), from: b, now: t0 + .seconds(10))
        c.receive(.ready(credit: 2), from: b, now: t0 + .seconds(10))
        c.assign(now: t0 + .seconds(10))
        #expect(Set(assignments(c.takeOutbox(), to: b).map(\.unit.id)) == [held[0].unit.id, held[2].unit.id])
        // A queued unit counts as held; a lease number of another coordinator process says nothing.
        c.receive(beat(evaluating: [], queued: [held[1].lease], last: held[1].lease), from: a, now: t0 + .seconds(30))
        c.receive(beat(evaluating: [], queued: [held[1].lease], last: 1 << 62), from: a, now: t0 + .seconds(31))
        #expect(c.statistics.assignmentsLost == 2)
    }

    @Test func adaptiveDeadlineFollowsTurnarounds() {
        var policy = AdaptiveLease()
        policy.warmup = 3
        var run = RecentTurnarounds(capacity: 4), worker = RecentTurnarounds(capacity: 4)
        #expect(policy.deadline(worker: nil, run: run) == .seconds(600))
        for s in [10, 20] { run.add(.seconds(s)) }
        #expect(policy.deadline(worker: nil, run: run) == .seconds(600))  // not warmed up
        run.add(.seconds(30))
        #expect(policy.deadline(worker: nil, run: run) == .seconds(150))
        for _ in 0..<3 { worker.add(.seconds(1)) }
        #expect(policy.deadline(worker: worker, run: run) == .seconds(30))  // its own, at least the minimum
        for _ in 0..<4 { run.add(.seconds(500)) }
        #expect(policy.deadline(worker: nil, run: run) == .seconds(600))  // at most the maximum
        for _ in 0..<4 { run.add(.seconds(8)) }  // the window forgets the slow ones
        #expect(policy.deadline(worker: nil, run: run) == .seconds(40))
    }

    @Test func coordinatorGrantsAdaptiveDeadlines() throws {
        var c = try core { $0.adaptiveLease.warmup = 4 }
        let a = PeerID([1])
        c.receive(hello(1, slots: 1), from: a, now: t0)
        var now = t0
        var deadlines: [UInt32] = []
        for _ in 0..<6 {
            c.receive(.ready(credit: 1), from: a, now: now)
            c.assign(now: now)
            let x = try #require(assignments(c.takeOutbox()).first)
            deadlines.append(x.deadlineMillis)
            now = now + .seconds(12)  // each unit takes 12 s
            c.receive(.result(ResultReport(lease: x.lease, evaluationNanos: 0, result: try evaluator.evaluate(x.unit))), from: a, now: now)
        }
        #expect(deadlines == [600_000, 600_000, 600_000, 600_000, 60_000, 60_000])
        #expect(c.settings.leaseTimeout == nil)
    }
}

/// The same over the in-process transport, with real coordinator and worker services: neither a
/// coordinator restart nor lost assignments make the run wait for long timeouts (set here far
/// beyond the test's time limit).
@Suite(.timeLimit(.minutes(4))) struct PromptRecoveryTests {
    let game = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .microseconds(300))

    @Test func workersRejoinARestartedCoordinatorAtOnce() async throws {
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let game = self.game
        let path = Harness.temporaryPath("rejoin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            let first = try Coordinator.start(runDirectory: path, configuration: settings, makeEstimator: Harness.makeEstimator,
                                              transport: try network.bind("coordinator"), logger: Harness.quietLogger)
            let firstRun = Task { try await first.execute() }
            // These workers would take 10,000 heartbeat intervals (200 s) to notice the silence.
            let workers = (0..<2).map { i in
                var w = Harness.workerSettings("w\(i)")
                w.coordinatorTimeoutIntervals = 10_000
                let worker = Worker(configuration: w, game: game, transport: network.connect("coordinator"), logger: Harness.quietLogger)
                return Task { try await worker.execute() }
            }
            try await waitUntil { accepted(first) >= 10 }
            firstRun.cancel()
            _ = try? await firstRun.value
            let second = try Coordinator.resume(
                runDirectory: path, adjust: { $0 = Harness.coordinatorSettings($0.run) },
                makeEstimator: Harness.makeEstimator, transport: try network.bind("coordinator"), logger: Harness.quietLogger)
            let outcome = try await second.execute()
            for w in workers { _ = try await w.value }
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.statistics.helloAgainSent >= 2)
    }

    @Test func lostAssignmentsAreIssuedAgainLongBeforeTheirDeadline() async throws {
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let game = self.game
        let (outcome, dropped) = try await withTimeout(40) { () -> (CoordinatorOutcome, Int) in
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.leaseTimeout = .seconds(600)
            let server = AssignmentDropper(base: try network.bind("coordinator"), every: 5)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: server, journal: nil, logger: Harness.quietLogger)
            let workers = Harness.startWorkers(2, network: network, game: game)
            let outcome = try await coordinator.execute()
            for w in workers { _ = try await w.value }
            return (outcome, server.dropped)
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(dropped >= 5)
        // With the lease deadline at 600 s, finishing at all means lost assignments were found and
        // issued again; one dropped near the end may belong to a unit the run no longer needed.
        #expect(outcome.statistics.assignmentsLost >= dropped - 2 && outcome.statistics.assignmentsLost > 0)
        #expect(outcome.statistics.leasesExpired == 0)
    }
}

/// A server transport that silently loses every `every`-th assignment it is asked to send (the
/// sender is told nothing, as when a message dies in a network buffer).
final class AssignmentDropper: ServerTransport {
    private let base: any ServerTransport
    private let every: Int
    private let counts = Mutex((assignments: 0, dropped: 0))

    init(base: any ServerTransport, every: Int) {
        self.base = base
        self.every = every
    }

    var dropped: Int { counts.withLock { $0.dropped } }

    func receive(timeout: Duration) async throws -> InboundMessage? { try await base.receive(timeout: timeout) }

    func send(_ frames: [[UInt8]], to peer: PeerID) async throws {
        if frames.count == 1, frames[0].count > 3, frames[0][3] == MessageCodec.Kind.assign.rawValue {
            let drop = counts.withLock { c -> Bool in
                c.assignments += 1
                guard c.assignments % every == 0 else { return false }
                c.dropped += 1
                return true
            }
            if drop { return }
        }
        try await base.send(frames, to: peer)
    }

    func close() async { await base.close() }
}
