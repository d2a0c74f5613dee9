import ArgumentParser
import Cluster
import Foundation
import Logging
import ServiceLifecycle
import ZMQTransport

/// `nshap worker`: evaluates work units for a coordinator.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Connect to a coordinator, evaluate the work it leases, return the values.",
        discussion: """
        The worker must be started with the same game as the coordinator: it is refused (and exits with the reason) when its fingerprints differ. It keeps its results until the coordinator has journaled them, so a coordinator restart loses nothing. SIGINT or SIGTERM make it hand back its leases and leave.

        Exit status: 0 the run ended, 2 refused by the coordinator, 4 the coordinator stayed silent.
        """)

    @Option(name: .long, help: ArgumentHelp("The coordinator's address: tcp://HOST:PORT or ipc:///PATH.", valueName: "ENDPOINT"))
    var connect: String

    @Option(name: .long, help: ArgumentHelp("A name for logs (default: host and process id).", valueName: "NAME"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Units evaluated at once, each on its own thread.", valueName: "N"))
    var threads: Int = 1

    @Option(name: .long, help: ArgumentHelp("Units held at once, evaluating plus queued (default: threads + 1).", valueName: "N"))
    var slots: Int = 0

    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Coalitions per call to the game.", valueName: "N"))
    var batchSize: Int = 16

    @Option(name: .customLong("give-up"), help: ArgumentHelp("Exit after hearing nothing from the coordinator for this many seconds.", valueName: "SECONDS"))
    var giveUpSeconds: Double = 60

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Option(name: .customLong("health-file"), help: ArgumentHelp("Touch this file every second while messages from the coordinator keep arriving (for liveness probes: a stale file means a silent coordinator or a stuck worker).", valueName: "FILE"))
    var healthFile: String?

    @Option(name: .customLong("parent-pid"), help: ArgumentHelp("Exit as soon as this process is no longer the parent (used by 'nshap local').", visibility: .hidden))
    var parentPID: Int32?

    @OptionGroup(title: "Game") var game: GameOptions
    @OptionGroup(title: "Security") var security: WorkerSecurityOptions

    func validate() throws {
        _ = try Endpoint(connect)
        guard threads >= 1 else { throw ValidationError("--threads \(threads): expected at least 1") }
        guard slots >= 0 else { throw ValidationError("--slots \(slots): expected 0 (automatic) or more") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size \(batchSize): expected at least 1") }
        guard giveUpSeconds > 0 else { throw ValidationError("--give-up \(giveUpSeconds): expected a positive number of seconds") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        // Queued messages (a goodbye) leave before the process does: the shared context is
        // terminated (which flushes them) before this returns.
        try await ZMQContext.withShared { try await serve() }
    }

    private func serve() async throws {
        LogSetup.bootstrap(Logger.Level(rawValue: logLevel.lowercased()) ?? .info)
        if let parentPID { ParentWatch.start(parent: parentPID) }
        let workerName = name ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let logger = Logger(label: "nshap.worker")
        let setup = try GameFactory.setup(game)
        let loaded = try setup.make()
        var configuration = WorkerConfiguration(name: workerName, endpoint: connect, modelFingerprint: setup.modelFingerprint,
                                                dataFingerprint: setup.dataFingerprint, metric: setup.metric)
        configuration.parallelism = threads
        configuration.slots = slots
        configuration.batchSize = batchSize
        configuration.giveUpAfter = .milliseconds(Int64(giveUpSeconds * 1000))
        let transport = try await ZMQClientTransport(connect: connect, security: try security.clientSecurity(for: connect),
                                                     insecure: security.insecure, logger: Logger(label: "nshap.transport"))
        logger.info("connecting", metadata: ["endpoint": "\(connect)", "name": "\(workerName)", "curve": "\(transport.isSecure)"])
        let worker = Worker(configuration: configuration, game: loaded, transport: transport, logger: logger)
        let health = healthFile.map { path in
            Task {
                var last = -1
                while !Task.isCancelled {
                    let received = transport.statistics.received
                    if received != last {
                        last = received
                        _ = FileManager.default.createFile(atPath: path, contents: Data("\(received)\n".utf8))
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let ended: Result<Void, any Error>
        do {
            try await group.run()
            ended = .success(())
        } catch {
            ended = .failure(error)
        }
        // The health task holds the transport: let it end before the transport is released.
        health?.cancel()
        _ = await health?.value
        do {
            try ended.get()
        } catch ClusterError.refused(let refusal) {
            logger.error("refused by the coordinator", metadata: ["reason": "\(refusal.message)"])
            FileHandle.standardError.write(Data("nshap worker: refused by the coordinator: \(refusal.message)\n".utf8))
            throw ExitCode(2)
        } catch let error as ClusterError {
            if case .coordinatorSilent = error {
                FileHandle.standardError.write(Data("nshap worker: \(error)\n".utf8))
                throw ExitCode(4)
            }
            throw error
        }
    }
}

/// Ends the process when its parent does (the parent of a worker started by `nshap local` is the
/// coordinator; if it is killed, its workers must not linger). The parent's pid is given rather
/// than read at start, so that a parent killed before the worker got this far is noticed too.
enum ParentWatch {
    static func start(parent: Int32) {
        let thread = Thread {
            while true {
                if getppid() != parent {
                    FileHandle.standardError.write(Data("nshap worker: the parent process ended; exiting\n".utf8))
                    exit(70)
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        thread.start()
    }
}
