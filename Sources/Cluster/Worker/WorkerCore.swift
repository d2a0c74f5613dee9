import Logging
import ShapleyCore

/// The worker as a state machine with no I/O: messages, completed evaluations and clock ticks go
/// in; messages for the coordinator, units to evaluate and, at the end, the reason to exit come out.
struct WorkerCore {
    enum Phase: Equatable {
        /// Saying hello until answered.
        case connecting(nextHello: ContinuousClock.Instant, backoff: Duration)
        /// Welcomed.
        case connected
    }

    enum Exit: Error {
        case finished(String)
        case failed(ClusterError)
    }

    let settings: WorkerConfiguration
    let playerCount: Int
    var logger: Logger
    var phase: Phase
    var lastHeard: ContinuousClock.Instant
    var lastHeartbeat: ContinuousClock.Instant
    var heartbeat: Duration
    var runID: String?
    var queue: [Assignment] = []
    var evaluating: [UInt64: Assignment] = [:]
    var unacknowledged: [UInt64: (report: ResultReport, sent: ContinuousClock.Instant?)] = [:]
    var lastLease: UInt64 = 0
    var stopping: (reason: String, deadline: ContinuousClock.Instant, announce: Bool)?
    var outbox: [Message] = []
    var toEvaluate: [Assignment] = []
    var exit: Exit?
    var evaluated = 0

    init(settings: WorkerConfiguration, playerCount: Int, logger: Logger, now: ContinuousClock.Instant) {
        self.settings = settings
        self.playerCount = playerCount
        self.logger = logger
        self.phase = .connecting(nextHello: now, backoff: settings.initialBackoff)
        self.lastHeard = now
        self.lastHeartbeat = now
        self.heartbeat = settings.heartbeatInterval
    }

    var credit: Int {
        if stopping != nil || unacknowledged.count >= settings.maxUnacknowledged { return 0 }
        return max(0, settings.effectiveSlots - queue.count - evaluating.count)
    }

    private var hello: Hello {
        Hello(instance: settings.instance, name: settings.name, modelFingerprint: settings.modelFingerprint,
              dataFingerprint: settings.dataFingerprint, metric: settings.metric,
              playerCount: UInt32(clamping: playerCount), slots: UInt32(clamping: settings.effectiveSlots))
    }

    private var heartbeatMessage: Message {
        .heartbeat(Heartbeat(credit: UInt32(clamping: credit), evaluating: evaluating.keys.sorted(), lastLease: lastLease,
                             queued: queue.map(\.lease)))
    }

    // MARK: Inputs

    mutating func receive(_ message: Message, now: ContinuousClock.Instant) {
        lastHeard = now
        switch message {
        case .welcome(let w):
            if phase != .connected {
                logger.info("connected to the coordinator", metadata: ["endpoint": "\(settings.endpoint)", "run": "\(w.runID)"])
            }
            if let old = runID, old != w.runID, !unacknowledged.isEmpty {
                logger.warning("the coordinator runs another run; dropping results of the old one", metadata: [
                    "old": "\(old)", "new": "\(w.runID)", "results": "\(unacknowledged.count)"])
                unacknowledged = [:]
            }
            runID = w.runID
            // Within sane bounds whatever the coordinator says.
            heartbeat = .milliseconds(min(60_000, max(10, Int(w.heartbeatMillis))))
            phase = .connected
            for (id, entry) in unacknowledged.sorted(by: { $0.key < $1.key }) {
                outbox.append(.result(entry.report))
                unacknowledged[id]?.sent = now
            }
            outbox.append(.ready(credit: UInt32(clamping: credit)))
        case .refuse(let refusal):
            exit = .failed(.refused(refusal))
        case .assign(let a):
            // Accepted in any phase: only a coordinator holding a session for this worker assigns.
            guard stopping == nil else { return }
            lastLease = a.lease
            let id = a.unit.id
            if let entry = unacknowledged[id] {
                outbox.append(.result(entry.report))  // already done: answer at once
                return
            }
            if queue.contains(where: { $0.unit.id == id }) || evaluating.values.contains(where: { $0.unit.id == id }) {
                return
            }
            guard queue.count + evaluating.count < 2 * settings.effectiveSlots else {
                // Twice the slots this worker announced (a coordinator may briefly count fewer
                // than the worker holds): a coordinator that ignores credit. Dropped; the
                // heartbeats show the lease is not held, so the coordinator issues the unit again.
                logger.warning("dropped an assignment beyond this worker's slots", metadata: ["unit": "\(id)", "lease": "\(a.lease)"])
                return
            }
            guard a.unit.playerCount == playerCount else {
                outbox.append(.failed(lease: a.lease, unitID: id, reason: "the unit has \(a.unit.playerCount) players, this worker's game has \(playerCount)"))
                return
            }
            queue.append(a)
            dispatch()
        case .ack(let ids):
            for id in ids { unacknowledged[id] = nil }
        case .heartbeat:
            break
        case .helloAgain:
            // The coordinator holds no session for this worker (it restarted, or declared it
            // dead): say hello at once rather than after a silence.
            guard stopping == nil else { return }
            if phase == .connected {
                logger.info("the coordinator asks this worker to say hello again", metadata: ["endpoint": "\(settings.endpoint)"])
            }
            outbox.append(.hello(hello))
            phase = .connecting(nextHello: now + settings.initialBackoff, backoff: settings.initialBackoff * 2)
        case .shutdown(let reason):
            logger.info("the coordinator asked this worker to stop", metadata: ["reason": "\(reason)"])
            beginStopping(reason: reason, now: now, announce: true)
        case .hello, .ready, .result, .bye, .failed:
            logger.warning("dropped a message a coordinator must not send", metadata: ["message": "\(message)"])
        }
    }

