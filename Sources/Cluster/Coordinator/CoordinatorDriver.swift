import Logging
import ShapleyCore

/// The coordinator's loop as turns (an ``InlineServer``): each turn feeds the messages received to
/// the state machine, runs its periodic duties when a tick is due, journals what it accepted and
/// returns what to send. The transport's own thread can run the turns (no thread hand-off per
/// message); otherwise the coordinator's task does, receiving and sending for it.
///
/// A run goes through three phases: running (until the estimator finishes, the run stalls, or a
/// stop is asked for), draining (workers are told to leave; their last results and goodbyes are
/// journaled for up to the shutdown grace, every turn synced so that every acknowledgement goes
/// out) and done.
final class CoordinatorDriver: InlineServer, @unchecked Sendable {
    // @unchecked Sendable: one thread at a time calls it (the transport's thread while it serves,
    // the coordinator's task otherwise); the hand-over goes through the transport's continuation,
    // which orders memory.

    enum Phase {
        case running
        case draining(until: ContinuousClock.Instant, next: ContinuousClock.Instant)
        case done
    }

    private var core: CoordinatorCore
    private var outbound: Outbound
    private let settings: CoordinatorConfiguration
    private let codec: MessageCodec
    private let logger: Logger
    private let stopRequested: @Sendable () -> String?
    private let publish: @Sendable (ProgressSnapshot) -> Void
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let tickInterval: Duration
    private var lastTick: ContinuousClock.Instant
    private var lastProgress: ContinuousClock.Instant
    private var lastValues: Int
    private(set) var phase = Phase.running
    private(set) var status = CoordinatorOutcome.Status.finished
    /// What ended the run abnormally (the journal or the transport failed).
    private(set) var failure: (any Error)?

    init(core: CoordinatorCore, writer: JournalWriter?, settings: CoordinatorConfiguration, logger: Logger,
         stopRequested: @escaping @Sendable () -> String?, publish: @escaping @Sendable (ProgressSnapshot) -> Void) {
        self.core = core
        self.settings = settings
        self.codec = MessageCodec(maxMessageBytes: settings.maxMessageBytes)
        self.outbound = Outbound(writer: writer, codec: codec, syncInterval: settings.journalSyncInterval, logger: logger)
        self.logger = logger
        self.stopRequested = stopRequested
        self.publish = publish
        start = clock.now
        // Periodic duties (silent workers, lease deadlines, heartbeats) need no finer grain than a
        // quarter of a heartbeat; messages are handled as they come. Progress is reported at the
        // first tick after it is due.
        tickInterval = min(settings.heartbeatInterval / 4, .milliseconds(250), settings.progressInterval)
        lastTick = start - tickInterval  // the first turn is due at once
        lastProgress = start
        lastValues = core.statistics.valuesAccepted
        report(start)
    }

    /// The outcome, once the driver is done.
    var outcome: CoordinatorOutcome {
        CoordinatorOutcome(status: status, report: core.report(), quarantined: core.quarantine,
                           abandoned: core.abandoned.sorted(), statistics: core.statistics)
    }

    var nextTurn: ContinuousClock.Instant? {
        switch phase {
        case .running: return lastTick + tickInterval
        case .draining(let until, let next): return min(until, next)
        case .done: return nil
        }
    }

    func turn(_ inbound: [InboundMessage], now: ContinuousClock.Instant) -> [OutboundMessage] {
        let began = clock.now
        defer { core.statistics.busyNanos &+= (clock.now - began).nanoseconds }
        for m in inbound {
            do {
                core.receive(try codec.decode(m.frames), from: m.peer, now: now)
            } catch {
                core.receiveUndecodable(error, from: m.peer)
            }
        }
        do {
            switch phase {
            case .running:
                if now - lastTick >= tickInterval {
                    core.tick(now: now)
                    lastTick = now
                } else {
                    core.assign(now: now)
                }
                var out = try outbound.prepare(&core, now: now)
                if now - lastProgress >= settings.progressInterval { report(now) }
                if let ending = endOfRun() {
                    status = ending
                    core.beginShutdown(reason: ending == .finished ? "the run is finished" : "the coordinator is stopping (\(ending.rawValue))")
                    out += try outbound.prepare(&core, now: now, syncing: true)
                    phase = .draining(until: now + settings.shutdownGrace, next: now + .milliseconds(20))
                    if core.sessions.isEmpty { finish(now) }
                }
                return out
            case .draining(let until, _):
                core.buryUnreachable()
                let out = try outbound.prepare(&core, now: now, syncing: true)
                if core.sessions.isEmpty || now >= until {
                    finish(now)
                } else {
                    phase = .draining(until: until, next: now + .milliseconds(20))
                }
                return out
            case .done:
                return []
            }
        } catch {
            fail(error)
            return []
        }
    }

    func sent(_ failures: [Int: any Error]) {
        guard !failures.isEmpty else { return }
        do {
            try outbound.sent(failures, core: &core)
        } catch {
            fail(error)
        }
    }

    /// Why the run ends now, if it does.
    private func endOfRun() -> CoordinatorOutcome.Status? {
        if core.isFinished { return .finished }
        if core.isStalled { return .stalled }
        if let reason = stopRequested() {
            logger.notice("stopping", metadata: ["reason": "\(reason)"])
            return .stopped
        }
        return nil
    }

    private func finish(_ now: ContinuousClock.Instant) {
        report(now)
        if status == .stalled {
            for q in core.quarantine where !core.abandoned.contains(q.unit) {
                logger.error("the run cannot finish: a unit is quarantined", metadata: ["unit": "\(q.unit)", "reason": "\(q.reason)"])
            }
        }
        phase = .done
    }

    private func fail(_ error: any Error) {
        logger.error("the coordinator cannot go on", metadata: ["error": "\(error)"])
        failure = error
        phase = .done
    }

    private func report(_ now: ContinuousClock.Instant) {
        let seconds = Double((now - lastProgress).milliseconds) / 1000
        let rate = seconds > 0 ? Double(core.statistics.valuesAccepted - lastValues) / seconds : 0
        outbound.updateJournalStatistics(&core.statistics)
        let snapshot = core.snapshot(elapsed: Double((now - start).milliseconds) / 1000, valuesPerSecond: rate)
        lastProgress = now
        lastValues = core.statistics.valuesAccepted
        publish(snapshot)
    }
}
