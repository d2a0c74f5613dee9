#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The original Neuron Shapley top-k search (Ghorbani & Zou 2020, `cb_run.py` + `cb_aggregate.py`
/// of the released code), reproduced as a baseline.
///
/// What it does, and how each piece maps onto the released code:
/// - Walks: truncated Monte Carlo walks (`one_iteration`): a random order, players removed one at
///   a time from the full network, the full network valued at the start of every walk (`init_val`).
///   Only players in the current *chosen* set are evaluated. An unchosen player is removed without
///   valuing the network, so the next chosen player needs its "before" value recomputed (the
///   `old_val is None` branch): isolated chosen players cost two evaluations, runs of adjacent
///   chosen players one each. Unchosen players record nothing (the code's `-1`).
/// - Truncation: after each chosen player's removal, `new_val − floor ≤ tolerance` increments a
///   counter and anything else resets it; the walk stops when the counter reaches ``Configuration/patience``
///   (the code's `truncation_counter > 5`; tolerance 0.2 above chance for accuracy). Chosen players
///   not reached get marginal 0, and those zeros count as observations, as in the code.
/// - Aggregation (`cb_aggregate.py`): per player the mean, the unbiased variance (the range `R`
///   when fewer than two observations) and the radius `cb`: `R` when fewer than two observations,
///   else empirical Bernstein `√(2·var·ln(2/δ)/n) + 7/3·R·ln(2/δ)/(n−1)` (Maurer & Pontil) or, with
///   ``Bound/hoeffding``, `R·√(ln(2/δ)/(2n))`. Defaults `k = 100`, `δ = 0.2`, `R = 1` (accuracy).
///   No correction for multiplicity, as in the code.
/// - Pruning: `thresh` is the (k+1)-th largest mean; a player stays chosen while
///   `mean − cb < thresh < mean + cb` (strict, as in the code), so players resolved either way stop
///   being evaluated, and may come back if `thresh` moves into their interval.
/// - Stopping rule: the code stops when one player remains chosen; this baseline stops there, or
///   when ``Configuration/budget`` is spent.
///
/// Where it differs (the original is asynchronous: walk scripts read the chosen set from a file
/// that an aggregation script rewrites in a loop): here walks run in rounds of
/// ``Configuration/walksPerRound``, each walk uses the chosen set of the round it started in, and
/// the set is recomputed after every round in which walks finished. Walks are issued in units of up to
/// ``Configuration/chunkSize`` chosen players; a unit carries a truncation rule with twice the
/// patience (it counts "before" values too, and any 2·patience consecutive values contain
/// `patience` consecutive "after" values), so it never stops before the original rule would; the
/// estimator applies the exact rule to the returned values and discards what lies beyond. That
/// costs at most `patience` extra evaluations per walk, which are counted. Each walk uses a fresh
/// random order; the original also draws a fresh batch of images per walk, which a deterministic
/// game has no counterpart for.
public struct NeuronShapleyBandit: Estimator, RoundBased {
    /// The confidence radius of the released code.
    public enum Bound: String, Hashable, Sendable, CaseIterable {
        /// Empirical Bernstein (Maurer & Pontil), the code's default.
        case bernstein
        /// Hoeffding's radius `R·√(ln(2/δ)/(2n))`.
        case hoeffding
    }

    /// Settings of the original bandit.
    public struct Configuration: Hashable, Sendable {
        /// The number of players.
        public var playerCount: Int
        /// The run seed: walk `w` uses the order of sample `w`.
        public var seed: UInt64
        /// The size of the top set searched, 100 by default.
        public var topK = 100
        /// The per-player error probability of the radius, 0.2 by default.
        public var delta = 0.2
        /// The range `R` of a marginal contribution, 1 by default (accuracy).
        public var range = 1.0
        /// The radius, empirical Bernstein by default.
        public var bound = Bound.bernstein
        /// The collapsed level; `nil` uses the value of the empty coalition.
        public var floor: Double?
        /// How far above the floor counts as collapsed, 0.2 by default.
        public var tolerance = 0.2
        /// Consecutive collapsed values that stop a walk, 6 by default.
        public var patience = 6
        /// Walks in flight per round, 8 by default.
        public var walksPerRound = 8
        /// Chosen players per work unit, 64 by default.
        public var chunkSize = 64
        /// Walk cap and evaluation cap; 10 million evaluations by default.
        public var budget = Budget(maxEvaluations: 10_000_000)

        /// The default configuration for `playerCount` players and `seed`.
        public init(playerCount: Int, seed: UInt64) {
            self.playerCount = playerCount
            self.seed = seed
        }
    }

    enum Entry: Sendable {
        case initial
        case before(position: Int)
        case after(position: Int)
    }

    struct Walk: Sendable {
        var sample: UInt64
        var order: [Int32]
        var chosen: [Int]          // positions of chosen players, increasing
        var cursor = 0             // next index into `chosen`
        var known = -1             // removal count whose value is `value` (-1: none yet)
        var value = 0.0
        var counter = 0            // the original's truncation counter
        var streak = 0             // the unit rule's streak (counts every value)
        var marginals: [(Int32, Double)] = []
    }

    struct Meta: Sendable {
        var walk: Int
        var entries: [Entry]
    }

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Meta>
    var stats: [RunningStatistics]
    var chosen: [Bool]
    var chosenCount: Int
    var floorValue: Double?
    var walks: [Walk] = []
    var walksStarted = 0
    var walksFolded = 0
    var foldedAtLastUpdate = 0
    var done = false

    /// The original bandit; throws on invalid settings.
    public init(_ configuration: Configuration) throws {
        let c = configuration
        try TopKSearchSettings.validate(playerCount: c.playerCount, topK: c.topK, delta: c.delta)
        guard c.range > 0, c.tolerance >= 0 else {
            throw ShapleyError.invalidOption(name: "range / tolerance", value: "\(c.range) / \(c.tolerance)", expected: "a positive range and a non-negative tolerance")
        }
        guard c.walksPerRound >= 1, c.chunkSize >= 1, c.patience >= 1 else {
            throw ShapleyError.invalidOption(name: "walks per round / chunk size / patience",
                                             value: "\(c.walksPerRound) / \(c.chunkSize) / \(c.patience)", expected: "positive counts")
        }
        self.configuration = c
        book = RoundBook(seed: c.seed, playerCount: c.playerCount)
        stats = Array(repeating: RunningStatistics(), count: c.playerCount)
        chosen = Array(repeating: true, count: c.playerCount)
        chosenCount = c.playerCount
        floorValue = c.floor
        planRound()
    }

    public var playerCount: Int { configuration.playerCount }

    public var budget: Budget { configuration.budget }

    public mutating func nextWork(limit: Int) -> [WorkUnit] { book.next(limit: limit) }

    public mutating func ingest(_ result: WorkResult) throws -> Bool { try ingestIntoRound(result) }

    /// Gives up on a unit: the walk it belongs to is discarded (its marginals are not folded, and
    /// it still counts towards the budget); abandoning the unit that values the empty coalition
    /// (when no floor was given) ends the run.
    public mutating func abandon(unitID: UInt64) -> Bool { abandonInRound(unitID: unitID) }

    mutating func closeRound(_ completed: [RoundBook<Meta>.Completed]) {
        fold(completed)
        updateChosen()
        planRound()
    }

    public var isFinished: Bool { done }
}
