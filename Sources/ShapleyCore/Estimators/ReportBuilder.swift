/// Builds ``EstimateReport``s from per-player statistics.
enum ReportBuilder {
    /// Per-player estimates: the mean of each player's observations with `bound`'s interval.
    static func players(_ stats: [RunningStatistics], bound: ConfidenceBound) -> [PlayerEstimate] {
        stats.enumerated().map { i, s in
            let interval = bound.interval(s)
            return PlayerEstimate(player: i, value: s.mean, lower: interval.lowerBound,
                                  upper: interval.upperBound, marginals: s.count)
        }
    }

    /// The first `k` players by estimate (ties by index).
    static func top(_ players: [PlayerEstimate], k: Int) -> [Int] {
        guard k > 0 else { return [] }
        return Array(players.sorted { $0.value != $1.value ? $0.value > $1.value : $0.player < $1.player }
            .prefix(k).map(\.player))
    }
}

/// How an estimator's budget is spent and capped; every estimator stops at the first cap reached.
public struct Budget: Hashable, Sendable {
    /// The most coalitions valued (forward passes) the estimator may issue; `nil` for no cap.
    public var maxEvaluations: Int?
    /// The most samples (permutation walks or base coalitions) it may draw; `nil` for no cap.
    public var maxSamples: Int?

    /// A budget with these caps.
    public init(maxEvaluations: Int? = nil, maxSamples: Int? = nil) {
        self.maxEvaluations = maxEvaluations
        self.maxSamples = maxSamples
    }

    /// Whether `evaluations` and `samples` leave room for `moreEvaluations` and `moreSamples`.
    func allows(evaluations: Int, samples: Int, moreEvaluations: Int = 0, moreSamples: Int = 0) -> Bool {
        if let cap = maxEvaluations, evaluations + moreEvaluations > cap { return false }
        if let cap = maxSamples, samples + moreSamples > cap { return false }
        return true
    }
}
