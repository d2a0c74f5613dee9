/// Stratified sampling by coalition size (in the spirit of Maleki et al. 2013), for chosen players:
/// high-precision values of a few players, for instance to check the border of a top-k that
/// another estimator found, without paying for every player's marginals.
///
/// Sample `m` is a base coalition `B` of size `s`, the last `s` players of a random order, valued
/// together with `B` with each focus player's membership flipped: `1 + f` evaluations give one
/// marginal `v(B ∪ i) − v(B ∖ i)` to each of the `f` focus players. Sizes go through all `n + 1`
/// sizes once in every `n + 1` consecutive samples (exact proportions): in turn when a round holds
/// the whole cycle, otherwise in steps of about 0.618·(n + 1) (coprime to it), so that the bases of
/// each round spread over all sizes. With `B` of uniform size, `B ∖ i` has a size uniform over
/// `0…n−1` and is a uniform subset of that size (`i ∈ B` with probability `s/n`), so the marginal
/// is one of player `i`'s permutation marginals: unbiased, and with no truncation, importance
/// weights, screening or adaptivity.
///
/// - Estimates: post-stratified by size band (``Configuration/strata`` bands of consecutive base
///   sizes): the mean of each band's marginals, weighted by the share of sizes in the band, so a
///   budget that ends a cycle early does not tilt the estimate towards the sizes it reached.
///   Players outside the focus are reported as 0 with an unbounded interval and no marginals.
/// - Intervals: normal, `estimate ± z·√(Σ_b w_b² s_b² / N_b)` with `s_b²` the band's sample
///   variance (the pooled within-band variance while a band has fewer than two marginals, or
///   the player's variance over all its marginals while no band has two);
///   `z` from ``Configuration/confidence``, per player.
/// - Stopping rule: the budget (by default 100 cycles of sizes).
/// - Abandoned units: the bases they hold part of are discarded.
public struct StratifiedSampling: Estimator, RoundBased {
    /// Settings of stratified sampling.
    public struct Configuration: Hashable, Sendable {
        /// The number of players.
        public var playerCount: Int
        /// The run seed: base coalitions are numbered from it.
        public var seed: UInt64
        /// The players valued, in increasing order; every player by default.
        public var focus: [Int]
        /// The size of the top set reported among the focus players, 10 by default (all of them
        /// when there are fewer).
        public var topK = 10
        /// The coverage of each player's normal interval, 0.95 by default.
        public var confidence = 0.95
        /// Evaluation and sample caps; by default 100 cycles of the `n + 1` sizes.
        public var budget: Budget
        /// Size bands the estimate is post-stratified over, at most 64 by default (never more
        /// than the `n + 1` sizes).
        public var strata = 64
        /// Coalitions per work unit at most, 256 by default (whole bases, one base per unit when
        /// a base alone holds more).
        public var unitSize = 256
        /// Bases per round at most, 256 by default: estimates are updated each time a round closes.
        public var basesPerRound = 256

        /// The default configuration for `playerCount` players and `seed`, valuing every player.
        public init(playerCount: Int, seed: UInt64) {
            self.playerCount = playerCount
            self.seed = seed
            self.focus = Array(0..<max(0, playerCount))
            self.budget = Budget(maxSamples: 100 * (max(0, playerCount) + 1))
        }
    }

    /// The flat range of a round's coalitions a unit holds.
    typealias Meta = Range<Int>

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Meta>
    /// Marginals of each focus player (by position in the focus) in each size band.
    var bands: [[RunningStatistics]]
    /// The sample numbers of the open round's bases, in order.
    var roundBases: [UInt64] = []
    var nextSample: UInt64 = 0
    var basesFolded = 0
    var done = false
    /// The step between consecutive samples' sizes, coprime to `n + 1`.
    let sizeStep: Int

    /// The estimator; throws on invalid settings.
    public init(_ configuration: Configuration) throws {
        var c = configuration
        let n = c.playerCount
        guard n >= 2 else { throw ShapleyError.invalidOption(name: "players", value: "\(n)", expected: "at least 2 players") }
        if let bad = c.focus.first(where: { !(0..<n).contains($0) }) {
            throw ShapleyError.invalidOption(name: "focus", value: "\(bad)", expected: "player indices in 0...\(n - 1)")
        }
        c.focus = Array(Set(c.focus)).sorted()
        guard !c.focus.isEmpty else {
            throw ShapleyError.invalidOption(name: "focus", value: "none", expected: "at least one player index in 0...\(n - 1)")
        }
        guard c.topK >= 1 else {
            throw ShapleyError.invalidOption(name: "top-k", value: "\(c.topK)", expected: "at least 1 (at most the focus players are reported)")
        }
        c.topK = min(c.topK, c.focus.count)
        guard c.confidence > 0 && c.confidence < 1 else {
            throw ShapleyError.invalidOption(name: "confidence", value: "\(c.confidence)", expected: "a coverage in (0, 1), e.g. 0.95")
        }
        guard c.strata >= 1, c.unitSize >= 2, c.basesPerRound >= 1 else {
            throw ShapleyError.invalidOption(name: "strata / unit size / bases per round", value: "\(c.strata) / \(c.unitSize) / \(c.basesPerRound)",
                                             expected: "at least 1 band, 2 coalitions per unit and 1 base per round")
        }
        c.strata = min(c.strata, n + 1)
        self.configuration = c
        var step = 1
        if n + 1 > c.basesPerRound {
            step = max(1, Int((0.6180339887498949 * Double(n + 1)).rounded()))
            while Self.gcd(step, n + 1) != 1 { step += 1 }
        }
        self.sizeStep = step
        book = RoundBook(seed: c.seed, playerCount: n)
        bands = Array(repeating: Array(repeating: RunningStatistics(), count: c.strata), count: c.focus.count)
        planRound()
    }

