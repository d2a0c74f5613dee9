import ArgumentParser
import Cluster
import Foundation
import Logging
import ServiceLifecycle
import ShapleyCore

/// Operating settings of the coordinator service (timing, flow control, metrics), shared by
/// `nshap coordinator` and `nshap local`. They may change when a run is resumed.
struct CoordinatorSettings: ParsableArguments {
    @Option(name: .customLong("heartbeat-ms"), help: ArgumentHelp("Heartbeat interval in milliseconds, both ways.", valueName: "MS"))
    var heartbeatMilliseconds: Int = 1000

    @Option(name: .customLong("worker-timeout"), help: ArgumentHelp("Heartbeat intervals of silence after which a worker is declared dead and its leases issued again.", valueName: "N"))
    var workerTimeoutIntervals: Int = 5

    @Option(name: .customLong("lease-timeout"), help: ArgumentHelp("Seconds a lease lasts before its unit may be given to another worker too (default: adaptive, 5 times the longest recent unit turnaround, between 30 and 600 s).", valueName: "SECONDS"))
    var leaseTimeoutSeconds: Double?

    @Option(name: .customLong("metrics-port"), help: ArgumentHelp("Serve Prometheus metrics over HTTP on this port.", valueName: "PORT"))
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: ArgumentHelp("Address the metrics endpoint listens on.", valueName: "HOST"))
    var metricsHost: String = "127.0.0.1"

    @Option(name: .customLong("shutdown-grace"), help: ArgumentHelp("Seconds a stopping coordinator waits for workers to hand back leases.", valueName: "SECONDS"))
    var shutdownGraceSeconds: Double = 5

    func validate() throws {
        guard heartbeatMilliseconds >= 10 else { throw ValidationError("--heartbeat-ms \(heartbeatMilliseconds): expected at least 10") }
        guard workerTimeoutIntervals >= 2 else { throw ValidationError("--worker-timeout \(workerTimeoutIntervals): expected at least 2 intervals") }
        if let leaseTimeoutSeconds, !(leaseTimeoutSeconds > 0) {
            throw ValidationError("--lease-timeout \(leaseTimeoutSeconds): expected a positive number of seconds")
        }
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace \(shutdownGraceSeconds): expected a non-negative number of seconds") }
        if let metricsPort, !(1...65535).contains(metricsPort) { throw ValidationError("--metrics-port \(metricsPort): expected 1-65535") }
    }

    /// Applies these settings to a coordinator configuration.
    func apply(to c: inout CoordinatorConfiguration, progressInterval: Double) {
        c.heartbeatInterval = .milliseconds(heartbeatMilliseconds)
        c.workerTimeoutIntervals = workerTimeoutIntervals
        c.leaseTimeout = leaseTimeoutSeconds.map { .milliseconds(Int64($0 * 1000)) }
        c.metricsPort = metricsPort
        c.metricsHost = metricsHost
        c.shutdownGrace = .milliseconds(Int64(shutdownGraceSeconds * 1000))
        c.progressInterval = .milliseconds(Int64(max(0.05, progressInterval) * 1000))
    }
}

/// Builds and runs a coordinator for `nshap coordinator` and `nshap local`.
enum CoordinatorLauncher {
    /// A coordinator for a new run in `runDirectory` (created) or for the run resumed from
    /// `resume`, serving over `transport`.
    static func make(runDirectory: String?, resume: String?, game: GameOptions, estimator: EstimatorArguments,
                     settings: CoordinatorSettings, output: OutputOptions, transport: any ServerTransport,
                     logger: Logger, sink: ProgressSink) throws -> Coordinator {
        if let resume {
            return try Coordinator.resume(
                runDirectory: resume,
                adjust: { settings.apply(to: &$0, progressInterval: output.progressInterval) },
                makeEstimator: RunConfiguration.registryEstimator, transport: transport, logger: logger,
                onProgress: { sink.report($0) })
        }
        let setup = try GameFactory.setup(game)
        let runID = newRunID()
        let run = RunConfiguration(
            runID: runID, estimator: estimator.estimator, options: estimator.savedOptions,
            seed: estimator.seed, playerCount: setup.playerCount, modelFingerprint: setup.modelFingerprint,
            dataFingerprint: setup.dataFingerprint, metric: setup.metric, chanceLevel: setup.chanceLevel,
            gameArguments: game.arguments)
        var configuration = CoordinatorConfiguration(run: run)
        settings.apply(to: &configuration, progressInterval: output.progressInterval)
        let directory = runDirectory ?? "runs/\(runID)"
        let coordinator = try Coordinator.start(
            runDirectory: directory, configuration: configuration, makeEstimator: RunConfiguration.registryEstimator,
            transport: transport, logger: logger, onProgress: { sink.report($0) })
        logger.notice("new run", metadata: ["run": "\(runID)", "directory": "\(directory)"])
        return coordinator
    }

    /// Runs `coordinator` until the run ends (SIGINT and SIGTERM stop it gracefully), prints and
    /// writes the result, and says how the process should exit.
    static func run(_ coordinator: Coordinator, output: OutputOptions, logger: Logger) async throws -> ExitCode {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: coordinator, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return try finish(coordinator, output: output, logger: logger)
    }

    /// Prints and writes the result of a coordinator that has ended, and says how the process
    /// should exit.
    static func finish(_ coordinator: Coordinator, output: OutputOptions, logger: Logger) throws -> ExitCode {
        guard let outcome = coordinator.outcome else {
            throw ValidationError("the coordinator ended without an outcome")
        }
        let document = ResultDocument(run: coordinator.configuration.run, outcome: outcome)
        if let path = output.output { try document.write(to: path) }
        print(document.summary())
        fflush(nil)
        switch outcome.status {
        case .finished: return .success
        case .stopped:
            logger.notice("stopped before the end; continue with --resume")
            return ExitCode(75)
        case .stalled: return ExitCode(3)
        }
    }

    /// A run id: UTC time and a random suffix.
    static func newRunID() -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "run-\(utcStamp(secondsSince1970: Int(Date().timeIntervalSince1970)))-\(suffix)"
    }

    /// `yyyyMMdd-HHmmss` in UTC, computed directly (a `DateFormatter` loads ICU's calendar data,
    /// a noticeable part of a coordinator's start-up).
    static func utcStamp(secondsSince1970 t: Int) -> String {
        let (days, second) = (t.quotientAndRemainder(dividingBy: 86_400))
        // Civil date from days since 1970-01-01 (proleptic Gregorian calendar, eras of 400 years).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)\(two(month))\(two(day))-\(two(second / 3600))\(two(second / 60 % 60))\(two(second % 60))"
    }
}

/// The game options of a run, saved with it (``RunConfiguration/gameArguments``) so that
/// `nshap local --resume` can start workers with the same game (workers with another game would
/// be refused).
enum SavedGame {
    /// The option key under which earlier releases saved them (a JSON array).
    static let legacyKey = "gameArguments"

    /// The game arguments saved in the run at `directory`, if any.
    static func arguments(ofRunAt directory: String) throws -> [String]? {
        let (_, run) = try RunDirectory.open(at: directory)
        if let arguments = run.gameArguments { return arguments }
        guard let text = run.options[legacyKey] else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
