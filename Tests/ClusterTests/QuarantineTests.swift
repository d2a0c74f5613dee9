import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// A unit that crashes workers (or makes them fail) is quarantined and reported, not requeued
/// forever; the run ends as stalled because the estimator's round cannot complete without it.
@Suite(.timeLimit(.minutes(1))) struct QuarantineTests {
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

    @Test func unitThatKillsWorkersIsQuarantined() async throws {
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
            let game = PoisonedGame(base: WeightedTestGame(playerCount: Harness.players), poison: poison) {
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
        #expect(outcome.0.status == .stalled)
        #expect(outcome.0.quarantined.map(\.unit) == [poisonUnit])
        #expect(outcome.0.quarantined.first?.reason.contains("lost") == true, "\(outcome.0.quarantined)")
        #expect(outcome.0.statistics.failures == 0)
        #expect(outcome.1 >= Harness.coordinatorSettings().maxStrikes)
    }

    @Test func unitThatAlwaysFailsIsQuarantined() async throws {
        let (poisonUnit, poison) = Self.uniqueCoalition()
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let game = PoisonedGame(base: WeightedTestGame(playerCount: Harness.players), poison: poison) {}
            let workers = Harness.startWorkers(2, network: network, game: game)
            let outcome = try await run.value
            for w in workers { _ = try await w.value }
            return outcome
        }
        #expect(outcome.status == .stalled)
        #expect(outcome.quarantined.map(\.unit) == [poisonUnit])
        #expect(outcome.statistics.failures == Harness.coordinatorSettings().maxStrikes)
        // Rounds before the poisoned one were folded.
        #expect(outcome.report.samples == Int(poisonUnit) / 8 * 8)
    }
}
