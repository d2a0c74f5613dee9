import Foundation
import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// A unit that crashes workers (or makes them fail) is quarantined and reported, not requeued
/// forever. The estimator goes on without it when it can (the run finishes, deterministically,
/// and a resumed run remembers); an estimator that cannot do without it stalls the run.
@Suite(.timeLimit(.minutes(4))) struct QuarantineTests {
    /// A coalition occurring in exactly one unit of the run, and that unit.
    static func uniqueCoalition() -> (unit: UInt64, coalition: Coalition) {
        let run = Harness.run()
        var seen: [Coalition: Set<UInt64>] = [:]
        for s in 0..<UInt64(48) {
            let order = Permutation.order(seed: run.seed, index: s, playerCount: run.playerCount)
            for removed in 2...4 { seen[Permutation.coalition(order: order, removed: removed), default: []].insert(s) }
        }
        let unique = seen.filter { $0.value.count == 1 }.min { $0.value.first! < $1.value.first! }!
        return (unique.value.first!, unique.key)
    }

    static let base = WeightedTestGame(playerCount: Harness.players)

    /// The report of the run without the poisoned unit's sample, computed in this process.
    static func reference(abandoning unit: UInt64) throws -> EstimateReport {
        try Harness.localReport(game: base, estimator: Harness.makeEstimator(Harness.run()), abandoning: [unit])
    }

    @Test func unitThatKillsWorkersIsQuarantinedAndTheRunGoesOn() async throws {
        let (poisonUnit, poison) = Self.uniqueCoalition()
        let outcome = try await withTimeout(40) { () -> (CoordinatorOutcome, Int) in
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            // A supervisor restarting a worker each time the poison "crashes" it: its connection goes
            // silent at once (nothing more is sent, as when a process dies) and its task is cancelled.
            let current = Mutex<(task: Task<WorkerOutcome, any Error>, link: FreezableClient)?>(nil)
            let game = PoisonedGame(base: Self.base, poison: poison) {
                current.withLock { c in
                    c?.link.freeze()
                    c?.task.cancel()
                }
            }
            let supervisor = Task { () -> Int in
                var restarts = 0
                while !Task.isCancelled {
                    let link = FreezableClient(network.connect("coordinator"))
                    let worker = Worker(configuration: Harness.workerSettings("w\(restarts)"), game: game,
                                        transport: link, logger: Harness.quietLogger)
                    let task = Task { try await worker.execute() }
                    current.withLock { $0 = (task, link) }
                    do { _ = try await task.value; return restarts } catch { restarts += 1 }
                }
                return restarts
            }
            let outcome = try await run.value
            supervisor.cancel()
            current.withLock { $0?.task.cancel() }
            return (outcome, await supervisor.value)
        }
        #expect(outcome.0.status == .finished)
        #expect(outcome.0.quarantined.map(\.unit) == [poisonUnit])
        #expect(outcome.0.abandoned == [poisonUnit])
        #expect(outcome.0.quarantined.first?.reason.contains("lost") == true, "\(outcome.0.quarantined)")
        #expect(outcome.0.statistics.failures == 0 && outcome.0.statistics.unitsAbandoned == 1)
        // Lost workers count towards their own, larger limit, not towards the failures' one.
        let settings = Harness.coordinatorSettings()
        #expect(settings.maxLosses > settings.maxStrikes)
        // Each loss is a restart, except when a live worker starved past the heartbeat timeout on a
        // loaded machine is declared lost while it holds the unit (that counts a loss too, with no
        // restart): so the losses, not the restarts, reach the limit.
        #expect(outcome.0.statistics.workersLost >= settings.maxLosses, "\(outcome.0.statistics)")
        #expect(outcome.1 >= 1)
        #expect(outcome.0.report == (try Self.reference(abandoning: poisonUnit)))
        #expect(outcome.0.report.samples == 47)
    }

    @Test func unitThatAlwaysFailsIsQuarantinedAndAbandoned() async throws {
        let (poisonUnit, poison) = Self.uniqueCoalition()
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let game = PoisonedGame(base: Self.base, poison: poison) {}
            let workers = Harness.startWorkers(2, network: network, game: game)
            let outcome = try await run.value
            for w in workers { _ = try await w.value }
            #expect(coordinator.latestProgress?.abandoned == [poisonUnit])
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.abandoned == [poisonUnit])
        // Only failures count towards its quarantine (a worker declared lost while evaluating it,
        // starved past the heartbeat timeout, counts a loss instead); a reissued copy may fail once
        // more after the last strike.
        let strikes = Harness.coordinatorSettings().maxStrikes
        #expect((strikes...strikes + 1).contains(outcome.statistics.failures))
        #expect(outcome.report == (try Self.reference(abandoning: poisonUnit)))
    }

    /// An estimator that cannot go on without a unit stalls, as before there was abandonment.
    @Test func estimatorThatCannotAbandonStalls() async throws {
        let (poisonUnit, poison) = Self.uniqueCoalition()
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings,
                                          estimator: Unabandoning(base: try Harness.makeEstimator(settings.run)),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let game = PoisonedGame(base: Self.base, poison: poison) {}
            let workers = Harness.startWorkers(2, network: network, game: game)
            let outcome = try await run.value
            for w in workers { _ = try await w.value }
            return outcome
        }
        #expect(outcome.status == .stalled)
        #expect(outcome.quarantined.map(\.unit) == [poisonUnit] && outcome.abandoned.isEmpty)
        // Rounds before the poisoned one were folded.
        #expect(outcome.report.samples == Int(poisonUnit) / 8 * 8)
    }

    /// The abandonment is journaled: a coordinator that crashes after it and resumes does not try
    /// the unit again (its workers here would now evaluate it) and ends with the same report.
    @Test func abandonmentIsJournaledAndReplayed() async throws {
        let (poisonUnit, poison) = Self.uniqueCoalition()
        let path = Harness.temporaryPath("abandon")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            let first = try Coordinator.start(runDirectory: path, configuration: settings, makeEstimator: Harness.makeEstimator,
                                              transport: try network.bind("coordinator"), logger: Harness.quietLogger)
            let firstRun = Task { try await first.execute() }
            let slow = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .milliseconds(1))
            let failing = Harness.startWorkers(2, network: network, game: PoisonedGame(base: slow, poison: poison) {})
            // The abandonment is written (not yet synced) before progress reports it; a crash
            // leaves it to the page cache, as a killed process would.
            try await waitUntil { first.latestProgress?.abandoned == [poisonUnit] }
            firstRun.cancel()
            _ = try? await firstRun.value
            for w in failing { w.cancel() }
            let second = try Coordinator.resume(
                runDirectory: path, adjust: { $0 = Harness.coordinatorSettings($0.run) },
                makeEstimator: Harness.makeEstimator, transport: try network.bind("coordinator"), logger: Harness.quietLogger)
            let healthy = Harness.startWorkers(2, network: network, game: Self.base)
            let outcome = try await second.execute()
            // A worker that joined after the last unit was done waits for a coordinator that is gone.
            for w in healthy { w.cancel() }
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.abandoned == [poisonUnit] && outcome.quarantined.map(\.unit) == [poisonUnit])
        #expect(outcome.statistics.failures == 0)
        #expect(outcome.report == (try Self.reference(abandoning: poisonUnit)))
        let journal = try Journal(path: path + "/journal.log")
        #expect(journal.records.filter { if case .abandoned = $0 { true } else { false } }.count == 1)
    }
}

/// Wraps an estimator and refuses every abandonment (the protocol's default).
struct Unabandoning: Estimator {
    var base: any Estimator
    var playerCount: Int { base.playerCount }
    mutating func nextWork(limit: Int) -> [WorkUnit] { base.nextWork(limit: limit) }
    mutating func ingest(_ result: WorkResult) throws -> Bool { try base.ingest(result) }
    var isFinished: Bool { base.isFinished }
    func report() -> EstimateReport { base.report() }
}
