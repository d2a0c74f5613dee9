import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

@Suite(.timeLimit(.minutes(4))) struct ClusterRunTests {
    func runCluster(workers: Int, game: any Game = WeightedTestGame(playerCount: Harness.players)) async throws
        -> (CoordinatorOutcome, [WorkerOutcome]) {
        try await withTimeout(30) {
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil,
                                          logger: Harness.quietLogger)
            let tasks = Harness.startWorkers(workers, network: network, game: game)
            let outcome = try await coordinator.execute()
            var outcomes: [WorkerOutcome] = []
            for t in tasks { outcomes.append(try await t.value) }
            return (outcome, outcomes)
        }
    }

    @Test func oneWorkerMatchesTheLocalLoop() async throws {
        let game = WeightedTestGame(playerCount: Harness.players)
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let (outcome, workers) = try await runCluster(workers: 1)
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.report.samples == 48)
        #expect(workers.map(\.unitsEvaluated) == [48])
        #expect(workers[0].reason == "the run is finished")
    }

    @Test func fourWorkersMatchOneWorker() async throws {
        let (one, _) = try await runCluster(workers: 1)
        let (four, workers) = try await runCluster(workers: 4)
        #expect(four.status == .finished)
        #expect(four.report == one.report)
        #expect(workers.map(\.unitsEvaluated).reduce(0, +) >= 48)
    }
}
