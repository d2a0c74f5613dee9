import ArgumentParser
import Cluster
import Logging
import ServiceLifecycle
import Synchronization

/// A service that builds its coordinator (binds, opens the run, announces the endpoint) only once
/// it runs inside a ``ServiceGroup``, that is once the group has installed its graceful-shutdown
/// signal handlers, and then runs it.
///
/// A SIGTERM that arrives at any point after something announced the coordinator (its endpoint
/// file, its "listening" log line) is therefore a graceful stop, never the signal's default
/// action: if it lands before the coordinator runs, the coordinator's shutdown handler is invoked
/// as soon as it is registered, and the coordinator starts, stops at once, hands back nothing,
/// closes its journal and reports the run as stopped.
final class PreparedCoordinator: Service {
    private let prepare: @Sendable () async throws -> Coordinator
    private let built = Mutex<Coordinator?>(nil)

    /// A service that runs the coordinator `prepare` builds.
    init(_ prepare: @escaping @Sendable () async throws -> Coordinator) {
        self.prepare = prepare
    }

    /// The coordinator, once built.
    var coordinator: Coordinator? { built.withLock { $0 } }

    /// Builds the coordinator and runs it until the run ends or the group shuts down.
    func run() async throws {
        let coordinator = try await prepare()
        built.withLock { $0 = coordinator }
        try await coordinator.run()
    }

    /// Runs the coordinator `prepare` builds in a service group that stops it gracefully on SIGINT
    /// and SIGTERM (handlers installed before `prepare` is called), and returns the coordinator
    /// once it has ended.
    static func serve(logger: Logger, _ prepare: @escaping @Sendable () async throws -> Coordinator) async throws -> Coordinator {
        let service = PreparedCoordinator(prepare)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        guard let coordinator = service.coordinator else {
            throw ValidationError("the coordinator ended before it was built")
        }
        return coordinator
    }
}
