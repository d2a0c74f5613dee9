import ArgumentParser
import Cluster
import Foundation
import Logging
import ServiceLifecycle
import ZMQTransport

/// `nshap coordinator`: owns a run and serves work units to workers over ZeroMQ.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Own a run: lease work to workers, journal their results, stop when the estimator is done.",
        discussion: """
        The coordinator keeps the run in a directory (its configuration and a crash-safe journal of every accepted result); after a crash, '--resume DIR' continues with nothing lost and nothing counted twice. Off loopback, traffic is encrypted and authenticated with CURVE unless --insecure is given: see 'nshap keys generate'.

        A unit that fails 3 times (the game raises an error on it), or whose workers are lost 8 times while they evaluate it (they crash, or go silent past their deadline), is quarantined; the estimator goes on without it (the sample it belonged to is left out, and the result lists it) when it can, and the run stalls otherwise.

        Exit status: 0 finished, 75 stopped early (resume it), 3 stalled on quarantined units.
        """)

    @Option(name: .long, help: ArgumentHelp("Address to listen on: tcp://*:PORT, tcp://HOST:PORT, ipc:///PATH.", valueName: "ENDPOINT"))
    var bind: String

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Directory for a new run (default: runs/RUN_ID).", valueName: "DIR"))
    var runDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Continue the run kept in this directory; its saved game and estimator settings are used.", valueName: "DIR"))
    var resume: String?

    @Flag(name: .customLong("resume-existing"), help: "If --run-dir already holds a run, resume it instead of refusing (for supervisors that restart the coordinator).")
    var resumeExisting = false

    @Flag(name: .customLong("idle-after-finish"), help: "When the run ends, stay alive (answering on the metrics port) until SIGTERM instead of exiting.")
    var idleAfterFinish = false

    @Option(name: .customLong("endpoint-file"), help: ArgumentHelp("Write the bound endpoint (with the port filled in) to this file once listening.", valueName: "FILE"))
    var endpointFile: String?

    @OptionGroup(title: "Game") var game: GameOptions
    @OptionGroup(title: "Estimator") var estimator: EstimatorArguments
    @OptionGroup(title: "Security") var security: CoordinatorSecurityOptions
    @OptionGroup(title: "Coordinator") var settings: CoordinatorSettings
    @OptionGroup(title: "Output") var output: OutputOptions

    func validate() throws {
        if resumeExisting && runDirectory == nil {
            throw ValidationError("--resume-existing needs --run-dir DIR")
        }
        if resume != nil && runDirectory != nil {
            throw ValidationError("give either --run-dir (a new run) or --resume (an existing run), not both")
        }
        _ = try Endpoint(bind)
    }

    func run() async throws {
        IdleBLAS.releaseThreads()
        LogSetup.bootstrap(try output.level)
        let logger = Logger(label: "nshap.coordinator")
        let sink = try ProgressSink(output)
        // Queued messages (a shutdown) leave before the process does: the shared context is
        // terminated (which flushes them) once the coordinator is over.
        let code = try await ZMQContext.withShared {
            // Everything that announces the coordinator (the "listening" line, the endpoint file)
            // runs inside the service group, after its SIGTERM/SIGINT handlers are installed: a
            // signal sent as soon as the endpoint file appears stops the run gracefully.
            let command = self
            let coordinator = try await PreparedCoordinator.serve(logger: logger) {
                try await command.prepare(logger: logger, sink: sink)
            }
            return try CoordinatorLauncher.finish(coordinator, output: output, logger: logger)
        }
        if idleAfterFinish {
            let status = "# nshap coordinator: the run is over (exit status \(code.rawValue))\nnshap_run_over 1\n"
            let idle = CoordinatorIdleStatus(host: settings.metricsHost, port: settings.metricsPort, body: status, logger: logger)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: idle, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
        if code != .success { throw code }
    }

    /// Binds the transport, announces the endpoint, and builds the coordinator of a new or
    /// resumed run.
    private func prepare(logger: Logger, sink: ProgressSink) async throws -> Coordinator {
        let serverSecurity = try await security.serverSecurity(for: bind, logger: logger)
        let transport = try await ZMQServerTransport(bind: bind, security: serverSecurity, insecure: security.insecure,
                                                     logger: Logger(label: "nshap.transport"))
        logger.notice("listening", metadata: ["endpoint": "\(transport.endpoint)", "curve": "\(transport.isSecure)"])
        do {
            if let endpointFile {
                do {
                    try (transport.endpoint + "\n").write(toFile: endpointFile, atomically: true, encoding: .utf8)
                } catch {
                    throw ValidationError("--endpoint-file \(endpointFile): cannot write it: \(error.localizedDescription)")
                }
            }
            var resume = self.resume, runDirectory = self.runDirectory
            if resumeExisting, let dir = runDirectory, FileManager.default.fileExists(atPath: dir + "/config.json") {
                logger.notice("resuming the run found in the run directory", metadata: ["directory": "\(dir)"])
                resume = dir
                runDirectory = nil
            }
            return try CoordinatorLauncher.make(
                runDirectory: runDirectory, resume: resume, game: game, estimator: estimator, settings: settings,
                output: output, transport: transport, logger: logger, sink: sink)
        } catch {
            await transport.close()
            throw error
        }
    }
}
