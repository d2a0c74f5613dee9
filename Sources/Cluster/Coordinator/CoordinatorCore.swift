import Logging
import ShapleyCore

/// A message for a peer, produced by the coordinator's state machine.
struct Outgoing: Sendable {
    var peer: PeerID
    var message: Message
}

/// What the coordinator knows about one connected worker.
struct WorkerSession {
    var peer: PeerID
    var hello: Hello
    var credit: Int = 0
    var leases: Set<UInt64> = []
    /// Leases the worker said it was evaluating in its last heartbeat.
    var evaluating: Set<UInt64> = []
    /// Leases the worker said it held (evaluating or queued) in its last heartbeat.
    var held: Set<UInt64> = []
    /// The lease of the first and the last assignment sent to it, and the last it said it received.
    var firstLeaseSent: UInt64 = 0
    var lastLeaseSent: UInt64 = 0
    var lastLeaseReported: UInt64 = 0
    var lastHeard: ContinuousClock.Instant
    var lastSent: ContinuousClock.Instant
    /// Its recent lease turnarounds, for its lease deadlines.
    var turnarounds: RecentTurnarounds

    /// Units held, counting units the worker still holds after their leases ended (expired, or
    /// answered by another worker).
    var occupied: Int { leases.count + held.union(evaluating).subtracting(leases).count }
    /// Whether `evaluating` accounts for every assignment sent.
    var evaluatingIsCurrent: Bool { lastLeaseReported == lastLeaseSent }
}

/// A unit taken from the estimator and not yet accepted.
struct OpenUnit {
    var unit: WorkUnit
    var leases: Set<UInt64> = []
    /// Failures: evaluation errors and results that do not fit (towards ``CoordinatorConfiguration/maxStrikes``).
    var strikes = 0
    /// Workers lost while evaluating it (towards ``CoordinatorConfiguration/maxLosses``).
    var losses = 0
    var queued = false

    /// Whether something went wrong with it before: it is then given only to an idle worker, which
    /// gets nothing else until it is resolved, so that the next failure or loss is blamed precisely.
    var isSuspect: Bool { strikes > 0 || losses > 0 }
}

/// A lease: which unit, to whom, since and until when.
struct LeaseRecord {
    var unitID: UInt64
    var peer: PeerID
    var granted: ContinuousClock.Instant
    var deadline: ContinuousClock.Instant
}

/// The coordinator as a state machine with no I/O: messages and clock ticks go in, messages for
/// peers (``takeOutbox()``), records to journal (``takeJournalRecords()``) and acknowledgements to send
/// once those are durable (``takeAcks()``) come out. Deterministic given its inputs, so it is
/// tested without a network.
struct CoordinatorCore {
    let settings: CoordinatorConfiguration
    var logger: Logger
    var estimator: any Estimator
    var statistics = CoordinatorStatistics()

    var sessions: [PeerID: WorkerSession] = [:]
    var peersByInstance: [UInt64: PeerID] = [:]
    var leases: [UInt64: LeaseRecord] = [:]
    var nextLease: UInt64
    var open: [UInt64: OpenUnit] = [:]
    var fresh = UnitQueue()
    var retry = UnitQueue()
    var suspects = UnitQueue()
    var done: Set<UInt64> = []
    var early: [UInt64: (peer: PeerID, report: ResultReport)] = [:]
    var quarantined: [UInt64: String] = [:]
    /// Quarantined units the estimator went on without.
    var abandoned: Set<UInt64> = []
    var journalRecords: [JournalRecord] = []
    var acks: [PeerID: [UInt64]] = [:]
    var outbox: [Outgoing] = []
    var shuttingDown = false
    /// Lease turnarounds of the whole run, for the deadlines of workers without enough of their own.
    var runTurnarounds: RecentTurnarounds
    /// Peers a send found gone, to be declared dead at the next turn.
    var unreachable: Set<PeerID> = []
    /// When each peer without a session was last asked to say hello again (bounded).
    var helloAgainSent: [PeerID: ContinuousClock.Instant] = [:]

    init(settings: CoordinatorConfiguration, estimator: any Estimator, logger: Logger) {
        self.settings = settings
        self.estimator = estimator
        self.logger = logger
        self.nextLease = max(1, settings.firstLease)
        self.runTurnarounds = RecentTurnarounds(capacity: max(1, settings.adaptiveLease.window))
    }

    // MARK: Observations

    /// Whether the estimator's stopping rule is met.
    var isFinished: Bool { estimator.isFinished }

    /// Whether the run cannot go on: nothing to issue, nothing leased, and quarantined units the
    /// estimator cannot do without block its round.
    var isStalled: Bool {
        guard !isFinished, leases.isEmpty, fresh.isEmpty, retry.isEmpty, suspects.isEmpty, !open.isEmpty else { return false }
        return open.keys.allSatisfy { quarantined[$0] != nil }
    }

