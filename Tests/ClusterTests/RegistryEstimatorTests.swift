import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// The estimation core's estimators, built by name from a run configuration, give over the cluster
/// the report they give in-process, whatever the number of workers.
@Suite(.timeLimit(.minutes(6))) struct RegistryEstimatorTests {
    static func run(_ estimator: String, _ options: [String: String], game: any Game) -> RunConfiguration {
        RunConfiguration(runID: "registry-\(estimator)", estimator: estimator, options: options, seed: 11,
                         playerCount: game.playerCount, modelFingerprint: "model-A", dataFingerprint: "data-A",
                         metric: "value", chanceLevel: game.chanceLevel)
    }

    func clusterReport(_ run: RunConfiguration, game: any Game, workers: Int) async throws -> EstimateReport {
        try await withTimeout(60) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings(run)
            settings.heartbeatInterval = .milliseconds(50)
            let coordinator = Coordinator(configuration: settings, estimator: try RunConfiguration.registryEstimator(run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let tasks = Harness.startWorkers(workers, network: network, game: game)
            let outcome = try await coordinator.execute()
            for t in tasks { _ = try await t.value }
            #expect(outcome.status == .finished)
            return outcome.report
        }
    }

    @Test(arguments: [
        ("permutation", ["maxSamples": "40", "roundSize": "8", "chunkSize": "10"]),
        ("tmc", ["maxSamples": "40", "roundSize": "8", "chunkSize": "6"]),
        ("bandit", ["maxSamples": "60", "roundSize": "10", "chunkSize": "6", "topK": "3"]),
        ("stratified", ["maxSamples": "60", "chunkSize": "20", "focus": "2, 7,11", "topK": "2"]),
    ])
    func clusterEqualsLocalRun(estimator: String, options: [String: String]) async throws {
        let game = try GameRegistry.make("collapse-smooth", players: 24, seed: 3)
        let run = Self.run(estimator, options, game: game)
        var local = try RunConfiguration.registryEstimator(run)
        let expected = try LocalRun.run(&local, game: game)
        let one = try await clusterReport(run, game: game, workers: 1)
        let three = try await clusterReport(run, game: game, workers: 3)
        #expect(one == expected)
        #expect(three == expected)
        #expect(expected.samples > 0)
    }

    @Test func unknownOptionsAreRefusedWithTheKnownNames() throws {
        let game = AdditiveGame(playerCount: 4, seed: 1)
        #expect(throws: ClusterError.self) { try RunConfiguration.registryEstimator(Self.run("tmc", ["patiense": "3"], game: game)) }
        #expect(throws: ClusterError.self) { try RunConfiguration.registryEstimator(Self.run("tmc", ["patience": "x"], game: game)) }
        #expect(throws: ShapleyError.self) { try RunConfiguration.registryEstimator(Self.run("nope", [:], game: game)) }
        let o = try Self.run("tmc", ["patience": "3", "antithetic": "true", "floor": "0.1"], game: game).estimatorOptions()
        #expect(o.patience == 3 && o.antithetic && o.floor == 0.1 && o.seed == 11)
        #expect(try Self.run("stratified", ["focus": "3, 1"], game: game).estimatorOptions().focus == [3, 1])
        #expect(try Self.run("adaptive", ["uniformShare": "1"], game: game).estimatorOptions().uniformShare == 1)
        #expect(throws: ShapleyError.self) { try RunConfiguration.registryEstimator(Self.run("adaptive", ["uniformShare": "1.5"], game: game)) }
        #expect(try Self.run("adaptive", ["allocationGap": "1.5"], game: game).estimatorOptions().allocationGap == 1.5)
        #expect(throws: ShapleyError.self) { try RunConfiguration.registryEstimator(Self.run("adaptive", ["allocationGap": "-1"], game: game)) }
        #expect(try Self.run("adaptive", ["disputedObservations": "8"], game: game).estimatorOptions().disputedObservations == 8)
        #expect(throws: ShapleyError.invalidOption(name: "disputedObservations", value: "1",
                                                   expected: "a number of direct observations, at least 2 (2 asks no more of a disputed player than of any other)")) {
            try RunConfiguration.registryEstimator(Self.run("adaptive", ["disputedObservations": "1"], game: game))
        }
        #expect(try Self.run("adaptive", ["priorWeight": "2"], game: game).estimatorOptions().priorWeight == 2)
        #expect(throws: ShapleyError.invalidOption(name: "priorWeight", value: "0.0",
                                                   expected: "a positive number of pseudo-observations (0 would let two zero marginals resolve any player)")) {
            try RunConfiguration.registryEstimator(Self.run("adaptive", ["priorWeight": "0"], game: game))
        }
        #expect(throws: ClusterError.configuration("option focus='1;2' is not a list of player indices; expected e.g. focus=3,17,40")) {
            try RunConfiguration.registryEstimator(Self.run("stratified", ["focus": "1;2"], game: game))
        }
    }

    /// Run directories written before the factories were merged keep working: the same estimator
    /// from the old spellings as from the current ones.
    @Test func earlierSpellingsBuildTheSameEstimator() throws {
        let game = try GameRegistry.make("collapse-smooth", players: 12, seed: 2)
        var current = Self.run("tmc", ["maxSamples": "6", "maxEvaluations": "500", "roundSize": "3"], game: game)
        var earlier = Self.run("tmc", ["samples": "6", "evaluations": "500", "roundSize": "3",
                                       "chanceLevel": "\(game.chanceLevel ?? 0)", "gameArguments": "[\"--game\"]"], game: game)
        earlier.chanceLevel = nil
        #expect(try earlier.estimatorOptions() == current.estimatorOptions())
        #expect(earlier.effectiveChanceLevel == game.chanceLevel)
        var a = try RunConfiguration.registryEstimator(current), b = try RunConfiguration.registryEstimator(earlier)
        #expect(try LocalRun.run(&a, game: game) == LocalRun.run(&b, game: game))
        current.options["chanceLevel"] = "zero"
        #expect(throws: ClusterError.self) { try current.estimatorOptions() }
    }
}
