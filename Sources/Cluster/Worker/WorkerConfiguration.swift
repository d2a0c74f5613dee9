/// How a worker identifies itself and paces its conversation with the coordinator.
public struct WorkerConfiguration: Sendable {
    /// A name for logs (host and pid, typically).
    public var name: String
    /// The coordinator's address, for messages only.
    public var endpoint: String
    /// The fingerprint of the loaded model.
    public var modelFingerprint: String
    /// The fingerprint of the evaluation data.
    public var dataFingerprint: String
    /// The metric the game computes.
    public var metric: String
    /// Units evaluated at once, each on its own thread.
    public var parallelism: Int = 1
    /// Units held at once (evaluating plus queued); 0 means `parallelism + 1`, so the next unit is
    /// already here when one finishes.
    public var slots: Int = 0
    /// Coalitions per call to the game.
    public var batchSize: Int = 16
    /// The heartbeat interval until the coordinator's welcome sets its own.
    public var heartbeatInterval: Duration = .seconds(1)
    /// The coordinator is considered gone after this many heartbeat intervals of silence; the worker
    /// then says hello again.
    public var coordinatorTimeoutIntervals: Int = 5
    /// The worker exits after hearing nothing from the coordinator for this long.
    public var giveUpAfter: Duration = .seconds(60)
    /// The first pause between hellos, doubled after each unanswered one up to ``maxBackoff``.
    public var initialBackoff: Duration = .milliseconds(200)
    /// The longest pause between hellos.
    public var maxBackoff: Duration = .seconds(5)
    /// Unacknowledged results are sent again after this long; `nil` means four heartbeat intervals.
    public var resendInterval: Duration?
    /// With this many unacknowledged results the worker stops asking for work.
    public var maxUnacknowledged: Int = 10_000
    /// How long a stopping worker waits for the units it is evaluating before leaving.
    public var shutdownGrace: Duration = .seconds(10)
    /// The largest message sent or accepted.
    public var maxMessageBytes: Int = MessageCodec.defaultMaxMessageBytes
    /// This process's random instance number (tells a reconnection from a new worker).
    public var instance: UInt64 = UInt64.random(in: 1...UInt64.max)

    /// A configuration with default pacing.
    public init(name: String, endpoint: String, modelFingerprint: String, dataFingerprint: String, metric: String) {
        self.name = name
        self.endpoint = endpoint
        self.modelFingerprint = modelFingerprint
        self.dataFingerprint = dataFingerprint
        self.metric = metric
    }

    var effectiveSlots: Int { slots > 0 ? slots : parallelism + 1 }
}
