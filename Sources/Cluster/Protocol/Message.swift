public import ShapleyCore

/// Every message of the cluster protocol (see `docs/protocol.md` for the bytes).
///
/// Direction: `hello`, `ready`, `result`, `failed`, `bye` go from worker to coordinator;
/// `welcome`, `refuse`, `assign`, `ack`, `shutdown`, `helloAgain` from coordinator to worker;
/// `heartbeat` both ways.
public enum Message: Hashable, Sendable {
    /// A worker introduces itself (first message of a session, repeated until answered).
    case hello(Hello)
    /// The coordinator accepts a worker.
    case welcome(Welcome)
    /// The coordinator refuses a worker, with a reason; the worker should exit.
    case refuse(Refusal)
    /// The worker has room for `credit` more units (absolute, counting what it already holds).
    case ready(credit: UInt32)
    /// A unit of work leased to the worker until its deadline.
    case assign(Assignment)
    /// A finished unit.
    case result(ResultReport)
    /// The coordinator has durably stored the results of these units: the worker may forget them.
    case ack(unitIDs: [UInt64])
    /// Liveness, both ways; from a worker it also carries its credit and the leases it is evaluating.
    case heartbeat(Heartbeat)
    /// The coordinator stops the run: workers hand back their leases and exit.
    case shutdown(reason: String)
    /// The worker leaves, handing back the leases it will not finish.
    case bye(returnedLeases: [UInt64], reason: String)
    /// The worker could not evaluate a leased unit (the game threw).
    case failed(lease: UInt64, unitID: UInt64, reason: String)
    /// The coordinator holds no session for the worker (it restarted, or declared the worker dead):
    /// the worker should say hello again at once.
    case helloAgain
}

/// The handshake of a worker: who it is and what it evaluates.
public struct Hello: Hashable, Sendable {
    /// A random number drawn once per worker process: tells a reconnection from a new worker.
    public var instance: UInt64
    /// A human-readable name (host and pid, by default), for logs.
    public var name: String
    /// The fingerprint of the model the worker loaded.
    public var modelFingerprint: String
    /// The fingerprint of the worker's evaluation data.
    public var dataFingerprint: String
    /// The metric the worker's game computes (for example `accuracy`).
    public var metric: String
    /// The number of players of the worker's game.
    public var playerCount: UInt32
    /// How many units the worker can hold at once (evaluating plus queued).
    public var slots: UInt32

    /// A hello with these fields.
    public init(instance: UInt64, name: String, modelFingerprint: String, dataFingerprint: String,
                metric: String, playerCount: UInt32, slots: UInt32) {
        self.instance = instance
        self.name = name
        self.modelFingerprint = modelFingerprint
        self.dataFingerprint = dataFingerprint
        self.metric = metric
        self.playerCount = playerCount
        self.slots = slots
    }
}

/// The coordinator's acceptance of a worker.
public struct Welcome: Hashable, Sendable {
    /// The run's identifier; a worker discards unacknowledged results of any other run.
    public var runID: String
    /// How often each side sends a heartbeat, in milliseconds.
    public var heartbeatMillis: UInt32
    /// The largest message either side may send, in bytes.
    public var maxMessageBytes: UInt32

    /// A welcome with these fields.
    public init(runID: String, heartbeatMillis: UInt32, maxMessageBytes: UInt32) {
        self.runID = runID
        self.heartbeatMillis = heartbeatMillis
        self.maxMessageBytes = maxMessageBytes
    }
}

/// Why a coordinator refused a worker.
public struct Refusal: Hashable, Sendable {
    /// A machine-readable reason.
    public var code: Code
    /// A sentence for the operator that repeats both sides' values and says what would work.
    public var message: String

    /// A refusal with these fields.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Machine-readable refusal reasons; codes unknown to this version are kept as `other`.
    public enum Code: Hashable, Sendable {
        /// The worker speaks a protocol version the coordinator does not.
        case protocolVersion
        /// The model fingerprints differ.
        case modelMismatch
        /// The data fingerprints differ.
        case dataMismatch
        /// The metrics differ.
        case metricMismatch
        /// The games have different numbers of players.
        case playerCountMismatch
        /// The coordinator is shutting down.
        case shuttingDown
        /// A code this version does not know.
        case other(UInt16)

        /// The code on the wire.
        public var rawValue: UInt16 {
            switch self {
            case .protocolVersion: 1
            case .modelMismatch: 2
            case .dataMismatch: 3
            case .metricMismatch: 4
            case .playerCountMismatch: 5
            case .shuttingDown: 6
            case .other(let v): v
            }
        }

        /// The code for a wire value.
        public init(rawValue: UInt16) {
            switch rawValue {
            case 1: self = .protocolVersion
            case 2: self = .modelMismatch
            case 3: self = .dataMismatch
            case 4: self = .metricMismatch
            case 5: self = .playerCountMismatch
            case 6: self = .shuttingDown
            default: self = .other(rawValue)
            }
        }
    }
}

/// A unit of work leased to one worker.
public struct Assignment: Hashable, Sendable {
    /// The lease; unique within one coordinator process.
    public var lease: UInt64
    /// Milliseconds, from receipt, after which the coordinator may give the unit to another worker.
    public var deadlineMillis: UInt32
    /// The work.
    public var unit: WorkUnit

    /// An assignment with these fields.
    public init(lease: UInt64, deadlineMillis: UInt32, unit: WorkUnit) {
        self.lease = lease
        self.deadlineMillis = deadlineMillis
        self.unit = unit
    }
}

/// A finished unit as a worker reports it.
public struct ResultReport: Hashable, Sendable {
    /// The lease under which the unit was evaluated (may belong to an earlier coordinator process).
    public var lease: UInt64
    /// Wall-clock nanoseconds the worker spent evaluating the unit.
    public var evaluationNanos: UInt64
    /// The values.
    public var result: WorkResult

    /// A report with these fields.
    public init(lease: UInt64, evaluationNanos: UInt64, result: WorkResult) {
        self.lease = lease
        self.evaluationNanos = evaluationNanos
        self.result = result
    }
}

/// A heartbeat; the coordinator sends one with zero credit, no leases and `lastLease` 0.
public struct Heartbeat: Hashable, Sendable {
    /// The worker's free room, as in ``Message/ready(credit:)``.
    public var credit: UInt32
    /// The leases whose units the worker is evaluating right now (not merely queued).
    public var evaluating: [UInt64]
    /// The lease of the last assignment the worker received (0 before any): tells the coordinator
    /// whether `evaluating` accounts for everything it sent.
    public var lastLease: UInt64
    /// The leases whose units the worker holds but has not started; with `evaluating`, every lease
    /// the worker holds (a lease it does not hold was lost on the way, or is finished).
    public var queued: [UInt64]

    /// A heartbeat with these fields.
    public init(credit: UInt32 = 0, evaluating: [UInt64] = [], lastLease: UInt64 = 0, queued: [UInt64] = []) {
        self.credit = credit
        self.evaluating = evaluating
        self.lastLease = lastLease
        self.queued = queued
    }
}