    mutating func completed(_ c: EvaluationPool.Completion, now: ContinuousClock.Instant) {
        evaluating[c.assignment.lease] = nil
        switch c.outcome {
        case .success(let result):
            evaluated += 1
            let report = ResultReport(lease: c.assignment.lease, evaluationNanos: c.nanos, result: result)
            let sendNow = phase == .connected
            unacknowledged[result.id] = (report, sendNow ? now : nil)
            if sendNow { outbox.append(.result(report)) }
        case .failure(let failure):
            logger.error("could not evaluate a unit", metadata: ["unit": "\(c.assignment.unit.id)", "error": "\(failure.message)"])
            if phase == .connected {
                outbox.append(.failed(lease: c.assignment.lease, unitID: c.assignment.unit.id, reason: failure.message))
            }
        }
        dispatch()
        if phase == .connected && stopping == nil { outbox.append(.ready(credit: UInt32(clamping: credit))) }
        finishStoppingIfDone()
    }

    mutating func tick(now: ContinuousClock.Instant) {
        let silence = now - lastHeard
        switch phase {
        case .connected:
            if silence > heartbeat * settings.coordinatorTimeoutIntervals {
                // A worker that is stopping says no hello: a coordinator that has finished is expected to be silent.
                logger.log(level: stopping == nil ? .warning : .debug,
                           stopping == nil ? "the coordinator is silent; saying hello again" : "the coordinator is silent while this worker stops",
                           metadata: ["endpoint": "\(settings.endpoint)", "silent": "\(silence)"])
                phase = .connecting(nextHello: now, backoff: settings.initialBackoff)
            }
        case .connecting:
            break
        }
        if case .connecting(let nextHello, let backoff) = phase {
            if silence >= settings.giveUpAfter {
                let seconds = Double(silence.components.seconds) + Double(silence.components.attoseconds) * 1e-18
                exit = .failed(.coordinatorSilent(endpoint: settings.endpoint, seconds: seconds))
                return
            }
            if now >= nextHello && stopping == nil {
                outbox.append(.hello(hello))
                phase = .connecting(nextHello: now + backoff, backoff: min(backoff * 2, settings.maxBackoff))
            }
        }
        if phase == .connected {
            if now - lastHeartbeat >= heartbeat {
                outbox.append(heartbeatMessage)
                lastHeartbeat = now
            }
            let resend = settings.resendInterval ?? heartbeat * 4
            for (id, entry) in unacknowledged where entry.sent.map({ now - $0 >= resend }) ?? true {
                outbox.append(.result(entry.report))
                unacknowledged[id]?.sent = now
            }
        }
        if let s = stopping, now >= s.deadline { leave(reason: s.reason, announce: s.announce) }
    }

    /// Stops taking work: queued units are handed back now, evaluating ones when they finish or at
    /// the grace deadline.
    mutating func beginStopping(reason: String, now: ContinuousClock.Instant, announce: Bool) {
        guard stopping == nil else { return }
        stopping = (reason, now + settings.shutdownGrace, announce)
        finishStoppingIfDone()
    }

    // MARK: Helpers

    private mutating func dispatch() {
        guard stopping == nil else { return }
        while evaluating.count < settings.parallelism, !queue.isEmpty {
            let a = queue.removeFirst()
            evaluating[a.lease] = a
            toEvaluate.append(a)
        }
    }

    private mutating func finishStoppingIfDone() {
        if let s = stopping, evaluating.isEmpty { leave(reason: s.reason, announce: s.announce) }
    }

    private mutating func leave(reason: String, announce: Bool) {
        guard exit == nil else { return }
        let returned = (queue.map(\.lease) + evaluating.keys).sorted()
        if phase == .connected || announce { outbox.append(.bye(returnedLeases: returned, reason: reason)) }
        queue = []
        exit = .finished(reason)
    }

    mutating func takeOutbox() -> [Message] {
        defer { outbox = [] }
        return outbox
    }

    mutating func takeWork() -> [Assignment] {
        defer { toEvaluate = [] }
        return toEvaluate
    }
}
