public import Logging
public import ServiceLifecycle
public import ShapleyCore
import Synchronization

/// Builds a run's estimator from its saved configuration: the seam through which the estimation
/// core's estimators (by name, with options) plug into the coordinator.
public typealias EstimatorFactory = @Sendable (RunConfiguration) throws -> any Estimator

/// How a coordinator's run ended.
public struct CoordinatorOutcome: Sendable {
    /// Why the run ended.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The estimator's stopping rule was met.
        case finished
        /// The coordinator was told to stop (SIGTERM); resume the run from its directory.
        case stopped
        /// Quarantined units the estimator cannot do without block it; nothing else can be done.
        case stalled
    }

    /// Why the run ended.
    public var status: Status
    /// The estimates at the end.
    public var report: EstimateReport
    /// Units quarantined, with the reason of their last strike.
    public var quarantined: [(unit: UInt64, reason: String)]
    /// The quarantined units the estimator went on without (the sample each belonged to is not in
    /// the estimates); the other quarantined units blocked the run.
    public var abandoned: [UInt64]
    /// The coordinator's counters.
    public var statistics: CoordinatorStatistics
}

/// The coordinator of a run, as a service: owns the estimator, leases units to workers over a
/// ``ServerTransport``, journals every accepted result before acknowledging it, reissues the
/// leases of silent workers, quarantines units that keep killing workers, reports progress, and
/// stops when the estimator's stopping rule is met (or on graceful shutdown, handing leases back).
///
/// The coordinator owns the transport and the journal it is given and closes both when it ends.
/// Cancelling its task is a crash: nothing more is written, and a resumed coordinator continues
/// from the journal.
public final class Coordinator: Service {
    /// The settings.
    public let configuration: CoordinatorConfiguration
    private let estimator: any Estimator
    private let transport: any ServerTransport
    private let journal: Journal?
    private let logger: Logger
    private let onProgress: (@Sendable (ProgressSnapshot) -> Void)?
    private let stopRequest = Mutex<String?>(nil)
    private let latest = Mutex<(snapshot: ProgressSnapshot?, outcome: CoordinatorOutcome?)>((nil, nil))

    /// A coordinator for `estimator` (fresh, or to be rebuilt from `journal`'s results).
    public init(configuration: CoordinatorConfiguration, estimator: any Estimator, transport: any ServerTransport,
                journal: Journal?, logger: Logger = Logger(label: "nshap.coordinator"),
                onProgress: (@Sendable (ProgressSnapshot) -> Void)? = nil) {
        precondition(estimator.playerCount == configuration.run.playerCount,
                     "the estimator and the run configuration must agree on the player count")
        self.configuration = configuration
        self.estimator = estimator
        self.transport = transport
        self.journal = journal
        self.logger = logger
        self.onProgress = onProgress
    }

    /// The most recent progress report (for metrics endpoints and tests).
    public var latestProgress: ProgressSnapshot? { latest.withLock { $0.snapshot } }

    /// How the run ended, once it has.
    public var outcome: CoordinatorOutcome? { latest.withLock { $0.outcome } }

    /// Asks the coordinator to stop: it stops issuing work, asks workers to hand back their leases,
    /// waits up to the shutdown grace for them, and returns with status ``CoordinatorOutcome/Status/stopped``.
    public func stop(reason: String = "the coordinator was asked to stop") {
        stopRequest.withLock { if $0 == nil { $0 = reason } }
    }

    /// Runs until the run ends; a graceful shutdown of the service group stops it cleanly.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            _ = try await execute()
        } onGracefulShutdown: {
            self.stop(reason: "the coordinator received a shutdown signal")
        }
    }

    /// Runs until the estimator finishes, the run stalls, or ``stop(reason:)``; returns the outcome.
    public func execute() async throws -> CoordinatorOutcome {
        let metrics = try configuration.metricsPort.map { port in
            try MetricsServer(host: configuration.metricsHost, port: port, logger: logger) { [weak self] in
                PrometheusText.render(self?.latestProgress, run: self?.configuration.run)
            }
        }
        defer { metrics?.stop() }
        let writer = journal.map { JournalWriter(journal: $0) }
        do {
            let outcome = try await loop(writer: writer)
            writer?.stop()
            await transport.close()
            journal?.close()
            latest.withLock { $0.outcome = outcome }
            return outcome
        } catch {
            // A crash: what was written but not synced is left to the page cache (it was not
            // acknowledged either), as when the process is killed.
            writer?.stop(discardingPending: true)
            await transport.close()
            throw error
        }
    }

    private func loop(writer: JournalWriter?) async throws -> CoordinatorOutcome {
        var core = CoordinatorCore(settings: configuration, estimator: estimator, logger: logger)
        if let journal {
            if journal.truncatedBytes > 0 {
                logger.warning("dropped a torn record at the end of the journal", metadata: [
                    "path": "\(journal.path)", "bytes": "\(journal.truncatedBytes)"])
            }
            try core.replay(journal.records, journalPath: journal.path)
        }
        let driver = CoordinatorDriver(
            core: core, writer: writer, settings: configuration, logger: logger,
            stopRequested: { [weak self] in self?.stopRequest.withLock { $0 } },
            publish: { [weak self] snapshot in
                self?.latest.withLock { $0.snapshot = snapshot }
                self?.onProgress?(snapshot)
            })
        if try await !transport.serve(driver) {
            try await drive(driver)
        }
        if let failure = driver.failure { throw failure }
        return driver.outcome
    }

    /// Runs the driver's turns on this task: waits for messages until the next turn is due,
    /// handles them in batches of up to 512, sends what the turn gives.
    private func drive(_ driver: CoordinatorDriver) async throws {
        let clock = ContinuousClock()
        while let next = driver.nextTurn {
            var inbound: [InboundMessage] = []
            if let first = try await transport.receive(timeout: max(.zero, next - clock.now)) {
                inbound.append(first)
                while inbound.count < 512, let more = try await transport.receive(timeout: .zero) { inbound.append(more) }
            }
            let out = driver.turn(inbound, now: clock.now)
            if !out.isEmpty { driver.sent(await transport.send(batch: out)) }
        }
    }
}
