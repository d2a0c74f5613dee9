import Logging
import ServiceLifecycle
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// Coordinator and workers as services: a graceful shutdown of their group (what SIGTERM does)
/// stops them cleanly, with leases handed back.
@Suite(.timeLimit(.minutes(4))) struct ServiceLifecycleTests {
    @Test func gracefulShutdownStopsTheCoordinatorAndItsWorkers() async throws {
        let game = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .microseconds(500))
        let (outcome, reasons) = try await withTimeout(30) { () -> (CoordinatorOutcome?, [String]) in
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            // A worker starved on a loaded machine is not declared lost (and then refused when it
            // says hello again during the shutdown): both workers keep their sessions, and the
            // coordinator waits for both goodbyes, as long as they take (it ends once both are in).
            settings.workerTimeoutIntervals = 5000
            settings.shutdownGrace = .seconds(30 * testTimeScale)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let group = ServiceGroup(services: [coordinator], logger: Harness.quietLogger)
            let running = Task { try await group.run() }
            // Nor does a starved worker take the coordinator's silence for a lost coordinator and
            // say hello again, which the shutting-down coordinator would refuse.
            let workers = Harness.startWorkers(2, network: network, game: game,
                                               configure: { $0.coordinatorTimeoutIntervals = 5000 })
            // Both workers hold sessions (one that says hello after the shutdown began is refused).
            try await waitUntil { accepted(coordinator) >= 5 && (coordinator.latestProgress?.workers ?? 0) == 2 }
            await group.triggerGracefulShutdown()
            try await running.value
            var reasons: [String] = []
            for w in workers { reasons.append(try await w.value.reason) }
            return (coordinator.outcome, reasons)
        }
        #expect(outcome?.status == .stopped)
        #expect((outcome?.report.samples ?? 48) < 48)
        let statistics = outcome?.statistics
        #expect(statistics?.workersLeft == 2 && statistics?.workersLost == 0, "\(String(describing: statistics))")
        #expect(reasons.count == 2 && reasons.allSatisfy { $0.contains("stopping") }, "\(reasons)")
    }

    @Test func gracefulShutdownMakesAWorkerHandBackItsLeases() async throws {
        let game = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .microseconds(500))
        let outcome = try await withTimeout(30) { () -> CoordinatorOutcome in
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            // Without the bye's handed-back leases the run would wait far beyond the test's time limit.
            settings.workerTimeoutIntervals = 5000
            settings.leaseTimeout = .seconds(600)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let leaving = Worker(configuration: Harness.workerSettings("leaving"), game: game,
                                 transport: network.connect("coordinator"), logger: Harness.quietLogger)
            let group = ServiceGroup(services: [leaving], logger: Harness.quietLogger)
            let running = Task { try await group.run() }
            try await waitUntil { accepted(coordinator) >= 3 }
            await group.triggerGracefulShutdown()
            try await running.value
            let staying = Harness.startWorkers(1, network: network, game: game)
            let outcome = try await run.value
            _ = try await staying[0].value
            return outcome
        }
        #expect(outcome.status == .finished)
        #expect(outcome.statistics.workersLeft == 2 && outcome.statistics.workersLost == 0, "\(outcome.statistics)")  // both said bye
    }
}
