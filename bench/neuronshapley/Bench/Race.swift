import Cluster
import Foundation
import Logging
import NeuronShapley
import ServiceLifecycle
import ShapleyCore
import Synchronization
import ZMQTransport

/// `race`: one estimator on the network game through the real cluster (a coordinator here, worker
/// processes of the `nshap` binary over ipc://), recording the estimator's top-k every second, so
/// that `score` can tell when it reached a precision against a reference ranking.
enum Race {
    struct Snapshot: Codable {
        var elapsed: Double
        var evaluations: Int
        var samples: Int
        /// Players still in play (absent in results written before it was recorded).
        var active: Int?
        var top: [Int]
    }

    struct Result: Codable {
        var estimator: String
        var options: [String: String]
        var players: String
        var playerCount: Int
        var validationImages: Int
        var workers: Int
        var status: String
        var finished: Bool
        var seconds: Double
        var evaluations: Int
        var samples: Int
        var topK: [Int]
        var ranking: [Int]
        var values: [Double]
        var lower: [Double]
        var upper: [Double]
        /// Each player's direct marginals (absent in results written before they were recorded).
        var marginals: [Int]?
        var addresses: [String]
        var snapshots: [Snapshot]
    }

    static func run(_ o: Options) async throws {
        let nshap = o.require("nshap")
        var settings = GameSettings(model: o.require("model"), data: o.require("data"), metric: o.string("metric") ?? "accuracy",
                                    players: o.string("players") ?? "all")
        settings.maxValidation = o.int("max-validation")
        settings.cacheDirectory = o.string("cache-dir")
        settings.linearReadout = !o.flags.contains("no-linear-readout")
        settings = settings.absolutized()
        let data = try GameData.load(settings)
        let estimator = o.require("estimator")
        var runOptions: [String: String] = ["topK": o.string("top-k") ?? "10"]
        if let s = o.string("samples") { runOptions["maxSamples"] = s }
        if let e = o.string("evaluations") { runOptions["maxEvaluations"] = e }
        for (key, value) in o.settings() { runOptions[key] = value }
        let workers = o.int("workers") ?? 2
        let timeLimit = o.double("time-limit") ?? .infinity
        let k = Int(runOptions["topK"] ?? "10") ?? 10
        let logger = Logger(label: "race")

        let address = "ipc://\(NSTemporaryDirectory())nshap-race-\(getpid()).ipc"
        let server = try await ZMQServerTransport(bind: address, logger: Logger(label: "race.transport"))
        defer { unlink(String(address.dropFirst("ipc://".count))) }
        let gameArguments = ["--players", settings.players] + dropPlayers(settings.arguments)
        let run = RunConfiguration(
            runID: "race-\(estimator)-\(getpid())", estimator: estimator, options: runOptions, seed: UInt64(o.int("seed") ?? 1),
            playerCount: data.players.count, modelFingerprint: data.modelFingerprint, dataFingerprint: data.dataFingerprint,
            metric: data.metric.description, chanceLevel: data.chanceLevel, gameArguments: gameArguments)
        var configuration = CoordinatorConfiguration(run: run)
        configuration.progressInterval = .milliseconds(Int64((o.double("progress-interval") ?? 1) * 1000))
        configuration.progressTopK = k
        let snapshots = Mutex<[Snapshot]>([])
        let directory = o.string("run-dir") ?? NSTemporaryDirectory() + "nshap-race-\(getpid())-\(estimator)"
        try? FileManager.default.removeItem(atPath: directory)
        let coordinator = try Coordinator.start(
            runDirectory: directory, configuration: configuration, makeEstimator: RunConfiguration.registryEstimator,
            transport: server, logger: logger, onProgress: { s in
                snapshots.withLock { $0.append(Snapshot(elapsed: s.elapsedSeconds, evaluations: s.evaluations, samples: s.samples,
                                                        active: s.activePlayers, top: s.top.map(\.player))) }
                if Int(s.elapsedSeconds) % 30 == 0 || s.finished {
                    log("[\(estimator) \(Int(s.elapsedSeconds))s] \(s.evaluations) evaluations, \(s.samples) samples, \(s.activePlayers) active")
                }
            })
        var children: [Process] = []
        for i in 0..<workers {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: nshap)
            p.arguments = ["worker", "--connect", address, "--name", "race-\(i + 1)", "--threads", "1",
                           "--batch-size", o.string("batch-size") ?? "16", "--parent-pid", "\(getpid())",
                           "--log-level", "warning"] + gameArguments
            p.standardInput = FileHandle.nullDevice
            try p.run()
            children.append(p)
        }
        defer {
            for p in children where p.isRunning { p.terminate() }
            for p in children { p.waitUntilExit() }
        }
        let clock = ContinuousClock(), start = clock.now
        let stopper = Task {
            guard timeLimit.isFinite else { return }
            try await Task.sleep(for: .milliseconds(Int64(timeLimit * 1000)))
            coordinator.stop(reason: "time limit of \(timeLimit) s")
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: coordinator, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        stopper.cancel()
        let elapsed = seconds(since: start)
        guard let outcome = coordinator.outcome else { fail("the coordinator ended without an outcome") }
        let report = outcome.report
        let result = Result(
            estimator: estimator, options: runOptions, players: settings.players, playerCount: data.players.count,
            validationImages: data.validation.count, workers: workers, status: outcome.status.rawValue, finished: report.finished,
            seconds: elapsed, evaluations: report.evaluations, samples: report.samples,
            topK: report.topK.isEmpty ? Array(report.ranking.prefix(k)) : Array(report.topK.prefix(k)), ranking: report.ranking,
            values: report.players.map(\.value), lower: report.players.map(\.lower), upper: report.players.map(\.upper),
            marginals: report.players.map(\.marginals),
            addresses: data.players.addresses(in: data.model),
            snapshots: snapshots.withLock { $0 })
        writeJSON(result, to: o.require("out"))
        log("\(estimator): \(outcome.status.rawValue) after \(report.evaluations) evaluations in \(String(format: "%.1f", elapsed)) s; wrote \(o.require("out"))")
        ZMQContext.releaseShared()
    }

    static func dropPlayers(_ arguments: [String]) -> [String] {
        var out: [String] = [], i = 0
        while i < arguments.count {
            if arguments[i] == "--players" { i += 2; continue }
            out.append(arguments[i])
            i += 1
        }
        return out
    }
}
