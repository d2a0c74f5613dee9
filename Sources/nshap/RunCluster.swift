import ArgumentParser
import Cluster
import Foundation
import Logging
import NeuronShapley
import ShapleyCore
import Synchronization
import ZMQTransport

/// Estimates the values of `nshap run` through the cluster: a coordinator in this process, local
/// worker processes over a private ipc:// socket (as `nshap local` does), and optionally remote
/// workers joining on an endpoint the coordinator binds.
struct RunCluster {
    /// What the estimation produced.
    struct Outcome {
        var outcome: CoordinatorOutcome
        var run: RunConfiguration
        var endpoint: String
        var seconds: Double
    }

    var data: GameData
    var estimator: EstimatorArguments
    var workers: Int
    var bind: String?
    var security: CoordinatorSecurityOptions
    var batchSize: Int
    var clusterDirectory: String
    var resume: Bool
    var progressInterval: Double
    var quiet: Bool
    var workerLogLevel: String
    var timeLimit: Double?

    /// Runs the estimation to its end (SIGINT and SIGTERM stop it gracefully; the journal keeps
    /// what was done).
    func run(logger: Logger) async throws -> Outcome {
        // Queued messages (a shutdown) leave before the process does: the shared context is
        // terminated (which flushes them) before this returns.
        try await ZMQContext.withShared { try await serve(logger: logger) }
    }

    private func serve(logger: Logger) async throws -> Outcome {
        let clock = ContinuousClock(), start = clock.now
        let address = bind ?? "ipc://\(NSTemporaryDirectory())nshap-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).ipc"
        defer { if address.hasPrefix("ipc://") { unlink(String(address.dropFirst("ipc://".count))) } }
        let processes = LocalProcesses()
        defer { processes.terminateAll(grace: .seconds(2)) }
        let watcher = BackgroundTask(), limiter = BackgroundTask()
        defer {
            watcher.cancel()
            limiter.cancel()
        }
        let endpoint = Mutex<String?>(nil)
        // As for `nshap local`: the socket is bound, the run opened and the workers started inside
        // the service group, once its SIGTERM/SIGINT handlers are installed, so that a signal at
        // any point of the start-up stops the run gracefully.
        let cluster = self
        let coordinator = try await PreparedCoordinator.serve(logger: logger) {
            let (coordinator, bound) = try await cluster.start(address: address, processes: processes, watcher: watcher,
                                                               limiter: limiter, logger: logger)
            endpoint.withLock { $0 = bound }
            return coordinator
        }
        guard let outcome = coordinator.outcome else { throw ValidationError("the coordinator ended without an outcome") }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Outcome(outcome: outcome, run: coordinator.configuration.run, endpoint: endpoint.withLock { $0 } ?? address,
                       seconds: seconds)
    }

    /// Binds the coordinator's socket on `address`, builds the coordinator, starts the local worker
    /// processes and the time limit; returns the coordinator and the endpoint it is bound to.
    private func start(address: String, processes: LocalProcesses, watcher: BackgroundTask, limiter: BackgroundTask,
                       logger: Logger) async throws -> (Coordinator, String) {
        let serverSecurity = try await security.serverSecurity(for: address, logger: logger)
        let server = try await ZMQServerTransport(bind: address, security: serverSecurity, insecure: security.insecure,
                                                  logger: Logger(label: "nshap.transport"))
        let endpoint = server.endpoint
        let coordinator: Coordinator
        do {
            coordinator = try makeCoordinator(transport: server, logger: logger)
        } catch {
            await server.close()
            throw error
        }
        let gameArguments = ["--players", data.settings.players] + data.settings.arguments.droppingPlayers()
        if bind != nil {
            let line = (["nshap", "worker", "--connect", endpoint] + gameArguments).map(Self.quoted).joined(separator: " ")
            FileHandle.standardError.write(Data("coordinator listening on \(endpoint); remote workers join with:\n  \(line)\n".utf8))
        }
        let executable = LocalProcesses.executablePath()
        for i in 0..<workers {
            let args = ["worker", "--connect", endpoint, "--name", "local-\(i + 1)", "--threads", "1",
                        "--batch-size", "\(batchSize)", "--parent-pid", "\(getpid())", "--log-level", workerLogLevel] + gameArguments
            try processes.spawn(name: "local-\(i + 1)", path: executable, arguments: args)
        }
        // Without remote workers, a run whose local workers have all ended stops (and can be
        // resumed) instead of waiting forever.
        processes.watch(with: watcher, logger: logger, stopping: bind == nil && workers > 0 ? coordinator : nil)
        if let limit = timeLimit {
            limiter.start {
                guard (try? await Task.sleep(for: .milliseconds(Int64(limit * 1000)))) != nil else { return }
                coordinator.stop(reason: "the time limit of \(limit) s is reached")
            }
        }
        return (coordinator, endpoint)
    }

