/// A Shapley estimator as a pure state machine: it says what to evaluate and learns from results,
/// with no I/O, so that the same estimator runs in-process, across worker processes, and from a
/// journal after a crash.
///
/// Contract, which makes distributed runs reproducible:
/// - Work is issued in rounds. ``nextWork(limit:)`` hands out units of the current round that were
///   never handed out before; it returns nothing while the round waits for results.
/// - Unit keys and contents depend only on the configuration, the seed and the results of earlier
///   rounds, never on who evaluated what or when.
/// - Results are buffered until their round is complete and then folded in key order, so the
///   estimates depend only on the seed and the set of units aggregated, not on arrival order.
/// - ``ingest(_:)`` ignores a result whose unit was already folded (it returns `false`).
public protocol Estimator: Sendable {
    /// The number of players.
    var playerCount: Int { get }
    /// New units to evaluate, at most `limit`; empty while waiting for the round's results or when
    /// finished.
    mutating func nextWork(limit: Int) -> [WorkUnit]
    /// Folds in a result; `false` when it was a duplicate. Throws when the result does not fit the
    /// unit it names (unknown key, or more values than coalitions).
    mutating func ingest(_ result: WorkResult) throws -> Bool
    /// Whether the stopping rule has been met (or the budget spent).
    var isFinished: Bool { get }
    /// The caps the estimator stops at if its stopping rule is not met first (none by default).
    var budget: Budget { get }
    /// The current estimates.
    func report() -> EstimateReport
    /// Gives up on a unit handed out by ``nextWork(limit:)`` that will never get a result (a
    /// coordinator quarantined it: evaluating it fails or kills workers every time).
    ///
    /// `true` when the estimator goes on without it: the unit counts as answered with no values,
    /// its round may close, and a result that arrives for it later is ignored (``ingest(_:)``
    /// returns `false`). `false` when the estimator cannot do without it (the default) or the unit
    /// is not waiting for a result (unknown, already answered or abandoned). Deterministic: what
    /// the estimator does next depends only on which units were abandoned, never on when, so a
    /// coordinator that journals abandonments reproduces the run when it resumes. Each estimator
    /// documents what an abandoned unit costs (typically the sample it belongs to is discarded).
    mutating func abandon(unitID: UInt64) -> Bool
}

extension Estimator {
    /// Estimators that cannot do without any unit keep the default: nothing is abandoned.
    public mutating func abandon(unitID: UInt64) -> Bool { false }

    /// Estimators without caps (exact enumeration, whose cost is fixed) keep the default: none.
    public var budget: Budget { Budget() }
}

/// One player's estimate.
public struct PlayerEstimate: Hashable, Sendable {
    /// The player's index.
    public var player: Int
    /// The estimated Shapley value.
    public var value: Double
    /// The lower end of the confidence interval.
    public var lower: Double
    /// The upper end of the confidence interval.
    public var upper: Double
    /// The number of marginal contributions observed.
    public var marginals: Int

    /// An estimate with these fields.
    public init(player: Int, value: Double, lower: Double, upper: Double, marginals: Int) {
        self.player = player
        self.value = value
        self.lower = lower
        self.upper = upper
        self.marginals = marginals
    }
}

/// What an estimator knows: per-player estimates and what it cost.
public struct EstimateReport: Hashable, Sendable {
    /// The estimator's name.
    public var estimator: String
    /// One estimate per player, indexed by player.
    public var players: [PlayerEstimate]
    /// The players the estimator names as its top-k, best first (empty if it does not search one).
    public var topK: [Int]
    /// Coalitions valued so far (each is one evaluation of V, a forward pass over the data).
    public var evaluations: Int
    /// Samples (permutations or coalitions) aggregated so far.
    public var samples: Int
    /// Players still being sampled (all players for estimators without pruning).
    public var activePlayers: Int
    /// Whether the stopping rule was met.
    public var finished: Bool

    /// A report with these fields.
    public init(estimator: String, players: [PlayerEstimate], topK: [Int], evaluations: Int,
                samples: Int, activePlayers: Int, finished: Bool) {
        self.estimator = estimator
        self.players = players
        self.topK = topK
        self.evaluations = evaluations
        self.samples = samples
        self.activePlayers = activePlayers
        self.finished = finished
    }

    /// Players ranked by estimate, best first (ties broken by index, for determinism).
    public var ranking: [Int] {
        players.sorted { $0.value != $1.value ? $0.value > $1.value : $0.player < $1.player }.map(\.player)
    }
}
