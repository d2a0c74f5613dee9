import ArgumentParser
import Cluster
import Foundation
import Logging
import Synchronization
import ZMQTransport

/// `nshap local`: a coordinator and N worker processes on this machine.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run a coordinator and N worker processes on this machine and print the result.",
        discussion: """
        The coordinator runs in this process and listens on a private ipc:// socket (or loopback TCP); the workers are processes of this same program. Progress is streamed to the terminal; the run directory keeps the journal, so an interrupted run continues with --resume DIR. SIGINT or SIGTERM stop the run gracefully; the workers are always ended with it.
        """)

    @Option(name: .long, help: ArgumentHelp("Number of worker processes.", valueName: "N"))
    var workers: Int = 2

    @Option(name: .long, help: ArgumentHelp("Units each worker evaluates at once.", valueName: "N"))
    var threads: Int = 1

    @Option(name: .long, help: ArgumentHelp("How workers reach the coordinator: ipc or tcp (loopback).", valueName: "KIND"))
    var transport: String = "ipc"

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Directory for a new run (default: runs/RUN_ID).", valueName: "DIR"))
    var runDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Continue the run kept in this directory (the workers must use the run's game options).", valueName: "DIR"))
    var resume: String?

    @Option(name: .customLong("worker-log-level"), help: ArgumentHelp("Log level of the worker processes.", valueName: "LEVEL"))
    var workerLogLevel: String = "warning"

    @OptionGroup(title: "Game") var game: GameOptions
    @OptionGroup(title: "Estimator") var estimator: EstimatorArguments
    @OptionGroup(title: "Coordinator") var settings: CoordinatorSettings
    @OptionGroup(title: "Output") var output: OutputOptions

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers \(workers): expected 1 to 256") }
        guard threads >= 1 else { throw ValidationError("--threads \(threads): expected at least 1") }
        guard ["ipc", "tcp"].contains(transport) else { throw ValidationError("--transport \(transport): expected ipc or tcp") }
        if resume != nil && runDirectory != nil {
            throw ValidationError("give either --run-dir (a new run) or --resume (an existing run), not both")
        }
    }

    func run() async throws {
        // Queued messages (a shutdown) leave before the process does: the shared context is
        // terminated (which flushes them) before this returns.
        try await ZMQContext.withShared { try await serve() }
    }

    private func serve() async throws {
        LogSetup.bootstrap(try output.level)
        let logger = Logger(label: "nshap.local")
        let sink = try ProgressSink(output)
        let address = transport == "tcp"
            ? "tcp://127.0.0.1:*"
            : "ipc://\(NSTemporaryDirectory())nshap-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).ipc"
        defer {
            if address.hasPrefix("ipc://") { unlink(String(address.dropFirst("ipc://".count))) }
        }
        let processes = LocalProcesses()
        defer { processes.terminateAll(grace: .seconds(2)) }
        let watcher = BackgroundTask()
        defer { watcher.cancel() }
        // As for `nshap coordinator`: the socket is bound, the run opened and the workers started
        // inside the service group, once its SIGTERM/SIGINT handlers are installed, so that a
        // signal at any point of the start-up stops the run gracefully.
        let command = self
        let coordinator = try await PreparedCoordinator.serve(logger: logger) {
            try await command.start(address: address, processes: processes, watcher: watcher, logger: logger, sink: sink)
        }
        let code = try CoordinatorLauncher.finish(coordinator, output: output, logger: logger)
        if code != .success { throw code }
    }

    /// Binds the coordinator's socket on `address`, builds the coordinator, starts the worker
    /// processes, and has `watcher` stop the run when every worker process has ended.
    private func start(address: String, processes: LocalProcesses, watcher: BackgroundTask, logger: Logger,
                       sink: ProgressSink) async throws -> Coordinator {
        let server = try await ZMQServerTransport(bind: address, logger: Logger(label: "nshap.transport"))
        let endpoint = server.endpoint
        let coordinator: Coordinator
        do {
            coordinator = try CoordinatorLauncher.make(
                runDirectory: runDirectory, resume: resume, game: game, estimator: estimator, settings: settings,
                output: output, transport: server, logger: Logger(label: "nshap.coordinator"), sink: sink)
        } catch {
            await server.close()
            throw error
        }
        // A resumed run keeps its game: start the workers with the saved game options.
        var gameArguments = game.arguments
        if let resume, let saved = try SavedGame.arguments(ofRunAt: resume) { gameArguments = saved }
        let executable = LocalProcesses.executablePath()
        for i in 0..<workers {
            let args = ["worker", "--connect", endpoint, "--name", "local-\(i + 1)", "--threads", "\(threads)",
                        "--parent-pid", "\(getpid())", "--log-level", workerLogLevel] + gameArguments
            try processes.spawn(name: "local-\(i + 1)", path: executable, arguments: args)
        }
        logger.info("started workers", metadata: ["count": "\(workers)", "endpoint": "\(endpoint)"])
        processes.watch(with: watcher, logger: logger, stopping: coordinator)
        return coordinator
    }
}
