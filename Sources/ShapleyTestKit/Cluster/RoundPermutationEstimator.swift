public import ShapleyCore

/// Plain permutation sampling organised in rounds, following the ``Estimator`` contract: the
/// smallest estimator that exercises a cluster the way the real ones do.
///
/// Each unit is one whole walk: sample `s` removes players in the order of permutation `s` from the
/// full coalition, valuing all `n + 1` coalitions (or fewer when a truncation rule fires; unreached
/// players then get a marginal of 0). Unit ids are sample indices. Round `r` holds samples
/// `r·perRound ..< (r+1)·perRound`; its results are buffered and folded in sample order once all
/// have arrived. Intervals are normal (z = 1.96). Unbiased without truncation; stops after
/// `samples` samples. An abandoned unit's sample is left out of its round (and of the count).
public struct RoundPermutationEstimator: Estimator {
    public let playerCount: Int
    /// The run seed.
    public let seed: UInt64
    /// The total number of samples.
    public let samples: Int
    /// Samples per round.
    public let perRound: Int
    /// The truncation rule put on every walk, if any.
    public let truncation: Truncation?
    /// How many players the report names as the top-k.
    public let k: Int

    private var round = 0
    private var issued = 0  // units of the current round handed out
    private var buffered: [UInt64: [Double]] = [:]
    private var abandoned: Set<UInt64> = []
    private var abandonedTotal = 0
    private var stats: [RunningStatistics]
    private var folded = 0
    private var evaluations = 0

    /// An estimator of `samples` samples in rounds of `perRound`.
    public init(playerCount: Int, seed: UInt64, samples: Int, perRound: Int, truncation: Truncation? = nil, k: Int = 5) {
        precondition(samples > 0 && perRound > 0, "samples and rounds must be positive")
        self.playerCount = playerCount
        self.seed = seed
        self.samples = samples
        self.perRound = perRound
        self.truncation = truncation
        self.k = k
        self.stats = Array(repeating: RunningStatistics(), count: playerCount)
    }

    private var roundStart: Int { round * perRound }
    private var roundEnd: Int { min(samples, roundStart + perRound) }

    public var isFinished: Bool { folded >= samples }

    public mutating func nextWork(limit: Int) -> [WorkUnit] {
        guard !isFinished, limit > 0 else { return [] }
        var out: [WorkUnit] = []
        while issued < roundEnd - roundStart && out.count < limit {
            let s = UInt64(roundStart + issued)
            let specs = (0...playerCount).map { CoalitionSpec.prefix(sample: s, removed: Int32($0), toggle: nil) }
            out.append(WorkUnit(id: s, seed: seed, playerCount: playerCount, coalitions: specs, truncation: truncation))
            issued += 1
        }
        return out
    }

    public mutating func ingest(_ result: WorkResult) throws -> Bool {
        let id = Int(clamping: result.id)
        if id < roundStart { return false }
        guard id < roundStart + issued else {
            throw ShapleyError.resultDoesNotMatchWork(id: result.id, reason: "unit was not issued yet")
        }
        guard result.values.count <= playerCount + 1,
              truncation != nil || result.values.count == playerCount + 1 else {
            throw ShapleyError.resultDoesNotMatchWork(
                id: result.id, reason: "\(result.values.count) values for \(playerCount + 1) coalitions")
        }
        if buffered[result.id] != nil || abandoned.contains(result.id) { return false }
        buffered[result.id] = result.values
        if buffered.count + abandoned.count == roundEnd - roundStart { foldRound() }
        return true
    }

    public mutating func abandon(unitID: UInt64) -> Bool {
        let id = Int(clamping: unitID)
        guard id >= roundStart, id < roundStart + issued, buffered[unitID] == nil, !abandoned.contains(unitID) else {
            return false
        }
        abandoned.insert(unitID)
        if buffered.count + abandoned.count == roundEnd - roundStart { foldRound() }
        return true
    }

    private mutating func foldRound() {
        for s in roundStart..<roundEnd where !abandoned.contains(UInt64(s)) {
            let values = buffered[UInt64(s)] ?? []
            let order = Permutation.order(seed: seed, index: UInt64(s), playerCount: playerCount)
            for (k, player) in order.enumerated() {
                let marginal = k + 1 < values.count ? values[k] - values[k + 1] : 0
                stats[Int(player)].add(marginal)
            }
            evaluations += values.count
        }
        folded = roundEnd
        abandonedTotal += abandoned.count
        abandoned = []
        buffered = [:]
        round += 1
        issued = 0
    }

    public func report() -> EstimateReport {
        let bound = ConfidenceBound.normal(z: 1.96)
        let players = stats.enumerated().map { p, s in
            let interval = bound.interval(s)
            return PlayerEstimate(player: p, value: s.mean, lower: interval.lowerBound,
                                  upper: interval.upperBound, marginals: s.count)
        }
        var report = EstimateReport(estimator: "round-permutation", players: players, topK: [], evaluations: evaluations,
                                    samples: folded - abandonedTotal, activePlayers: playerCount, finished: isFinished)
        report.topK = Array(report.ranking.prefix(k))
        return report
    }
}
