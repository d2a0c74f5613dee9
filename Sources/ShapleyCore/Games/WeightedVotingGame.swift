/// The weighted voting game: a coalition wins (value 1) when the weights of its members reach the
/// quota, and loses (value 0) otherwise.
///
/// Exact Shapley values come from ``exactShapleyValues()`` for hundreds of players: the Shapley
/// value of `i` is the integral over `p ∈ [0, 1]` of the probability that `i` is pivotal when every
/// other player is present independently with probability `p` (the derivative of the multilinear
/// extension; Owen 1972). That probability is a polynomial of degree `n - 1` in `p`, so
/// Gauss-Legendre quadrature with `n/2 + 1` nodes integrates it exactly; at each node a dynamic
/// programme over weights below the quota gives the distribution of the others' weight.
public struct WeightedVotingGame: IncrementalGame {
    /// The players' weights (positive integers).
    public let weights: [Int64]
    /// The weight a coalition needs to win.
    public let quota: Int64
    /// The sum of all weights.
    public let totalWeight: Int64

    /// A game with these weights and quota.
    public init(weights: [Int64], quota: Int64) throws {
        guard !weights.isEmpty else {
            throw ShapleyError.invalidOption(name: "players", value: "0", expected: "at least one player")
        }
        if let bad = weights.first(where: { $0 <= 0 }) {
            throw ShapleyError.invalidOption(name: "weight", value: "\(bad)", expected: "positive integer weights")
        }
        let total = weights.reduce(0, +)
        guard quota >= 1 && quota <= total else {
            throw ShapleyError.invalidOption(name: "quota", value: "\(quota)", expected: "a quota in 1...\(total) (the total weight)")
        }
        self.weights = weights
        self.quota = quota
        self.totalWeight = total
    }

    /// A game with `playerCount` weights drawn uniformly from `1...maxWeight` with stream `seed`
    /// and the quota at `quotaFraction` of the total weight (rounded up).
    public init(playerCount: Int, seed: UInt64, maxWeight: Int = 10, quotaFraction: Double = 0.5) throws {
        guard playerCount >= 1 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(playerCount)", expected: "at least one player")
        }
        var stream = RandomStream(seed: seed, index: 0, purpose: 0x766f)
        let w = (0..<playerCount).map { _ in Int64(1 + stream.uniform(below: max(1, maxWeight))) }
        let total = w.reduce(0, +)
        let q = min(total, max(1, Int64((Double(total) * quotaFraction).rounded(.up))))
        try self.init(weights: w, quota: q)
    }

    public var playerCount: Int { weights.count }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { value(of: summary(of: $0)) }
    }

    public func summary(of coalition: Coalition) -> Int64 {
        coalition.weightedSum(weights, total: totalWeight)
    }

    public func inserting(_ player: Int, into summary: inout Int64) { summary += weights[player] }

    public func removing(_ player: Int, from summary: inout Int64) { summary -= weights[player] }

    public func value(of summary: Int64) -> Double { summary >= quota ? 1 : 0 }

    /// The exact Shapley values (see the type's documentation). Cost: about `n/2` passes of
    /// `O(n · quota)`; players with equal weights share one computation.
    public func exactShapleyValues() -> [Double] {
        let n = playerCount
        let rule = GaussLegendre(count: n / 2 + 1)
        let distinct = Array(Set(weights)).sorted()
        var pivotal = [Int64: Double](uniqueKeysWithValues: distinct.map { ($0, 0.0) })
        let presentLimit = Int(quota)                  // track present weight 0..<quota
        let absentLimit = Int(totalWeight - quota) + 1 // track absent weight 0...total-quota
        for (p, weight) in zip(rule.nodes, rule.weights) {
            if p <= 0.5 {
                // Present weight W of everybody, below the quota; i pivotal iff q-d <= W_{-i} < q.
                let all = Self.distribution(weights, probability: p, limit: presentLimit)
                for d in distinct {
                    let others = Self.removeOne(all, weight: Int(d), probability: p)
                    var prob = 0.0
                    for w in max(0, presentLimit - Int(d))..<presentLimit { prob += others[w] }
                    pivotal[d, default: 0] += weight * prob
                }
            } else {
                // Absent weight U (each player absent with probability 1-p); with r = total - quota,
                // i is pivotal iff r - d < U_{-i} <= r.
                let all = Self.distribution(weights, probability: 1 - p, limit: absentLimit)
                for d in distinct {
                    let others = Self.removeOne(all, weight: Int(d), probability: 1 - p)
                    var prob = 0.0
                    for u in max(0, absentLimit - Int(d))..<absentLimit { prob += others[u] }
                    pivotal[d, default: 0] += weight * prob
                }
            }
        }
        return weights.map { pivotal[$0] ?? 0 }
    }

    /// The distribution of `Σ wᵢ Bᵢ` over `0..<limit` with independent `Bᵢ ~ Bernoulli(probability)`
    /// (mass at `limit` and above is dropped; weights are positive so it never comes back).
    static func distribution(_ weights: [Int64], probability p: Double, limit: Int) -> [Double] {
        var dist = [Double](repeating: 0, count: max(limit, 1))
        dist[0] = 1
        var top = 0
        for w64 in weights {
            let w = Int(w64)
            let newTop = min(limit - 1, top + w)
            if newTop >= w {
                for x in stride(from: newTop, through: w, by: -1) {
                    dist[x] = (1 - p) * dist[x] + p * dist[x - w]
                }
            }
            for x in 0..<min(w, newTop + 1) { dist[x] *= (1 - p) }
            top = newTop
        }
        return dist
    }

    /// Removes one Bernoulli(`probability`) term of weight `weight` from a distribution made by
    /// ``distribution(_:probability:limit:)``. Stable for `probability <= 1/2`: each step divides by
    /// `1 - p` and multiplies the carried error by `p / (1 - p) <= 1`.
    static func removeOne(_ dist: [Double], weight w: Int, probability p: Double) -> [Double] {
        var out = [Double](repeating: 0, count: dist.count)
        for x in 0..<dist.count {
            let carried = x >= w ? p * out[x - w] : 0
            out[x] = (dist[x] - carried) / (1 - p)
        }
        return out
    }
}