    public var playerCount: Int { configuration.playerCount }

    public var budget: Budget { configuration.budget }

    public mutating func nextWork(limit: Int) -> [WorkUnit] { book.next(limit: limit) }

    public mutating func ingest(_ result: WorkResult) throws -> Bool { try ingestIntoRound(result) }

    /// Gives up on a unit: the bases it holds coalitions of are discarded (their samples still
    /// count towards the sample cap).
    public mutating func abandon(unitID: UInt64) -> Bool { abandonInRound(unitID: unitID) }

    public var isFinished: Bool { done }

    /// The size of sample `m`'s base coalition: `m·step mod (n + 1)`, every size once per cycle.
    func size(ofSample m: UInt64) -> Int {
        let cycle = UInt64(playerCount + 1)
        return Int((m % cycle) * UInt64(sizeStep) % cycle)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// The size band of a base of size `s`.
    func band(ofSize s: Int) -> Int { s * configuration.strata / (playerCount + 1) }

    /// The share of the `n + 1` sizes that fall in each band.
    var bandWeights: [Double] {
        var w = [Double](repeating: 0, count: configuration.strata)
        for s in 0...playerCount { w[band(ofSize: s)] += 1 / Double(playerCount + 1) }
        return w
    }

    mutating func planRound() {
        let c = configuration, n = playerCount, perBase = c.focus.count + 1
        var specs: [CoalitionSpec] = []
        roundBases = []
        for _ in 0..<min(n + 1, c.basesPerRound) {
            guard c.budget.allows(evaluations: book.valuesClosed + specs.count, samples: Int(nextSample),
                                  moreEvaluations: perBase, moreSamples: 1) else { break }
            let s = nextSample
            nextSample += 1
            let removed = Int32(n - size(ofSample: s))
            specs.append(.prefix(sample: s, removed: removed, toggle: nil))
            specs += c.focus.map { .prefix(sample: s, removed: removed, toggle: Int32($0)) }
            roundBases.append(s)
        }
        guard !specs.isEmpty else {
            done = true
            return
        }
        // Whole bases per unit, as many as fit (a base larger than a unit goes alone).
        let basesPerUnit = max(1, c.unitSize / perBase)
        var planned: [RoundBook<Meta>.Planned] = []
        for first in stride(from: 0, to: roundBases.count, by: basesPerUnit) {
            let range = (first * perBase)..<(min(roundBases.count, first + basesPerUnit) * perBase)
            planned.append(.init(coalitions: Array(specs[range]), truncation: nil, meta: range))
        }
        book.open(planned)
    }

    mutating func closeRound(_ completed: [RoundBook<Meta>.Completed]) {
        let c = configuration, n = playerCount, perBase = c.focus.count + 1
        var values = [Double](repeating: 0, count: roundBases.count * perBase)
        var lost = [Bool](repeating: false, count: roundBases.count)
        for unit in completed {
            if unit.abandoned {
                for b in (unit.meta.lowerBound / perBase)..<(unit.meta.upperBound / perBase) { lost[b] = true }
            } else {
                values.replaceSubrange(unit.meta, with: unit.values)
            }
        }
        for (b, s) in roundBases.enumerated() where !lost[b] {
            let size = size(ofSample: s), removed = n - size
            let position = Permutation.positions(of: Permutation.order(seed: c.seed, index: s, playerCount: n))
            let stratum = band(ofSize: size)
            for (f, player) in c.focus.enumerated() {
                bands[f][stratum].add(CoalitionSpec.toggledMarginal(base: values[b * perBase], toggled: values[b * perBase + 1 + f],
                                                                    wasMember: Int(position[player]) >= removed))
            }
            basesFolded += 1
        }
        planRound()
    }

    /// Each focus player's post-stratified estimate and its standard error (infinite while a band
    /// has no marginal yet).
    func estimates() -> [(value: Double, error: Double)] {
        let w = bandWeights
        var within = 0.0, degrees = 0.0
        for player in bands {
            for s in player where s.count > 1 {
                within += s.variance * Double(s.count - 1)
                degrees += Double(s.count - 1)
            }
        }
        let pooled = degrees > 0 ? within / degrees : nil
        return bands.map { player in
            // With no band holding two marginals yet (one per size so far), the player's variance
            // over all its marginals stands in: larger than the within-band one, so conservative.
            var all = RunningStatistics()
            for s in player { all.merge(s) }
            let fallback = pooled ?? (all.count > 1 ? all.variance : .infinity)
            var value = 0.0, variance = 0.0
            for (b, s) in player.enumerated() where w[b] > 0 {
                guard s.count > 0 else { return (0, .infinity) }
                value += w[b] * s.mean
                variance += w[b] * w[b] * (s.count > 1 ? s.variance : fallback) / Double(s.count)
            }
            return (value, variance.squareRoot())
        }
    }

    public func report() -> EstimateReport {
        let z = ConfidenceBound.z(coverage: configuration.confidence)
        var players = (0..<playerCount).map { PlayerEstimate(player: $0, value: 0, lower: -.infinity, upper: .infinity, marginals: 0) }
        for (f, e) in estimates().enumerated() {
            let i = configuration.focus[f]
            players[i] = PlayerEstimate(player: i, value: e.value, lower: e.value - z * e.error, upper: e.value + z * e.error,
                                        marginals: bands[f].reduce(0) { $0 + $1.count })
        }
        let focused = configuration.focus.map { players[$0] }
        return EstimateReport(estimator: "stratified", players: players, topK: ReportBuilder.top(focused, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: basesFolded, activePlayers: done ? 0 : configuration.focus.count,
                              finished: done)
    }
}
