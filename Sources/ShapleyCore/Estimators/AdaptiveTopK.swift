#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Our adaptive top-k Shapley estimator: it finds the `k` players with the largest Shapley values
/// with far fewer evaluations than walking permutations, by spending evaluations only where they
/// can change the answer.
///
/// Two kinds of work, mixed round by round:
///
/// 1. **Screening by group drops** (group testing). A random order is walked from the full
///    coalition to the empty one with stride `g ≈ n^0.4`: one evaluation per group of `g`
///    consecutive removals gives the group's total marginal `D`. For player `i`,
///    `E[D | i ∈ group] = φᵢ + (g−1)·(Φ − φᵢ)/(n−1)` in an additive game (`Φ = v(N) − v(∅)`), so
///    `φ̃ᵢ = (mean D − (g−1)Φ/(n−1)) / (1 − (g−1)/(n−1))` screens every player for `n/g`
///    evaluations per walk. In games with interactions `φ̃` is biased by the interactions within
///    a group, which is why screening only decides who is measured, never who wins. The four
///    walks of a round follow the four quarter rotations of one order, so every player starts
///    one of them in its first quarter, and a walk stops once the value has collapsed to `v(∅)`
///    (``Configuration/truncationTolerance``): the groups left would drop nothing. Who is
///    promoted first is decided by a separate screening score, each group drop standardised
///    among the drops at a similar value level, since a strong player stands out most where
///    the network is far from collapse.
/// 2. **Direct measurement on shared coalitions with size importance sampling.** A base
///    coalition `B` of size `s ~ q` (a ``SizeProposal`` learned from the squared marginals seen at
///    each size, mixed with a uniform share) is valued, then `B` with each toggled player's
///    membership flipped: `|A| + 1` evaluations give one marginal per toggled player, weighted by
///    `1/((n+1)·q(s))`.
///    Each is an unbiased sample of `φᵢ` (no truncation bias), and sizes where the network has
///    collapsed, where marginals are near zero, are rarely drawn. Successive bases take their
///    sizes at the quantiles of a randomly shifted Weyl sequence, so a player measured on a run of
///    bases sees its sizes spread evenly (stratified) rather than clumped. Not every player in
///    play is toggled on every base: the players' shares of the bases follow the optimal
///    computing budget allocation for a top set, `Nᵢ ∝ σᵢ²/(φᵢ − τ)²`, so a player within
///    ``Configuration/allocationGap`` standard errors of the threshold is toggled on every base
///    and one far from it, whose interval merely still touches `τ`, on a few
///    (``toggleShares(_:)``). Who is toggled is drawn independently of the base, so each
///    marginal stays unbiased.
///
/// How they combine. While screening runs, its current leaders (as many as a round of screening
/// walks costs, at least `2k + 8`) are *promoted* to direct measurement, which finds the top
/// quickly and measures the threshold `τ` between the k-th and (k+1)-th values without the
/// selection bias that inflates screening's own leaders. A player that screening puts below that
/// threshold (`φ̃ᵢ + z·se < τ`) is excluded from direct measurement. Screening goes on while more
/// walks are projected to exclude enough players to pay for themselves (each walk costs `n/g`,
/// each exclusion saves about ``Configuration/minObservations`` + 1 evaluations); when it stops,
/// every player it did not exclude is promoted. When screening cannot separate the threshold from
/// a typical player (a large k, or few players) it stops after ``Configuration/minScreeningWalks``
/// and every player is measured directly.
///
/// - Estimates: the mean of a player's direct observations once it has
///   ``Configuration/minObservations`` of them (two if it was never screened), else its screening
///   estimate `φ̃` shrunk towards the mean screening estimate by its noise (empirical Bayes; biased
///   towards the mean on purpose, so that lucky groups do not outrank measured players)
///   (``PlayerEstimate/marginals`` counts direct observations only).
/// - Intervals: `mean ± z·√(s²/N)` with `z = Φ⁻¹(1 − δ/(2n))` (a union bound over all players)
///   and `s²` a moderated variance: the player's own sample variance shrunk towards a prior with
///   ``Configuration/priorWeight`` pseudo-observations (the variance of players with similar
///   estimates, and at least what the jumps seen in the population imply), so that a player whose
///   first marginals happen to be zero is not declared certain. They are normal (central-limit)
///   intervals, not corrected for looking after every round. Screening-only players report their
///   screening interval.
/// - Pruning: a promoted player with at least ``Configuration/minObservations`` direct
///   observations whose interval excludes `τ`, or is narrower than ``Configuration/resolution``
///   times `|τ|` on each side, is resolved and no longer measured; it comes back into play if `τ`
///   moves into its interval. One whose direct mean and screening estimate lie on different sides
///   of `τ` needs ``Configuration/disputedObservations`` direct observations first.
/// - Stopping rule: nobody left in play and nobody left to promote, or the budget spent.
/// - Bias: none in the direct observations. The top-k can be wrong with probability about `δ`
///   plus what the normal approximation, repeated looks and screening's additivity assumption add.
public struct AdaptiveTopK: Estimator, RoundBased {
    /// Settings of the adaptive top-k estimator.
    public struct Configuration: Hashable, Sendable {
        /// The number of players.
        public var playerCount: Int
        /// The run seed: samples (walks and base coalitions) are numbered from it.
        public var seed: UInt64
        /// The size of the top set searched, 10 by default.
        public var topK = 10
        /// The overall error probability of the intervals (union bound over players), 0.1 by default.
        public var delta = 0.1
        /// Evaluation and sample caps; by default 200 evaluations per player.
        public var budget: Budget
        /// Direct observations a player needs before it may be resolved and reported by them, 2 by
        /// default (its interval's variance is moderated by ``priorWeight`` pseudo-observations).
        public var minObservations = 2
        /// Direct observations a player needs before it may be resolved on the other side of the
        /// threshold `τ` from its screening estimate, 24 by default; 2 asks no more of it than
        /// of any other player. Screening put such a player on one side and its first direct
        /// marginals on the other: an unlucky start can move a leader's direct mean far below
        /// `τ`, where its moderated variance, borrowed from players with similar means, is small,
        /// and its interval would resolve it after two marginals. While the two disagree the
        /// player stays in play and is toggled on every base.
        public var disputedObservations = 24
        /// A player whose interval is narrower than this fraction of `|τ|` on each side counts as
        /// resolved even when the interval holds `τ`: its value is that close to the boundary, and
        /// telling it from its neighbours is not worth the evaluations (an ε-good top-k). 0.02 by
        /// default; 0 insists on separating every player.
        public var resolution = 0.02
        /// Pseudo-observations of the pooled variance in each moderated variance, 4 by default.
        public var priorWeight = 4.0
        /// Whether to screen by group drops before measuring directly, `true` by default.
        public var screening = true
        /// The stride `g` of screening walks; `nil` picks about `n^0.4` (between 4 and 128): 16 for
        /// 1,000 players, 53 for 20,000. Smaller groups cost longer walks but let fewer ordinary
        /// players share a strong player's drop, so screening's leaders hold fewer passengers.
        public var groupSize: Int?
        /// Screening walks before screening may exclude anybody, 8 by default.
        public var minScreeningWalks = 8
        /// Screening walks at most, 128 by default.
        public var maxScreeningWalks = 128
        /// Screening leaders promoted to direct measurement while screening runs; `nil` (the
        /// default) promotes as many as a round of screening walks costs, at least `2k + 8`.
        public var leaderCount: Int?
        /// Screening walks per round, 4 by default. Each four walks of a round follow the four
        /// rotations of one order (``Permutation/rotated(_:quarters:)``).
        public var walksPerRound = 4
        /// A screening walk stops once its value has stayed within this fraction of
        /// `|v(N) − v(∅)|` above `v(∅)` for ``truncationPatience`` groups: the network has
        /// collapsed and the groups left would all drop nothing. 0.02 by default; `nil` walks to
        /// the end. Only screening is truncated; direct measurement never is, so no estimate
        /// carries truncation's bias.
        public var truncationTolerance: Double? = 0.02
        /// Consecutive collapsed groups that stop a screening walk, 4 by default.
        public var truncationPatience = 4
        /// Base coalitions per round of direct measurement at most, 64 by default, counted as
        /// bases that toggle every player in play (more when fewer are toggled); fewer when many
        /// players are in play, so that a round costs about as much as a round of screening walks.
        public var basesPerRound = 64
        /// Coalitions per work unit at most, 256 by default (a round's bases are cut finer, into
        /// about eight units, so that several workers share them).
        public var unitSize = 256
        /// Size bins of the importance-sampling proposal, 32 by default.
        public var sizeBins = 32
        /// The uniform share of the proposal (bounds the weights by its inverse), 0.15 by default; 1
        /// draws sizes uniformly. Where a metric moves in rare, discrete jumps (a class's accuracy
        /// on a few images) the learned proposal can miss sizes where a player's jumps happen, and
        /// those then carry large weights: uniform sizes can give such players the smaller variance.
        public var defensiveShare = 0.15
        /// How the players in play share the bases: a player within this many standard errors
        /// of the threshold `τ` is toggled on every base, one at `t` standard errors on a share
        /// `(allocationGap / t)²` of them (at least ``minimumToggleShare``), drawn independently
        /// of the base, so that each marginal stays an unbiased sample of `φᵢ`. This is the
        /// optimal computing budget allocation for selecting a top set (`Nᵢ ∝ σᵢ²/(φᵢ − τ)²`):
        /// evaluations go to the players whose side of `τ` is still in doubt, not to those whose
        /// wide union-bound interval merely still touches it. `nil` toggles every player in play
        /// on every base. 1 by default.
        public var allocationGap: Double? = 1

