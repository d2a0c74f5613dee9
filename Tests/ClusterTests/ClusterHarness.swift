import Foundation
import Logging
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// Shared setup of the cluster tests: short timers, an in-process network, bounded waits.
enum Harness {
    static let players = 6

    static func run(id: String = "test-run", players: Int = Harness.players) -> RunConfiguration {
        RunConfiguration(runID: id, estimator: "round-permutation", options: ["samples": "48", "perRound": "8"],
                         seed: 7, playerCount: players, modelFingerprint: "model-A", dataFingerprint: "data-A",
                         metric: "value")
    }

    /// The factory a command line would pass: builds the estimator from the saved configuration.
    static let makeEstimator: EstimatorFactory = { run in
        RoundPermutationEstimator(playerCount: run.playerCount, seed: run.seed,
                                  samples: Int(run.options["samples"] ?? "") ?? 48,
                                  perRound: Int(run.options["perRound"] ?? "") ?? 8)
    }

    static func coordinatorSettings(_ run: RunConfiguration = Harness.run()) -> CoordinatorConfiguration {
        var c = CoordinatorConfiguration(run: run)
        c.heartbeatInterval = .milliseconds(20)
        // Dead after 1 s of silence: quick enough for the fault tests, slow enough that a live
        // worker starved on a loaded machine is seldom declared lost (each loss counts towards
        // quarantining the units it was evaluating).
        c.workerTimeoutIntervals = 50
        // Fewer losses than by default before a unit that kills its workers is quarantined (each
        // takes a second of silence to notice), still more than the strikes of failures.
        c.maxLosses = 5
        c.leaseTimeout = .seconds(5)
        c.shutdownGrace = .milliseconds(300)
        c.progressInterval = .milliseconds(200)
        c.firstLease = 1000
        return c
    }

    static func workerSettings(_ name: String, model: String = "model-A") -> WorkerConfiguration {
        var w = WorkerConfiguration(name: name, endpoint: "inproc://coordinator", modelFingerprint: model,
                                    dataFingerprint: "data-A", metric: "value")
        w.heartbeatInterval = .milliseconds(20)
        w.giveUpAfter = .seconds(5)
        w.initialBackoff = .milliseconds(10)
        w.maxBackoff = .milliseconds(100)
        w.shutdownGrace = .milliseconds(300)
        return w
    }

    static var quietLogger: Logger {
        var l = Logger(label: "test")
        l.logLevel = ProcessInfo.processInfo.environment["CLUSTER_TEST_LOGS"] == nil ? .critical : .debug
        return l
    }

    /// The estimator run to completion in this process, without any cluster (abandoning the units
    /// in `abandoning` instead of evaluating them): the reference report.
    static func localReport(game: any Game, estimator: any Estimator, abandoning: Set<UInt64> = []) throws -> EstimateReport {
        var e = estimator
        let evaluator = WorkEvaluator(game: game)
        while !e.isFinished {
            let units = e.nextWork(limit: 1000)
            precondition(!units.isEmpty, "an estimator that waits with nothing outstanding")
            for u in units {
                if abandoning.contains(u.id) {
                    precondition(e.abandon(unitID: u.id), "the reference estimator must abandon \(u.id)")
                } else {
                    _ = try e.ingest(evaluator.evaluate(u))
                }
            }
        }
        return e.report()
    }

    /// Starts `count` workers on `network`, each in its own task.
    static func startWorkers(_ count: Int, network: InProcessNetwork, game: any Game,
                             wrap: @escaping @Sendable (any ClientTransport, Int) -> any ClientTransport = { t, _ in t },
                             configure: (inout WorkerConfiguration) -> Void = { _ in })
        -> [Task<WorkerOutcome, any Error>] {
        (0..<count).map { i in
            var settings = workerSettings("w\(i)")
            configure(&settings)
            let worker = Worker(configuration: settings, game: game,
                                transport: wrap(network.connect("coordinator"), i), logger: quietLogger)
            return Task { try await worker.execute() }
        }
    }

    /// A fresh temporary directory path (not created).
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "cluster-tests-\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the operation did not finish within \(seconds) s" }
}

/// How much longer than nominal the time bounds of these tests are. The bounds catch hangs, they
/// do not measure speed: the whole suite runs its tests in parallel on as few as two cores, next to
/// the engine's, so a test may get a small share of the machine. `NSHAP_TEST_TIME_SCALE` overrides.
let testTimeScale: Double = {
    guard let text = ProcessInfo.processInfo.environment["NSHAP_TEST_TIME_SCALE"], let scale = Double(text), scale > 0 else { return 4 }
    return scale
}()

/// Runs `body`, failing with ``TimedOut`` (and cancelling it) after `seconds` (times ``testTimeScale``).
func withTimeout<T: Sendable>(_ nominal: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let seconds = nominal * testTimeScale
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(seconds: seconds) }
        return value
    }
}

/// Polls `condition` every 5 ms until it holds, failing with ``TimedOut`` after `seconds` (times
/// ``testTimeScale``).
func waitUntil(_ nominal: Double = 20, _ condition: @Sendable () -> Bool) async throws {
    let seconds = nominal * testTimeScale
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(seconds: seconds) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Results the coordinator accepted so far, from its latest progress report.
func accepted(_ coordinator: Coordinator) -> Int {
    coordinator.latestProgress?.statistics.resultsAccepted ?? 0
}
