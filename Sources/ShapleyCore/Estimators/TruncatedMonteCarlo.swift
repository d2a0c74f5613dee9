/// Truncated Monte Carlo permutation sampling as the original Neuron Shapley code runs it
/// (Ghorbani & Zou 2020, `cb_run.py`): walk a random order removing players one at a time from the
/// full network; once the value has been within ``Configuration/tolerance`` of the floor (chance)
/// on ``Configuration/patience`` consecutive removals, stop, and give every player not reached a
/// marginal contribution of 0.
///
/// - Bias: truncation is not free. A player not reached would have contributed
///   `v(S) − v(S∖{i})` for a coalition `S` that is already within the tolerance of chance; those
///   contributions sum, over the rest of the walk, to the whole remaining value `v(S_stop) − v(∅)`
///   (up to `tolerance` above chance), and truncation sets them to 0. Every estimate is therefore
///   biased towards 0 by the player's share of what happens below the tolerance: with the
///   original's absolute tolerance of 0.2 on accuracy, up to 0.2 of the full network's value is
///   never attributed. Players that matter only in nearly collapsed networks (those that rescue
///   a little accuracy near chance) are undervalued most; rankings at the top usually survive.
///   Harmful players (negative marginals near chance) lose their negative part too.
/// - Variance: as permutation sampling, restricted to the walk's early part, plus the zeros.
/// - Cost: the removals until the rule fires (often a fraction of `n`), and the full and empty
///   coalitions once per run.
/// - Stopping rule: after ``Configuration/budget`` is spent. Walks not finished when the budget runs
///   out are discarded (their evaluations still count), so every folded walk is a complete sample.
///
/// - Abandoned units (``abandon(unitID:)``): the walk the unit belongs to is discarded, as a walk
///   the budget cut short is; it still counts towards the budget. Abandoning the unit of the full
///   and empty coalitions ends the run (no walk can start without them).
///
/// Walks are split into work units of ``Configuration/chunkSize`` consecutive removals; each unit
/// carries the streak of collapsed values seen so far (``Truncation/carried``), so the rule fires
/// exactly where an unsplit walk would, and the walk's next unit is issued in the next round.
public struct TruncatedMonteCarlo: Estimator, RoundBased {
    /// Settings of truncated Monte Carlo.
    public struct Configuration: Hashable, Sendable {
        /// The number of players.
        public var playerCount: Int
        /// The run seed: walk `w` uses the order of sample `w`.
        public var seed: UInt64
        /// Walk cap and evaluation cap; 1,000 walks by default.
        public var budget = Budget(maxSamples: 1000)
        /// The collapsed level; `nil` uses the value of the empty coalition. Set it to the game's
        /// chance level (accuracy: 1/classes) to match the original.
        public var floor: Double?
        /// How far above the floor counts as collapsed (absolute), 0.2 by default as in the original.
        public var tolerance = 0.2
        /// Consecutive collapsed values that stop a walk, 6 by default as in the original.
        public var patience = 6
        /// Walks in flight per round, 8 by default.
        public var walksPerRound = 8
        /// Removals per work unit, 64 by default.
        public var chunkSize = 64
        /// The interval rule, a 95% normal interval by default.
        public var bound = ConfidenceBound.normal(z: 1.959963984540054)
        /// How many top players ``EstimateReport/topK`` names, 10 by default.
        public var topK = 10

        /// The default configuration for `playerCount` players and `seed`.
        public init(playerCount: Int, seed: UInt64) {
            self.playerCount = playerCount
            self.seed = seed
        }
    }

    struct Walk: Sendable {
        var sample: UInt64
        var order: [Int32]
        var next: Int          // next removal count to value
        var last: Double       // value after `next - 1` removals
        var streak: Int
        var marginals: [Double] // by position
    }

    enum Meta: Sendable {
        case endpoints
        case chunk(walk: Int, first: Int)
    }

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Meta>
    private var stats: [RunningStatistics]
    private var endpoints: (full: Double, empty: Double)?
    private var walks: [Walk] = []
    private var walksStarted = 0
    private var walksFolded = 0
    private var finishedWalks: [UInt64: Walk] = [:]
    private var discardedWalks = Set<UInt64>()
    private var nextToFold: UInt64 = 0
    private var endpointsLost = false
    private var done = false

