/// Exact Shapley values by enumerating all `2ⁿ` coalitions: the reference for small games.
///
/// `φᵢ = Σ_{S ⊆ N∖{i}} |S|!·(n−|S|−1)!/n! · (v(S∪{i}) − v(S))`.
public enum ExactShapley {
    /// The largest number of players enumerated (2^20 coalitions).
    public static let maxPlayers = 20

    /// The coalition whose members are the set bits of `mask`.
    public static func coalition(mask: Int, playerCount: Int) -> Coalition {
        var c = Coalition(empty: playerCount)
        var bits = mask
        while bits != 0 {
            c.insert(bits.trailingZeroBitCount)
            bits &= bits - 1
        }
        return c
    }

    /// The exact Shapley values of `game`, valuing coalitions in batches of `batchSize`.
    public static func values(of game: any Game, batchSize: Int = 4096) throws -> [Double] {
        let n = game.playerCount
        guard n <= maxPlayers else {
            throw ShapleyError.invalidOption(name: "players", value: "\(n)",
                                             expected: "at most \(maxPlayers) players for exact enumeration")
        }
        let total = 1 << n
        var table = [Double]()
        table.reserveCapacity(total)
        var start = 0
        while start < total {
            let end = min(total, start + batchSize)
            let batch = (start..<end).map { coalition(mask: $0, playerCount: n) }
            let v = try game.values(of: batch)
            guard v.count == batch.count else {
                throw ShapleyError.gameReturnedWrongCount(expected: batch.count, got: v.count)
            }
            table += v
            start = end
        }
        return values(fromTable: table, playerCount: n)
    }

    /// Shapley values from the table of all coalition values indexed by membership mask.
    public static func values(fromTable table: [Double], playerCount n: Int) -> [Double] {
        precondition(table.count == 1 << n, "the table needs one value per coalition")
        let weight = sizeWeights(playerCount: n)
        var phi = [Double](repeating: 0, count: n)
        for mask in 0..<(1 << n) {
            let s = mask.nonzeroBitCount
            guard s < n else { continue }
            for i in 0..<n where mask & (1 << i) == 0 {
                phi[i] += weight[s] * (table[mask | (1 << i)] - table[mask])
            }
        }
        return phi
    }

    /// `|S|!·(n−|S|−1)!/n!` for `|S|` in `0..<n`, computed as `1 / (n·C(n−1, s))`.
    public static func sizeWeights(playerCount n: Int) -> [Double] {
        guard n > 0 else { return [] }
        var out = [Double](repeating: 0, count: n)
        var choose = 1.0 // C(n-1, s)
        for s in 0..<n {
            out[s] = 1 / (Double(n) * choose)
            choose = choose * Double(n - 1 - s) / Double(s + 1)
        }
        return out
    }
}
