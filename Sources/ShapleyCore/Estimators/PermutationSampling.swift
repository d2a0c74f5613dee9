/// Monte Carlo permutation sampling (Castro, Gómez & Tejada 2009): walk a random order of the
/// players, removing them one at a time from the full coalition; each player's marginal
/// contribution along the walk is an unbiased sample of its Shapley value.
///
/// - Bias: none. Variance: the variance of a player's marginal over random orders, divided by the
///   number of walks. With ``Configuration/antithetic`` every order is followed by its reverse and
///   the pair's average is one observation: a player early in one walk is late in the other, which
///   cancels much of the size-driven variance in games whose value depends on coalition size.
/// - Cost: `n − 1` coalitions per walk (the full and the empty coalition are valued once per run).
/// - Stopping rule: after ``Configuration/budget`` is spent (walks or evaluations).
/// - Intervals: ``Configuration/bound`` over each player's observations (per-player coverage, no
///   correction for multiplicity).
/// - Abandoned units (``abandon(unitID:)``): the walk the unit belongs to is discarded (with its
///   antithetic partner) and still counts towards the budget, so fewer walks are folded; no bias,
///   unless what makes a unit fail depends on the players' values. Without the values of the full
///   and the empty coalition no walk can be folded: abandoning that unit ends the run.
public struct PermutationSampling: Estimator, RoundBased {
    /// Settings of permutation sampling.
    public struct Configuration: Hashable, Sendable {
        /// The number of players.
        public var playerCount: Int
        /// The run seed: walk `w` uses the order of sample `w` (and its reverse when antithetic).
        public var seed: UInt64
        /// Walk cap and evaluation cap; 1,000 walks by default.
        public var budget = Budget(maxSamples: 1000)
        /// Follow each walk by the reversed walk and average the pair, `false` by default.
        public var antithetic = false
        /// Walks issued per round, 8 by default (pairs count as two).
        public var walksPerRound = 8
        /// Positions of a walk per work unit, 256 by default.
        public var chunkSize = 256
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

    struct Meta: Sendable {
        var sample: UInt64
        var firstRemoved: Int
    }

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Meta>
    private var stats: [RunningStatistics]
    private var endpoints: (full: Double, empty: Double)?
    private var walksIssued = 0
    private var walksFolded = 0
    private var roundWalks: [UInt64] = []
    private var endpointsLost = false
    private var done = false

    /// A permutation sampler; throws on invalid settings.
    public init(_ configuration: Configuration) throws {
        let c = configuration
        guard c.playerCount >= 1 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(c.playerCount)", expected: "at least 1 player")
        }
        guard c.walksPerRound >= 1, c.chunkSize >= 1 else {
            throw ShapleyError.invalidOption(name: "walks per round / chunk size", value: "\(c.walksPerRound) / \(c.chunkSize)", expected: "positive counts")
        }
        self.configuration = c
        book = RoundBook(seed: c.seed, playerCount: c.playerCount)
        stats = Array(repeating: RunningStatistics(), count: c.playerCount)
        planRound()
    }

    public var playerCount: Int { configuration.playerCount }

    public var budget: Budget { configuration.budget }

    private var walkCost: Int { max(0, playerCount - 1) }

    private mutating func planRound() {
        if endpointsLost {
            done = true
            return
        }
        let c = configuration
        let n = playerCount
        var planned: [RoundBook<Meta>.Planned] = []
        var evaluations = book.coalitionsIssued
        if endpoints == nil {
            planned.append(.init(coalitions: [.prefix(sample: 0, removed: 0, toggle: nil),
                                              .prefix(sample: 0, removed: Int32(n), toggle: nil)],
                                 truncation: nil, meta: Meta(sample: 0, firstRemoved: -1)))
            evaluations += 2
        }
        let step = c.antithetic ? 2 : 1
        var issuedThisRound = 0
        while issuedThisRound < c.walksPerRound,
              c.budget.allows(evaluations: evaluations, samples: walksIssued, moreEvaluations: step * walkCost, moreSamples: step) {
            let pair = UInt64(walksIssued / step)
            let samples = c.antithetic ? [pair, Permutation.antithetic(of: pair)] : [UInt64(walksIssued)]
            for s in samples {
                roundWalks.append(s)
                var r = 1
                while r < n {
                    let end = min(n, r + c.chunkSize)
                    planned.append(.init(coalitions: (r..<end).map { .prefix(sample: s, removed: Int32($0), toggle: nil) },
                                         truncation: nil, meta: Meta(sample: s, firstRemoved: r)))
                    r = end
                }
            }
            walksIssued += step
            issuedThisRound += step
            evaluations += step * walkCost
        }
        if planned.isEmpty { done = true } else { book.open(planned) }
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
        var walks: [UInt64: [Double]] = [:]
        var lost = Set<UInt64>()
        for s in roundWalks { walks[s] = Array(repeating: 0, count: n + 1) }
        for c in completed {
            if c.meta.firstRemoved < 0 {
                if c.abandoned { endpointsLost = true } else { endpoints = (c.values[0], c.values[1]) }
                continue
            }
            if c.abandoned {
                lost.insert(c.meta.sample)
                continue
            }
            for (i, v) in c.values.enumerated() { walks[c.meta.sample]?[c.meta.firstRemoved + i] = v }
        }
        let samples = roundWalks
        roundWalks = []
        guard let ends = endpoints else { return }
        // Walks come in groups (an antithetic pair, or one walk); a group with a lost walk is dropped.
        let step = configuration.antithetic ? 2 : 1
        for start in stride(from: 0, to: samples.count, by: step) {
            let group = samples[start..<min(samples.count, start + step)]
            if group.contains(where: { lost.contains($0) }) { continue }
            var pending: [Double]? = nil
            for s in group {
                guard var values = walks[s] else { continue }
                values[0] = ends.full
                values[n] = ends.empty
                let order = Permutation.order(seed: configuration.seed, index: s, playerCount: n)
                var marginals = [Double](repeating: 0, count: n)
                for r in 0..<n { marginals[Int(order[r])] = values[r] - values[r + 1] }
                if configuration.antithetic {
                    if let first = pending {
                        for i in 0..<n { stats[i].add((first[i] + marginals[i]) / 2) }
                        pending = nil
                    } else {
                        pending = marginals
                    }
                } else {
                    for i in 0..<n { stats[i].add(marginals[i]) }
                }
                walksFolded += 1
            }
        }
    }

    public var isFinished: Bool { done }

    public func report() -> EstimateReport {
        let players = ReportBuilder.players(stats, bound: configuration.bound)
        return EstimateReport(estimator: configuration.antithetic ? "permutation-antithetic" : "permutation",
                              players: players, topK: ReportBuilder.top(players, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: walksFolded,
                              activePlayers: playerCount, finished: done)
    }
}
