/// A game whose Shapley values, or at least whose true top-k, are known: what tests and
/// benchmarks score estimators against.
public protocol ReferenceGame: Game {
    /// The exact Shapley values when they can be computed at this size, `nil` otherwise.
    func referenceValues() throws -> [Double]?
    /// The true top-`k` players, best first, when known; `nil` otherwise. When values tie at the
    /// boundary, any of the tied players is as good as another (see ``TopKPrecision``).
    func referenceTopK(_ k: Int) throws -> [Int]?
}

extension ReferenceGame {
    public func referenceTopK(_ k: Int) throws -> [Int]? {
        guard let v = try referenceValues() else { return nil }
        return Array(TopKPrecision.ranking(of: v).prefix(k))
    }
}

extension AdditiveGame: ReferenceGame {
    public func referenceValues() throws -> [Double]? { shapleyValues }
}

extension WeightedVotingGame: ReferenceGame {
    public func referenceValues() throws -> [Double]? { exactShapleyValues() }
}

extension GloveGame: ReferenceGame {
    public func referenceValues() throws -> [Double]? { exactShapleyValues() }
}

extension AirportGame: ReferenceGame {
    public func referenceValues() throws -> [Double]? { exactShapleyValues() }
}

extension CollapsingNetworkGame: ReferenceGame {
    /// Exact values by enumeration for at most 16 players; `nil` beyond.
    public func referenceValues() throws -> [Double]? {
        playerCount <= 16 ? try ExactShapley.values(of: self) : nil
    }

    /// The top-k by importance, which is the Shapley top-k for `k ≤ provableRank`; `nil` beyond.
    public func referenceTopK(_ k: Int) throws -> [Int]? {
        if let v = try referenceValues() { return Array(TopKPrecision.ranking(of: v).prefix(k)) }
        return k <= provableRank ? trueTopK(k) : nil
    }
}

/// Precision of an estimated top-k against the truth.
public enum TopKPrecision {
    /// Players by decreasing value, ties by index.
    public static func ranking(of values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
    }

    /// The fraction of `estimated` (the first `k` taken) that belongs to `truth` (a top-k set).
    public static func precision(_ estimated: [Int], truth: [Int], k: Int) -> Double {
        guard k > 0 else { return 1 }
        let t = Set(truth.prefix(k))
        return Double(estimated.prefix(k).filter { t.contains($0) }.count) / Double(k)
    }

    /// Precision with exact values, counting a player as correct when its true value is within
    /// `tolerance` of the k-th largest (so that tied players are interchangeable).
    public static func precision(_ estimated: [Int], values: [Double], k: Int, tolerance: Double = 1e-12) -> Double {
        guard k > 0, !values.isEmpty else { return 1 }
        let kk = min(k, values.count)
        let threshold = values[ranking(of: values)[kk - 1]] - tolerance
        return Double(estimated.prefix(kk).filter { values[$0] >= threshold }.count) / Double(kk)
    }
}