    /// A truncated Monte Carlo sampler; throws on invalid settings.
    public init(_ configuration: Configuration) throws {
        let c = configuration
        guard c.playerCount >= 1 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(c.playerCount)", expected: "at least 1 player")
        }
        guard c.walksPerRound >= 1, c.chunkSize >= 1, c.patience >= 1 else {
            throw ShapleyError.invalidOption(name: "walks per round / chunk size / patience",
                                             value: "\(c.walksPerRound) / \(c.chunkSize) / \(c.patience)", expected: "positive counts")
        }
        guard c.tolerance >= 0 else {
            throw ShapleyError.invalidOption(name: "tolerance", value: "\(c.tolerance)", expected: "a non-negative distance above the floor")
        }
        self.configuration = c
        book = RoundBook(seed: c.seed, playerCount: c.playerCount)
        stats = Array(repeating: RunningStatistics(), count: c.playerCount)
        planRound()
    }

    public var playerCount: Int { configuration.playerCount }

    public var budget: Budget { configuration.budget }

    private var truncation: Truncation? {
        guard let floor = configuration.floor ?? endpoints?.empty else { return nil }
        return Truncation(floor: floor, tolerance: configuration.tolerance, patience: configuration.patience)
    }

    private mutating func planRound() {
        if endpointsLost {
            done = true
            return
        }
        let c = configuration
        let n = playerCount
        var planned: [RoundBook<Meta>.Planned] = []
        var evaluations = book.valuesClosed
        if endpoints == nil {
            planned.append(.init(coalitions: [.prefix(sample: 0, removed: 0, toggle: nil),
                                              .prefix(sample: 0, removed: Int32(n), toggle: nil)],
                                 truncation: nil, meta: .endpoints))
            book.open(planned)
            return
        }
        while walks.count < c.walksPerRound,
              c.budget.allows(evaluations: evaluations, samples: walksStarted, moreSamples: 1) {
            let s = UInt64(walksStarted)
            walks.append(Walk(sample: s, order: Permutation.order(seed: c.seed, index: s, playerCount: n),
                              next: 1, last: endpoints?.full ?? 0, streak: 0, marginals: Array(repeating: 0, count: n)))
            walksStarted += 1
        }
        var kept: [Walk] = []
        for var walk in walks {
            if walk.next >= n { // nothing left to value: only the last removal, against the empty set
                finish(&walk, reached: n)
                continue
            }
            var length = min(c.chunkSize, n - walk.next)
            if let cap = c.budget.maxEvaluations { length = min(length, cap - evaluations) }
            guard length > 0 else { // budget spent: the walk is discarded
                discardedWalks.insert(walk.sample)
                continue
            }
            var t = truncation
            t?.carried = walk.streak
            planned.append(.init(coalitions: (walk.next..<(walk.next + length)).map {
                .prefix(sample: walk.sample, removed: Int32($0), toggle: nil)
            }, truncation: t, meta: .chunk(walk: kept.count, first: walk.next)))
            evaluations += length
            kept.append(walk)
        }
        walks = kept
        foldFinishedWalks()
        if planned.isEmpty { done = true } else { book.open(planned) }
    }

    /// Ends a walk: measured marginals up to `reached` removals, zeros beyond. The walk is folded
    /// by ``foldFinishedWalks()`` once every earlier walk is folded or discarded, so that the
    /// statistics see walks in sample order whatever the chunking.
    private mutating func finish(_ walk: inout Walk, reached: Int) {
        let n = playerCount
        if reached >= n, let empty = endpoints?.empty, walk.next == n {
            walk.marginals[n - 1] = walk.last - empty
        }
        for r in reached..<n { walk.marginals[r] = 0 }
        finishedWalks[walk.sample] = walk
    }

    private mutating func foldFinishedWalks() {
        while true {
            if discardedWalks.remove(nextToFold) != nil {
                nextToFold += 1
            } else if let walk = finishedWalks.removeValue(forKey: nextToFold) {
                for r in 0..<playerCount { stats[Int(walk.order[r])].add(walk.marginals[r]) }
                walksFolded += 1
                nextToFold += 1
            } else {
                return
            }
        }
    }

    public mutating func nextWork(limit: Int) -> [WorkUnit] { book.next(limit: limit) }

    public mutating func ingest(_ result: WorkResult) throws -> Bool { try ingestIntoRound(result) }

    public mutating func abandon(unitID: UInt64) -> Bool { abandonInRound(unitID: unitID) }

    mutating func closeRound(_ completed: [RoundBook<Meta>.Completed]) {
        fold(completed)
        planRound()
    }

    private mutating func fold(_ completed: [RoundBook<Meta>.Completed]) {
        let n = playerCount
        var finished = Set<Int>()
        for c in completed {
            switch c.meta {
            case .endpoints:
                if c.abandoned { endpointsLost = true } else { endpoints = (c.values[0], c.values[1]) }
            case .chunk(let w, _) where c.abandoned:
                discardedWalks.insert(walks[w].sample)
                finished.insert(w)
            case .chunk(let w, let first):
                var walk = walks[w]
                for (i, v) in c.values.enumerated() {
                    walk.marginals[first + i - 1] = walk.last - v
                    walk.last = v
                }
                walk.next = first + c.values.count
                let t = c.unit.truncation
                if let t, t.stop(in: c.values) != nil {
                    finish(&walk, reached: walk.next - 1)
                    finished.insert(w)
                } else {
                    walk.streak = t?.streak(after: c.values) ?? 0
                    if walk.next >= n {
                        finish(&walk, reached: n)
                        finished.insert(w)
                    }
                }
                walks[w] = walk
            }
        }
        walks = walks.enumerated().filter { !finished.contains($0.offset) }.map(\.element)
    }

    public var isFinished: Bool { done }

    public func report() -> EstimateReport {
        let players = ReportBuilder.players(stats, bound: configuration.bound)
        return EstimateReport(estimator: "tmc", players: players, topK: ReportBuilder.top(players, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: walksFolded,
                              activePlayers: playerCount, finished: done)
    }
}
