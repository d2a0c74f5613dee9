/// Counters of what a coordinator did, for progress lines and metrics.
public struct CoordinatorStatistics: Codable, Hashable, Sendable {
    /// Results accepted and folded into the estimator (including those replayed from the journal).
    public var resultsAccepted = 0
    /// Results replayed from the journal at start.
    public var resultsReplayed = 0
    /// Results that arrived for units already accepted (or abandoned).
    public var duplicateResults = 0
    /// Results held because their unit was not issued yet.
    public var earlyResults = 0
    /// Results refused (malformed for their unit, or rejected by the estimator).
    public var invalidResults = 0
    /// Coalition values accepted (one evaluation of the game each).
    public var valuesAccepted = 0
    /// Nanoseconds workers reported spending on accepted results.
    public var workerNanos: UInt64 = 0
    /// Leases granted.
    public var leasesGranted = 0
    /// Leases whose deadline passed.
    public var leasesExpired = 0
    /// Leases a worker's heartbeat did not list in time: assignments lost on the way, issued again.
    public var assignmentsLost = 0
    /// Workers welcomed (reconnections included).
    public var workersWelcomed = 0
    /// Workers refused.
    public var workersRefused = 0
    /// Workers declared dead (silent, unreachable, or replaced by a new instance).
    public var workersLost = 0
    /// Workers that left with a bye.
    public var workersLeft = 0
    /// Units reported failed by a worker.
    public var failures = 0
    /// Quarantined units the estimator went on without.
    public var unitsAbandoned = 0
    /// Frames dropped because they could not be decoded.
    public var malformedMessages = 0
    /// Messages from peers without a session, ignored.
    public var strayMessages = 0
    /// Peers without a session asked to say hello again.
    public var helloAgainSent = 0
    /// Messages that could not be sent (peer gone, or its queue full).
    public var sendFailures = 0
    /// Wall-clock nanoseconds the coordinator spent handling messages, issuing work, journaling
    /// and sending (everything but waiting for messages): an upper bound on its CPU time.
    public var busyNanos: UInt64 = 0
    /// Of which nanoseconds spent writing and syncing the journal.
    public var journalNanos: UInt64 = 0
    /// Journal syncs (`fsync` calls).
    public var journalSyncs = 0

    /// All zero.
    public init() {}
}

/// One player in a progress report.
public struct ProgressPlayer: Codable, Hashable, Sendable {
    /// The player's index.
    public var player: Int
    /// Its estimate.
    public var value: Double
    /// The lower end of its interval.
    public var lower: Double
    /// The upper end of its interval.
    public var upper: Double
}

/// The state of a run at one moment: what the terminal line and each JSON line show.
public struct ProgressSnapshot: Codable, Hashable, Sendable {
    /// Seconds since the coordinator started.
    public var elapsedSeconds: Double
    /// Samples aggregated by the estimator.
    public var samples: Int
    /// Evaluations counted by the estimator.
    public var evaluations: Int
    /// Coalition values received per second since the previous snapshot.
    public var evaluationsPerSecond: Double
    /// Players still being sampled.
    public var activePlayers: Int
    /// Connected workers.
    public var workers: Int
    /// Leases outstanding.
    public var leases: Int
    /// Units waiting for a worker.
    public var queued: Int
    /// Quarantined units.
    public var quarantined: [UInt64]
    /// Quarantined units the estimator went on without (the others block the run).
    public var abandoned: [UInt64] = []
    /// Whether the estimator's stopping rule was met.
    public var finished: Bool
    /// The current top players with intervals, best first.
    public var top: [ProgressPlayer]
    /// The coordinator's counters.
    public var statistics: CoordinatorStatistics
    /// The estimator's cap on evaluations, if it has one (it stops there if its rule is not met).
    public var maxEvaluations: Int? = nil
    /// The estimator's cap on samples, if it has one.
    public var maxSamples: Int? = nil

    /// The one-line terminal form.
    public var line: String {
        let topText = top.prefix(3).map { p in
            "#\(p.player) \(Self.format(p.value)) [\(Self.format(p.lower)), \(Self.format(p.upper))]"
        }.joined(separator: "  ")
        var s = "[\(Self.format(elapsedSeconds, digits: 1))s] samples \(samples)  evals \(evaluations)"
        s += " (\(Int(evaluationsPerSecond.rounded()))/s)  workers \(workers)  leases \(leases)"
        s += "  active \(activePlayers)"
        if !quarantined.isEmpty {
            s += "  quarantined \(quarantined.count)"
            if !abandoned.isEmpty { s += " (\(abandoned.count) abandoned)" }
        }
        if let budget = budgetSummary { s += "  \(budget)" }
        if !topText.isEmpty { s += "  top: \(topText)" }
        return s
    }

    static func format(_ x: Double, digits: Int = 4) -> String {
        guard x.isFinite else { return x > 0 ? "inf" : (x < 0 ? "-inf" : "nan") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (x * scale).rounded() / scale
        return "\(rounded)"
    }
}
