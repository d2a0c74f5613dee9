/// The airport game (Littlechild & Owen 1973): player `i` needs a runway of cost `cᵢ`, and a
/// coalition pays for the longest runway any member needs, `v(S) = max_{i∈S} cᵢ` (0 when empty).
///
/// Closed form: with the costs sorted increasingly, `c₍₁₎ ≤ … ≤ c₍ₙ₎` and `c₍₀₎ = 0`, the
/// player with the `j`-th smallest cost pays `Σ_{m≤j} (c₍ₘ₎ − c₍ₘ₋₁₎) / (n − m + 1)`: each runway
/// segment is shared equally by everybody who needs it.
public struct AirportGame: Game {
    /// The runway cost each player needs (non-negative).
    public let costs: [Double]
    private let byDecreasingCost: [Int]

    /// A game with these costs.
    public init(costs: [Double]) throws {
        if let bad = costs.first(where: { !($0 >= 0) || !$0.isFinite }) {
            throw ShapleyError.invalidOption(name: "cost", value: "\(bad)", expected: "finite non-negative costs")
        }
        self.costs = costs
        self.byDecreasingCost = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
    }

    /// A game with `playerCount` costs drawn uniformly from `[0, 1)` with stream `seed`.
    public init(playerCount: Int, seed: UInt64) throws {
        var stream = RandomStream(seed: seed, index: 0, purpose: 0x6169)
        try self.init(costs: (0..<playerCount).map { _ in stream.unit() })
    }

    public var playerCount: Int { costs.count }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { c in
            precondition(c.playerCount == playerCount, "coalition has \(c.playerCount) players, game has \(playerCount)")
            for p in byDecreasingCost where c.contains(p) { return costs[p] }
            return 0
        }
    }

    /// The exact Shapley values (the closed form above).
    public func exactShapleyValues() -> [Double] {
        let n = costs.count
        let increasing = byDecreasingCost.reversed().map { $0 }
        var out = [Double](repeating: 0, count: n)
        var share = 0.0, previous = 0.0
        for (m, player) in increasing.enumerated() {
            share += (costs[player] - previous) / Double(n - m)
            previous = costs[player]
            out[player] = share
        }
        return out
    }
}