    /// Quarantined units with the reason of their last strike or loss, by unit id.
    var quarantine: [(unit: UInt64, reason: String)] {
        quarantined.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    var queuedCount: Int { fresh.count + retry.count + suspects.count }

    /// The estimator's report.
    func report() -> EstimateReport { estimator.report() }

    /// The limit on units taken from the estimator and not yet finished.
    var maxOpenUnits: Int {
        if settings.maxOpenUnits > 0 { return settings.maxOpenUnits }
        let slots = sessions.values.reduce(0) { $0 + Int($1.hello.slots) }
        return max(64, 4 * slots)
    }

    // MARK: Outputs

    mutating func takeOutbox() -> [Outgoing] {
        defer { outbox = [] }
        return outbox
    }

    /// Results accepted and units abandoned since the last call, to be journaled before
    /// ``takeAcks()``.
    mutating func takeJournalRecords() -> [JournalRecord] {
        defer { journalRecords = [] }
        return journalRecords
    }

    /// Acknowledgements of everything accepted so far; send only once it is durable.
    mutating func takeAcks() -> [Outgoing] {
        defer { acks = [:] }
        return acks.flatMap { peer, ids in
            stride(from: 0, to: ids.count, by: 100_000).map { start in
                Outgoing(peer: peer, message: .ack(unitIDs: Array(ids[start..<min(ids.count, start + 100_000)])))
            }
        }
    }

    // MARK: Inputs

    /// Handles a decoded message from `peer`.
    mutating func receive(_ message: Message, from peer: PeerID, now: ContinuousClock.Instant) {
        if case .hello(let hello) = message {
            handleHello(hello, from: peer, now: now)
            return
        }
        guard sessions[peer] != nil else {
            statistics.strayMessages += 1
            logger.debug("ignored a message from a peer without a session", metadata: ["peer": "\(peer)"])
            switch message {
            case .ready, .heartbeat, .result, .failed: askToSayHelloAgain(peer, now: now)
            default: break
            }
            return
        }
        sessions[peer]?.lastHeard = now
        switch message {
        case .ready(let credit):
            sessions[peer]?.credit = Int(credit)
        case .heartbeat(let hb):
            sessions[peer]?.credit = Int(hb.credit)
            sessions[peer]?.evaluating = Set(hb.evaluating)
            sessions[peer]?.lastLeaseReported = hb.lastLease
            let held = Set(hb.evaluating).union(hb.queued)
            sessions[peer]?.held = held
            reissueLostAssignments(of: peer, held: held, lastReceived: hb.lastLease, now: now)
        case .result(let report):
            receiveResult(report, from: peer, now: now)
        case .failed(let lease, let unitID, let reason):
            statistics.failures += 1
            sessions[peer]?.evaluating.remove(lease)
            sessions[peer]?.held.remove(lease)
            if leases[lease]?.unitID == unitID { endLease(lease) }
            let name = sessions[peer]?.hello.name ?? "\(peer)"
            logger.warning("worker could not evaluate a unit", metadata: ["worker": "\(name)", "unit": "\(unitID)", "reason": "\(reason)"])
            strike(unitID, reason: "worker \(name) failed on it: \(reason)")
        case .bye(let returned, let reason):
            handleBye(returned: returned, reason: reason, from: peer)
        case .hello, .welcome, .refuse, .assign, .ack, .shutdown, .helloAgain:
            statistics.malformedMessages += 1
            logger.warning("dropped a message a worker must not send", metadata: ["peer": "\(peer)", "message": "\(message)"])
        }
    }

    /// Handles a frame that did not decode.
    mutating func receiveUndecodable(_ error: any Error, from peer: PeerID) {
        statistics.malformedMessages += 1
        if case ClusterError.unsupportedVersion(let version, let kind) = error, kind == MessageCodec.Kind.hello.rawValue {
            statistics.workersRefused += 1
            logger.warning("refused a worker speaking another protocol version", metadata: ["peer": "\(peer)", "version": "\(version)"])
            outbox.append(Outgoing(peer: peer, message: .refuse(Refusal(
                code: .protocolVersion,
                message: "this coordinator speaks protocol version \(MessageCodec.version), the worker speaks version \(version); run workers of the same release"))))
            return
        }
        logger.warning("dropped a malformed frame", metadata: ["peer": "\(peer)", "error": "\(error)"])
    }

    /// A send to `peer` failed because it is gone. It is declared dead at the next turn, after the
    /// messages already received from it (a goodbye that crossed the failed send) were handled.
    mutating func peerUnreachable(_ peer: PeerID) {
        if sessions[peer] != nil { unreachable.insert(peer) }
    }

    /// Declares dead the peers found unreachable.
    mutating func buryUnreachable() {
        guard !unreachable.isEmpty else { return }
        for peer in unreachable { bury(peer, reason: "it is unreachable") }
        unreachable = []
    }

    /// Stops issuing work and asks every worker to hand back its leases and leave.
    mutating func beginShutdown(reason: String) {
        guard !shuttingDown else { return }
        shuttingDown = true
        for peer in sessions.keys { outbox.append(Outgoing(peer: peer, message: .shutdown(reason: reason))) }
    }

    private mutating func handleHello(_ hello: Hello, from peer: PeerID, now: ContinuousClock.Instant) {
        if let refusal = refusal(for: hello) {
            statistics.workersRefused += 1
            logger.warning("refused a worker", metadata: ["worker": "\(hello.name)", "reason": "\(refusal.message)"])
            outbox.append(Outgoing(peer: peer, message: .refuse(refusal)))
            return
        }
        if let existing = sessions[peer], existing.hello.instance != hello.instance {
            bury(peer, reason: "a new worker process took over its connection")
        }
        if sessions[peer] == nil, let oldPeer = peersByInstance[hello.instance], oldPeer != peer,
           var moved = sessions.removeValue(forKey: oldPeer) {
            // The same worker process reconnected under a new id: it keeps its leases.
            moved.peer = peer
            for l in moved.leases { leases[l]?.peer = peer }
            sessions[peer] = moved
            if let ids = acks.removeValue(forKey: oldPeer) { acks[peer, default: []] += ids }
            logger.info("worker reconnected", metadata: ["worker": "\(hello.name)", "peer": "\(peer)"])
        }
        helloAgainSent[peer] = nil
        var session = sessions[peer] ?? WorkerSession(
            peer: peer, hello: hello, lastHeard: now, lastSent: now,
            turnarounds: RecentTurnarounds(capacity: max(1, settings.adaptiveLease.window)))
        if sessions[peer] == nil {
            logger.info("worker joined", metadata: ["worker": "\(hello.name)", "peer": "\(peer)", "slots": "\(hello.slots)"])
        }
        session.hello = hello
        session.lastHeard = now
        session.lastSent = now
        sessions[peer] = session
        peersByInstance[hello.instance] = peer
        statistics.workersWelcomed += 1
        outbox.append(Outgoing(peer: peer, message: .welcome(Welcome(
            runID: settings.run.runID,
            heartbeatMillis: UInt32(clamping: settings.heartbeatInterval.milliseconds),
            maxMessageBytes: UInt32(clamping: settings.maxMessageBytes)))))
    }

    /// A worker that talks to this coordinator without a session (the coordinator restarted, or
    /// declared it dead) is asked to say hello again, at most once per heartbeat interval, instead
    /// of waiting for it to notice the silence.
    private mutating func askToSayHelloAgain(_ peer: PeerID, now: ContinuousClock.Instant) {
        guard !shuttingDown else { return }
        if let last = helloAgainSent[peer], now - last < settings.heartbeatInterval { return }
        if helloAgainSent.count >= 4096 {
            helloAgainSent = helloAgainSent.filter { now - $0.value < settings.heartbeatInterval }
            if helloAgainSent.count >= 4096 { return }  // a flood of strangers: they will notice the silence
        }
        helloAgainSent[peer] = now
        statistics.helloAgainSent += 1
        outbox.append(Outgoing(peer: peer, message: .helloAgain))
    }

    private func refusal(for hello: Hello) -> Refusal? {
        let run = settings.run
        if shuttingDown {
            return Refusal(code: .shuttingDown, message: "the coordinator of run \(run.runID) is shutting down")
        }
        if hello.modelFingerprint != run.modelFingerprint {
            return Refusal(code: .modelMismatch, message: "worker \(hello.name) has model \(hello.modelFingerprint) but run \(run.runID) uses model \(run.modelFingerprint); start the worker with the run's model")
        }
        if hello.dataFingerprint != run.dataFingerprint {
            return Refusal(code: .dataMismatch, message: "worker \(hello.name) has data \(hello.dataFingerprint) but run \(run.runID) uses data \(run.dataFingerprint); start the worker with the run's data")
        }
        if hello.metric != run.metric {
            return Refusal(code: .metricMismatch, message: "worker \(hello.name) computes '\(hello.metric)' but run \(run.runID) uses '\(run.metric)'; start the worker with --metric \(run.metric)")
        }
        if Int(hello.playerCount) != run.playerCount {
            return Refusal(code: .playerCountMismatch, message: "worker \(hello.name) has \(hello.playerCount) players but run \(run.runID) has \(run.playerCount); the worker's model or layer selection differs")
        }
        return nil
    }

    private mutating func handleBye(returned: [UInt64], reason: String, from peer: PeerID) {
        guard let session = sessions.removeValue(forKey: peer) else { return }
        if peersByInstance[session.hello.instance] == peer { peersByInstance[session.hello.instance] = nil }
        statistics.workersLeft += 1
        logger.info("worker left", metadata: ["worker": "\(session.hello.name)", "reason": "\(reason)", "returned": "\(returned.count)"])
        for l in session.leases {
            guard let record = leases.removeValue(forKey: l) else { continue }
            open[record.unitID]?.leases.remove(l)
            requeue(record.unitID)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (s, a) = components
        return s * 1000 + a / 1_000_000_000_000_000
    }

    /// Whole nanoseconds of a non-negative duration (0 for a negative one).
    var nanoseconds: UInt64 {
        let (s, a) = components
        guard s >= 0, a >= 0 else { return 0 }
        return UInt64(s) * 1_000_000_000 + UInt64(a / 1_000_000_000)
    }
}