    /// A coordinator for a new run in `clusterDirectory`, or resuming the one kept there.
    func makeCoordinator(transport: any ServerTransport, logger: Logger) throws -> Coordinator {
        let gameArguments = ["--players", data.settings.players] + data.settings.arguments.droppingPlayers()
        let names = data.players.addresses(in: data.model)
        let interval = progressInterval, quiet = quiet, limited = timeLimit != nil
        let hinted = Mutex(false)
        let onProgress: @Sendable (ProgressSnapshot) -> Void = { snapshot in
            guard !quiet else { return }
            var text = Self.line(snapshot, names: names) + "\n"
            if !limited, let hint = Self.budgetHint(snapshot), hinted.withLock({ done in let first = !done; done = true; return first }) {
                text += hint + "\n"
            }
            FileHandle.standardError.write(Data(text.utf8))
        }
        let adjust: (inout CoordinatorConfiguration) -> Void = { c in
            c.progressInterval = .milliseconds(Int64(max(0.05, interval) * 1000))
            c.progressTopK = 3
        }
        if resume {
            return try Coordinator.resume(runDirectory: clusterDirectory, adjust: adjust, makeEstimator: RunConfiguration.registryEstimator,
                                          transport: transport, logger: logger, onProgress: onProgress)
        }
        let run = RunConfiguration(
            runID: CoordinatorLauncher.newRunID(), estimator: estimator.estimator,
            options: estimator.savedOptions, seed: estimator.seed,
            playerCount: data.players.count, modelFingerprint: data.modelFingerprint, dataFingerprint: data.dataFingerprint,
            metric: data.metric.description, chanceLevel: data.chanceLevel,
            gameArguments: gameArguments)
        var configuration = CoordinatorConfiguration(run: run)
        adjust(&configuration)
        return try Coordinator.start(runDirectory: clusterDirectory, configuration: configuration,
                                     makeEstimator: RunConfiguration.registryEstimator, transport: transport, logger: logger,
                                     onProgress: onProgress)
    }

    /// A progress line naming the leading filters by address.
    static func line(_ s: ProgressSnapshot, names: [String]) -> String {
        let top = s.top.map { p in
            let name = p.player < names.count ? names[p.player] : "#\(p.player)"
            return "\(name) \(String(format: "%.4f", p.value))"
        }.joined(separator: ", ")
        // Evaluations count as they come back; the estimator folds them once their sample (a walk,
        // a direct measurement) is complete, which on a large game can take minutes.
        var head = String(format: "[%6.1fs] %d evaluations (%.0f/s), %d samples complete (%d evaluations)",
                          s.elapsedSeconds, s.evaluationsReceived, s.evaluationsPerSecond, s.samples, s.evaluations)
        head += ", \(s.workers) \(s.workers == 1 ? "worker" : "workers"), \(s.activePlayers) active"
        if let budget = s.budgetSummary { head += ", " + budget }
        return head + "; leading: " + top
    }

    /// Hours past which a run without a time limit is told how to bound it.
    static let longRunHours = 6.0

    /// Once, when the budget would last more than ``longRunHours`` at the current rate: what
    /// bounds the run, since the default budget suits small models and can mean days on large ones.
    static func budgetHint(_ s: ProgressSnapshot) -> String? {
        guard let left = s.secondsToBudget, left > longRunHours * 3600 else { return nil }
        let cap = s.maxEvaluations.map { "\($0) evaluations" } ?? s.maxSamples.map { "\($0) samples" } ?? "its budget"
        return "note: at this rate the estimator's budget (\(cap)) lasts up to \(ProgressSnapshot.duration(left)) more; "
            + "it stops sooner if its stopping rule is met. --time-limit SECONDS or --evaluations N bound the run; "
            + "Ctrl-C stops it gracefully and checks the values found so far, and 'nshap run --resume DIR' continues it."
    }

    /// `text` quoted for a shell when it needs it.
    static func quoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,@*".contains($0) }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
