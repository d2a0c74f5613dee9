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
    /// Group-commit state of the journal.
    struct JournalSync {
        var last: ContinuousClock.Instant
        var dirty = false
    }

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
        do {
            let outcome = try await loop()
            await transport.close()
            journal?.close()
            latest.withLock { $0.outcome = outcome }
            return outcome
        } catch {
            await transport.close()
            throw error
        }
    }

    private func loop() async throws -> CoordinatorOutcome {
        var core = CoordinatorCore(settings: configuration, estimator: estimator, logger: logger)
        if let journal {
            if journal.truncatedBytes > 0 {
                logger.warning("dropped a torn record at the end of the journal", metadata: [
                    "path": "\(journal.path)", "bytes": "\(journal.truncatedBytes)"])
            }
            try core.replay(journal.records, journalPath: journal.path)
        }
        let codec = MessageCodec(maxMessageBytes: configuration.maxMessageBytes)
        let clock = ContinuousClock()
        let start = clock.now
        let tickInterval = min(configuration.heartbeatInterval / 2, .milliseconds(100))
        var lastTick = start, lastProgress = start, lastValues = core.statistics.valuesAccepted
        func report(_ now: ContinuousClock.Instant) {
            let seconds = Double((now - lastProgress).milliseconds) / 1000
            let rate = seconds > 0 ? Double(core.statistics.valuesAccepted - lastValues) / seconds : 0
            let snapshot = core.snapshot(elapsed: Double((now - start).milliseconds) / 1000, valuesPerSecond: rate)
            lastProgress = now
            lastValues = core.statistics.valuesAccepted
            latest.withLock { $0.snapshot = snapshot }
            onProgress?(snapshot)
        }
        report(start)

        var sync = JournalSync(last: start)
        var status = CoordinatorOutcome.Status.finished
        while true {
            if core.isFinished { status = .finished; break }
            if core.isStalled { status = .stalled; break }
            if let reason = stopRequest.withLock({ $0 }) {
                logger.notice("stopping", metadata: ["reason": "\(reason)"])
                status = .stopped
                break
            }
            let woke = try await receiveBatch(into: &core, codec: codec, timeout: tickInterval, now: clock)
            let now = clock.now
            if now - lastTick >= tickInterval {
                core.tick(now: now)
                lastTick = now
            } else {
                core.assign(now: now)
            }
            try await flush(&core, codec: codec, sync: &sync)
            if now - lastProgress >= configuration.progressInterval { report(now) }
            core.statistics.busyNanos &+= (clock.now - (woke ?? now)).nanoseconds
        }

        // Hand-back: workers return leases and send what they finished; keep journaling it.
        core.beginShutdown(reason: status == .finished ? "the run is finished" : "the coordinator is stopping (\(status.rawValue))")
        try await flush(&core, codec: codec, sync: &sync, force: true)
        let graceEnd = clock.now + configuration.shutdownGrace
        while !core.sessions.isEmpty && clock.now < graceEnd {
            try await receiveBatch(into: &core, codec: codec, timeout: .milliseconds(20), now: clock)
            try await flush(&core, codec: codec, sync: &sync, force: true)
        }
        report(clock.now)
        if status == .stalled {
            for q in core.quarantine where !core.abandoned.contains(q.unit) {
                logger.error("the run cannot finish: a unit is quarantined", metadata: ["unit": "\(q.unit)", "reason": "\(q.reason)"])
            }
        }
        return CoordinatorOutcome(status: status, report: core.report(), quarantined: core.quarantine,
                                  abandoned: core.abandoned.sorted(), statistics: core.statistics)
    }

    /// Receives and handles up to 512 messages; returns when the first one arrived (`nil` if none).
    @discardableResult
    private func receiveBatch(into core: inout CoordinatorCore, codec: MessageCodec, timeout: Duration,
                              now clock: ContinuousClock) async throws -> ContinuousClock.Instant? {
        guard let first = try await transport.receive(timeout: timeout) else { return nil }
        let woke = clock.now
        var inbound = [first]
        while inbound.count < 512, let more = try await transport.receive(timeout: .zero) { inbound.append(more) }
        let now = clock.now
        for m in inbound {
            do {
                core.receive(try codec.decode(m.frames), from: m.peer, now: now)
            } catch {
                core.receiveUndecodable(error, from: m.peer)
            }
        }
        return woke
    }

    /// Journals what was accepted, then sends everything pending. Acknowledgements wait until the
    /// journal was synced: at most every ``CoordinatorConfiguration/journalSyncInterval`` (group
    /// commit), or at once when `force` is set.
    private func flush(_ core: inout CoordinatorCore, codec: MessageCodec, sync: inout JournalSync,
                       force: Bool = false) async throws {
        let clock = ContinuousClock()
        let accepted = core.takeJournalRecords()
        var acks: [Outgoing] = []
        if let journal {
            let start = clock.now
            if !accepted.isEmpty {
                try journal.write(accepted)
                sync.dirty = true
            }
            if sync.dirty && (force || start - sync.last >= configuration.journalSyncInterval) {
                try journal.sync()
                sync.dirty = false
                sync.last = clock.now
                core.statistics.journalSyncs += 1
            }
            core.statistics.journalNanos &+= (clock.now - start).nanoseconds
            if !sync.dirty { acks = core.takeAcks() }
        } else {
            acks = core.takeAcks()
        }
        for o in core.takeOutbox() + acks {
            let frames: [[UInt8]]
            do {
                frames = try codec.encode(o.message)
            } catch {
                logger.error("cannot encode a message", metadata: ["peer": "\(o.peer)", "error": "\(error)"])
                if case .assign(let a) = o.message {
                    core.endLease(a.lease)
                    core.strike(a.unit.id, reason: "its assignment cannot be sent: \(error)")
                }
                continue
            }
            do {
                try await transport.send(frames, to: o.peer)
            } catch ClusterError.peerUnreachable {
                core.statistics.sendFailures += 1
                core.peerUnreachable(o.peer)
            } catch let error as ClusterError {
                core.statistics.sendFailures += 1
                logger.debug("a message was not sent", metadata: ["peer": "\(o.peer)", "error": "\(error)"])
                if case .assign(let a) = o.message {
                    // Known not to be delivered (the peer's queue is full): issue it again at once.
                    core.endLease(a.lease)
                    core.requeue(a.unit.id)
                }
            }
        }
    }
}