        /// The default configuration for `playerCount` players and `seed`.
        public init(playerCount: Int, seed: UInt64) {
            self.playerCount = playerCount
            self.seed = seed
            self.budget = Budget(maxEvaluations: 200 * max(1, playerCount))
        }

        /// The screening stride used.
        public var stride: Int {
            let g = groupSize ?? min(128, max(4, Int(pow(Double(playerCount), 0.4).rounded())))
            return max(1, min(g, playerCount - 1))
        }
    }

    /// What a unit of a round is for.
    enum Meta: Sendable {
        case endpoints
        case walk(sample: UInt64, first: Int)
        case base(sample: UInt64)
    }

    /// The smallest share of bases a player in play is toggled on (see
    /// ``Configuration/allocationGap``).
    static let minimumToggleShare = 1.0 / 16

    /// A base coalition with toggles, until its round is folded.
    struct Base: Sendable {
        var size: Int
        var players: [Int32]
    }

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Meta>
    /// Group drops seen by each player (screening).
    var screen: [RunningStatistics]
    /// The screening walks folded so far, in sample order.
    var screeningRecords: [ScreeningWalk] = []
    /// Each player's screening score, the mean standardised drop of its groups (see
    /// ``rebuildScreening()``): screening promotes the players with the highest scores first.
    public internal(set) var screenScore: [Double]
    /// Importance-weighted direct marginals of each player.
    var direct: [RunningStatistics]
    var endpoints: (full: Double, empty: Double)?
    var proposal: SizeProposal
    var promoted: [Bool]
    /// Players that screening currently excludes from direct measurement.
    var excluded: [Bool]
    var active: [Bool]
    /// Players kept in play because their direct mean and screening estimate disagree on the
    /// side of the threshold (see ``Configuration/disputedObservations``).
    var disputed: [Bool]
    var activeCount = 0
    var unsafeCount: Int
    var estimate: [Double]
    var lower: [Double]
    var upper: [Double]
    var threshold = 0.0
    var nextSample: UInt64 = 0
    var bases: [UInt64: Base] = [:]
    var screeningWalks = 0
    /// Coalitions valued by screening walks so far (less than the walks' length when truncated).
    var screeningEvaluations = 0
    var screeningPays = true
    var measuredCount = 0
    var basesFolded = 0
    var basesPlanned = 0
    var screeningClosed: Bool
    var done = false

