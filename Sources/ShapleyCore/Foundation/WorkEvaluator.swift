/// Turns work units into results with a game: what a worker runs. Coalitions are built from the
/// unit's seed alone and valued in batches of at most `batchSize`; a truncated walk stops at the
/// end of the batch in which its rule fires, and only the kept values are returned, so the result
/// does not depend on the batch size.
public struct WorkEvaluator: Sendable {
    /// The game to evaluate.
    public let game: any Game
    /// The largest number of coalitions per call to the game.
    public let batchSize: Int

    /// An evaluator for `game`.
    public init(game: any Game, batchSize: Int = 16) {
        precondition(batchSize > 0, "the batch size must be positive")
        self.game = game
        self.batchSize = batchSize
    }

    /// The coalitions of `unit`, built from its seed.
    public static func coalitions(of unit: WorkUnit) -> [Coalition] {
        var orders: [UInt64: [Int32]] = [:]
        return unit.coalitions.map { spec in
            switch spec {
            case .explicit(let c):
                return c
            case .prefix(let sample, let removed, let toggle):
                let order: [Int32]
                if let o = orders[sample] { order = o } else {
                    order = Permutation.order(seed: unit.seed, index: sample, playerCount: unit.playerCount)
                    orders[sample] = order
                }
                var c = Permutation.coalition(order: order, removed: Int(removed))
                if let t = toggle { c.toggle(Int(t)) }
                return c
            }
        }
    }

    /// Values `unit` with the game.
    public func evaluate(_ unit: WorkUnit) throws -> WorkResult {
        guard unit.playerCount == game.playerCount else {
            throw ShapleyError.resultDoesNotMatchWork(
                id: unit.id, reason: "unit has \(unit.playerCount) players, game has \(game.playerCount)")
        }
        let all = Self.coalitions(of: unit)
        var values: [Double] = []
        values.reserveCapacity(all.count)
        var start = 0
        while start < all.count {
            let end = min(start + batchSize, all.count)
            let v = try game.values(of: Array(all[start..<end]))
            guard v.count == end - start else {
                throw ShapleyError.gameReturnedWrongCount(expected: end - start, got: v.count)
            }
            values += v
            start = end
            if let kept = unit.truncation?.stop(in: values) {
                values.removeLast(values.count - kept)
                break
            }
        }
        return WorkResult(id: unit.id, values: values)
    }
}
