/// How a coordinator runs: the run it owns and its timing, flow-control and reporting settings.
public struct CoordinatorConfiguration: Sendable {
    /// The run (its estimator is built from this; workers must match its fingerprints).
    public var run: RunConfiguration
    /// How often the coordinator sends heartbeats, and asks workers to send theirs.
    public var heartbeatInterval: Duration = .seconds(1)
    /// A worker silent for this many heartbeat intervals is declared dead and its leases reissued.
    public var workerTimeoutIntervals: Int = 5
    /// How long a lease lasts before its unit may be given to another worker as well; `nil` (the
    /// default) adapts it to the unit durations seen (see ``AdaptiveLease``).
    public var leaseTimeout: Duration?
    /// How the lease deadline adapts when ``leaseTimeout`` is `nil`.
    public var adaptiveLease = AdaptiveLease()
    /// A lease that a worker's heartbeats do not list is taken as lost on the way (the assignment
    /// never arrived) and issued again: one heartbeat interval after it was granted when the
    /// worker reports a later assignment, else this many heartbeat intervals after.
    public var lostAssignmentIntervals: Int = 10
    /// A unit whose evaluation failed this many times (the game threw, the result did not fit the
    /// unit, the assignment could not be encoded) is quarantined.
    public var maxStrikes: Int = 3
    /// A unit that was being evaluated by this many workers declared lost (silent past their
    /// deadline, or gone) is quarantined. Larger than ``maxStrikes``: a lost worker is as likely a
    /// starved or killed process as one the unit crashed, so these losses weigh less than failures
    /// and never add up with them.
    public var maxLosses: Int = 8
    /// The most units taken from the estimator and not yet finished (the coordinator's own queue);
    /// 0 means four per worker slot, at least 64.
    public var maxOpenUnits: Int = 0
    /// The most results held for units not issued yet (after a restart).
    public var maxEarlyResults: Int = 65_536
    /// The largest message sent or accepted.
    public var maxMessageBytes: Int = MessageCodec.defaultMaxMessageBytes
    /// Group commit: at most one journal `fsync` per interval, however many results arrive (written
    /// at once, made durable by the next sync, acknowledged at the loop's next turn after it). A
    /// longer interval costs fewer syncs and delays acknowledgements (workers keep their results
    /// until then; they resend them only after four heartbeat intervals).
    public var journalSyncInterval: Duration = .milliseconds(200)
    /// How long a stopping coordinator waits for workers to hand back leases and last results.
    public var shutdownGrace: Duration = .seconds(5)
    /// How often progress is reported (through ``Coordinator``'s progress handler).
    public var progressInterval: Duration = .seconds(2)
    /// How many top players a progress report lists.
    public var progressTopK: Int = 10
    /// A TCP port on which to serve Prometheus metrics over HTTP, if any.
    public var metricsPort: Int?
    /// The address the metrics endpoint listens on.
    public var metricsHost: String = "127.0.0.1"
    /// The first lease id (a random one by default, so that leases of two coordinator processes of
    /// the same run do not collide in logs).
    public var firstLease: UInt64 = UInt64.random(in: 1...(1 << 40)) << 20

    /// A configuration for `run` with default settings.
    public init(run: RunConfiguration) {
        self.run = run
    }

    /// How long a silent worker lives.
    var workerTimeout: Duration { heartbeatInterval * workerTimeoutIntervals }
    /// How long after its grant a lease must appear in the worker's heartbeats.
    var lostAssignmentGrace: Duration { heartbeatInterval * lostAssignmentIntervals }
}

/// The default lease deadline: long enough for the slowest unit a worker was seen to finish, short
/// enough that a unit stuck on a live worker (whose heartbeats keep coming, so it is not declared
/// dead) is given to another worker in minutes rather than hours.
///
/// A lease granted to a worker lasts ``factor`` times the longest turnaround (grant to result, so
/// queueing at the worker included) among that worker's last ``window`` results, or among the
/// run's last ``window`` results while the worker has fewer than ``warmup``; never less than
/// ``minimum`` nor more than ``maximum``, and ``maximum`` until the run has ``warmup`` results.
/// An assignment lost on the way is caught sooner, by the worker's heartbeats (see
/// ``CoordinatorConfiguration/lostAssignmentIntervals``).
public struct AdaptiveLease: Sendable, Hashable {
    /// The multiple of the longest recent turnaround.
    public var factor: Int = 5
    /// The shortest deadline.
    public var minimum: Duration = .seconds(30)
    /// The longest deadline, and the deadline before enough results were seen.
    public var maximum: Duration = .seconds(600)
    /// Results needed before the deadline adapts.
    public var warmup: Int = 8
    /// How many recent turnarounds are remembered (per worker and for the run).
    public var window: Int = 64

    /// The default adaptation.
    public init() {}
}
