/// The additive game `v(S) = Σ_{i∈S} wᵢ`: every player adds its weight whatever the others do.
///
/// The Shapley value of player `i` is exactly `wᵢ`, and every marginal contribution equals it, so
/// estimators must return it with zero variance: a sharp check of their bookkeeping.
public struct AdditiveGame: Game {
    /// The weight of each player, which is also its Shapley value.
    public let weights: [Double]

    /// An additive game with these weights.
    public init(weights: [Double]) {
        self.weights = weights
    }

    /// A game with `playerCount` weights drawn uniformly from `range` with stream `seed`.
    public init(playerCount: Int, seed: UInt64, range: ClosedRange<Double> = -0.2...1) {
        var stream = RandomStream(seed: seed, index: 0, purpose: 0x6164)
        self.init(weights: (0..<playerCount).map { _ in
            range.lowerBound + (range.upperBound - range.lowerBound) * stream.unit()
        })
    }

    public var playerCount: Int { weights.count }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { c in
            precondition(c.playerCount == playerCount, "coalition has \(c.playerCount) players, game has \(playerCount)")
            var sum = 0.0
            c.forEachMember { sum += weights[$0] }
            return sum
        }
    }

    /// The exact Shapley values: the weights.
    public var shapleyValues: [Double] { weights }
}