    /// The estimator; throws on invalid settings.
    public init(_ configuration: Configuration) throws {
        let c = configuration
        try TopKSearchSettings.validate(playerCount: c.playerCount, topK: c.topK, delta: c.delta)
        guard c.minObservations >= 2, c.disputedObservations >= 2, c.walksPerRound >= 1, c.basesPerRound >= 1, c.unitSize >= 2, c.sizeBins >= 1,
              c.minScreeningWalks >= 2, c.maxScreeningWalks >= c.minScreeningWalks else {
            throw ShapleyError.invalidOption(
                name: "counts", value: "min observations \(c.minObservations), disputed observations \(c.disputedObservations), walks \(c.walksPerRound), bases \(c.basesPerRound), unit size \(c.unitSize), bins \(c.sizeBins), screening walks \(c.minScreeningWalks)...\(c.maxScreeningWalks)",
                expected: "at least 2 observations (also when disputed), 1 walk, 1 base, 2 coalitions per unit, 1 bin, 2 screening walks and a maximum not below the minimum")
        }
        guard c.truncationPatience >= 1, (c.truncationTolerance ?? 0) >= 0 else {
            throw ShapleyError.invalidOption(name: "truncation tolerance / patience",
                                             value: "\(c.truncationTolerance.map { "\($0)" } ?? "none") / \(c.truncationPatience)",
                                             expected: "a non-negative fraction (or none) and a patience of at least 1")
        }
        guard c.priorWeight >= 0, c.defensiveShare > 0 && c.defensiveShare <= 1, c.resolution >= 0 else {
            throw ShapleyError.invalidOption(name: "prior weight / defensive share / resolution",
                                             value: "\(c.priorWeight) / \(c.defensiveShare) / \(c.resolution)",
                                             expected: "a non-negative weight, a share in (0, 1] and a non-negative resolution")
        }
        if let gap = c.allocationGap, !(gap > 0 && gap.isFinite) {
            throw ShapleyError.invalidOption(name: "allocation gap", value: "\(gap)",
                                             expected: "a positive number of standard errors (or none, to toggle every player in play on every base)")
        }
        self.configuration = c
        let n = c.playerCount
        book = RoundBook(seed: c.seed, playerCount: n)
        screen = Array(repeating: RunningStatistics(), count: n)
        direct = Array(repeating: RunningStatistics(), count: n)
        screenScore = Array(repeating: 0, count: n)
        proposal = SizeProposal(playerCount: n, binCount: c.sizeBins, defensiveShare: c.defensiveShare)
        screeningClosed = !c.screening || c.stride < 2
        promoted = Array(repeating: screeningClosed, count: n)
        active = promoted
        excluded = Array(repeating: false, count: n)
        disputed = excluded
        unsafeCount = n
        estimate = Array(repeating: 0, count: n)
        lower = Array(repeating: -.infinity, count: n)
        upper = Array(repeating: .infinity, count: n)
        book.open([.init(coalitions: [.prefix(sample: 0, removed: 0, toggle: nil),
                                      .prefix(sample: 0, removed: Int32(n), toggle: nil)],
                         truncation: nil, meta: .endpoints)])
    }

    public var playerCount: Int { configuration.playerCount }

    public var budget: Budget { configuration.budget }

    public mutating func nextWork(limit: Int) -> [WorkUnit] { book.next(limit: limit) }

    public mutating func ingest(_ result: WorkResult) throws -> Bool { try ingestIntoRound(result) }

    /// Gives up on a unit: the screening walk or base coalition it belongs to is discarded (none
    /// of its values are folded; its sample still counts towards the sample cap, and the values
    /// that did arrive towards the evaluation cap); abandoning the unit that values the full and
    /// empty coalitions ends the run, as nothing can be folded without them.
    public mutating func abandon(unitID: UInt64) -> Bool { abandonInRound(unitID: unitID) }

    mutating func closeRound(_ completed: [RoundBook<Meta>.Completed]) {
        fold(completed)
        updateEstimates()
        planRound()
    }

    public var isFinished: Bool { done }

    /// The importance weight `1/((n+1)·q(s))` that the marginals of a base coalition of `size`
    /// players planned in the current round carry when they are folded (the proposal changes only
    /// when a round closes). For analyses that rebuild a run's weighted marginals from its journal.
    public func baseWeight(size: Int) -> Double { proposal.weight(of: size) }
}
