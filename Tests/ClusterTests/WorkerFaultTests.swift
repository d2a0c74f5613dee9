import Foundation
import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// Workers that die, stall, freeze or are refused: the run still ends with the fault-free report.
@Suite(.timeLimit(.minutes(4))) struct WorkerFaultTests {
    let slowGame = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .microseconds(300))

    var reference: EstimateReport {
        get throws { try Harness.localReport(game: slowGame, estimator: Harness.makeEstimator(Harness.run())) }
    }

    @Test func workerKilledMidLeaseHasItsLeasesReissued() async throws {
        let expected = try reference
        let game = slowGame
        let gate = GatedGame(base: slowGame, blockOnCall: 12)
        defer { gate.release() }
        let outcome = try await withTimeout(30) {
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let victim = Harness.startWorkers(1, network: network, game: gate)[0]
            // The others join once the victim is in the middle of a unit (alone, it surely gets
            // that far, however the threads are scheduled).
            try await waitUntil { gate.isBlocked }
            let workers = Harness.startWorkers(2, network: network, game: game)
            victim.cancel()
            let outcome = try await run.value
            for w in workers { _ = try await w.value }
            await #expect(throws: CancellationError.self) { try await victim.value }
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        // The victim is lost; on a loaded machine a live worker starved past the timeout (10
        // heartbeats of 20 ms here) may be declared dead as well, and rejoins.
        #expect(outcome.statistics.workersLost >= 1)
        #expect(outcome.statistics.leasesGranted > 48)  // the dead worker's leases were granted again
    }

    @Test func frozenWorkerIsDeclaredDeadAfterHeartbeatTimeout() async throws {
        let expected = try reference
        let game = slowGame
        let gate = GatedGame(base: slowGame, blockOnCall: 12)
        defer { gate.release() }
        let outcome = try await withTimeout(30) {
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let freezer = FreezableClient(network.connect("coordinator"))
            let frozen = Worker(configuration: Harness.workerSettings("frozen"), game: gate, transport: freezer,
                                logger: Harness.quietLogger)
            let frozenTask = Task { try await frozen.execute() }
            try await waitUntil { gate.isBlocked }  // alone, the frozen worker surely gets this far
            let others = Harness.startWorkers(2, network: network, game: game)
            freezer.freeze()  // like SIGSTOP: nothing in, nothing out, connection still open
            let outcome = try await run.value
            for w in others { _ = try await w.value }
            frozenTask.cancel()
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.statistics.workersLost >= 1)
        #expect(outcome.statistics.leasesGranted > 48)
    }

    @Test func stalledEvaluationHasItsLeaseReissuedAfterTheDeadline() async throws {
        let expected = try reference
        let stall = StallOnce(base: slowGame, stall: .seconds(8))
        let outcome = try await withTimeout(30) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.leaseTimeout = .milliseconds(300)
            // Dead after 3 s of silence: well inside the stall, and longer than a loaded machine
            // starves a live worker.
            settings.heartbeatInterval = .milliseconds(300)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let staller = Harness.startWorkers(1, network: network, game: stall)
            try await waitUntil { stall.stalled }
            let others = Harness.startWorkers(2, network: network, game: slowGame)
            let outcome = try await run.value
            for w in others { _ = try await w.value }
            staller[0].cancel()
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.statistics.leasesExpired >= 1)
        #expect(outcome.statistics.workersLost == 0)  // it kept heartbeating while stalled
    }

    @Test func workerWithAnotherModelIsRefusedWithReason() async throws {
        let game = slowGame
        let error = try await withTimeout(30) { () -> ClusterError? in
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let wrong = Worker(configuration: Harness.workerSettings("wrong", model: "model-B"), game: game,
                               transport: network.connect("coordinator"), logger: Harness.quietLogger)
            var caught: ClusterError?
            do { _ = try await wrong.execute() } catch let e as ClusterError { caught = e }
            let good = Harness.startWorkers(1, network: network, game: game)
            _ = try await run.value
            _ = try await good[0].value
            return caught
        }
        guard case .refused(let refusal)? = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(refusal.code == .modelMismatch)
        #expect(refusal.message.contains("model-B") && refusal.message.contains("model-A"))
        #expect(ClusterError.refused(refusal).description.contains("refused"))
    }

    @Test func silentCoordinatorMakesTheWorkerGiveUp() async throws {
        let network = InProcessNetwork()
        var settings = Harness.workerSettings("lonely")
        settings.giveUpAfter = .milliseconds(300)
        let worker = Worker(configuration: settings, game: slowGame, transport: network.connect("nobody"),
                            logger: Harness.quietLogger)
        let error = try await withTimeout(20) { () -> ClusterError? in
            do { _ = try await worker.execute() } catch let e as ClusterError { return e }
            return nil
        }
        guard case .coordinatorSilent(let endpoint, let seconds)? = error else {
            Issue.record("expected the worker to give up, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "inproc://coordinator" && seconds >= 0.3)
    }
}

/// A client transport that can be frozen: afterwards it neither sends nor receives.
final class FreezableClient: ClientTransport {
    private let base: any ClientTransport
    private let frozen = Mutex(false)

    init(_ base: any ClientTransport) { self.base = base }

    func freeze() { frozen.withLock { $0 = true } }

    func receive(timeout: Duration) async throws -> [[UInt8]]? {
        let frames = try await base.receive(timeout: timeout)
        return frozen.withLock { $0 } ? nil : frames
    }

    func send(_ frames: [[UInt8]]) async throws {
        if frozen.withLock({ $0 }) { return }
        try await base.send(frames)
    }

    func close() async { await base.close() }
}

/// A game whose first call blocks for a long time (a hung forward pass); later calls are normal.
final class StallOnce: Game {
    let base: any Game
    let stall: Duration
    private let state = Mutex((started: false, stalled: false))

    init(base: any Game, stall: Duration) {
        self.base = base
        self.stall = stall
    }

    var playerCount: Int { base.playerCount }
    var stalled: Bool { state.withLock { $0.stalled } }

    func values(of coalitions: [Coalition]) throws -> [Double] {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        if first {
            state.withLock { $0.stalled = true }
            Thread.sleep(forTimeInterval: Double(stall.components.seconds))
        }
        return try base.values(of: coalitions)
    }
}

/// A game that blocks on its `blockOnCall`-th call until released: a worker caught mid-unit.
final class GatedGame: Game {
    let base: any Game
    let blockOnCall: Int
    private let state = Mutex((calls: 0, blocked: false))
    private let gate = DispatchSemaphore(value: 0)

    init(base: any Game, blockOnCall: Int) {
        self.base = base
        self.blockOnCall = blockOnCall
    }

    var playerCount: Int { base.playerCount }
    var isBlocked: Bool { state.withLock { $0.blocked } }

    /// Lets the blocked call (if any) return.
    func release() { gate.signal() }

    func values(of coalitions: [Coalition]) throws -> [Double] {
        let block = state.withLock { s -> Bool in
            s.calls += 1
            if s.calls == blockOnCall { s.blocked = true }
            return s.calls == blockOnCall
        }
        if block { gate.wait() }
        return try base.values(of: coalitions)
    }
}
