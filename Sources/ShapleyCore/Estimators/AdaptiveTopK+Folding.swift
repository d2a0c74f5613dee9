extension AdaptiveTopK {
    /// Folds a closed round: endpoints, screening walks and bases, in sample order.
    mutating func fold(_ completed: [RoundBook<Meta>.Completed]) {
        var walkValues: [UInt64: [Double]] = [:]
        var baseValues: [UInt64: [Double]] = [:]
        for c in completed {
            switch c.meta {
            case .endpoints: endpoints = (c.values[0], c.values[1])
            case .walk(let s): walkValues[s, default: []] += c.values
            case .base(let s): baseValues[s, default: []] += c.values
            }
        }
        guard let ends = endpoints else { return }
        for s in walkValues.keys.sorted() {
            foldWalk(sample: s, values: [ends.full] + (walkValues[s] ?? []) + [ends.empty])
        }
        for s in baseValues.keys.sorted() {
            guard let base = bases.removeValue(forKey: s) else { continue }
            foldBase(sample: s, base: base, values: baseValues[s] ?? [])
        }
        proposal.update()
    }

    /// Folds a screening walk: every player records the drop of its group. The squared drops per
    /// member also seed the size proposal (where marginals are large).
    mutating func foldWalk(sample s: UInt64, values: [Double]) {
        let n = playerCount, g = configuration.stride
        let order = Permutation.order(seed: configuration.seed, index: s, playerCount: n)
        for j in 0..<(values.count - 1) {
            let start = j * g, end = min(n, start + g)
            let drop = values[j] - values[j + 1]
            for p in start..<end { screen[Int(order[p])].add(drop) }
            proposal.record(square: drop * drop / Double(end - start), at: n - (start + end) / 2, count: 1)
        }
        screeningWalks += 1
    }

    /// Folds a base coalition: one importance-weighted marginal per toggled player.
    mutating func foldBase(sample s: UInt64, base: Base, values: [Double]) {
        let n = playerCount
        let removed = n - base.size
        let order = Permutation.order(seed: configuration.seed, index: s, playerCount: n)
        var position = [Int32](repeating: 0, count: n)
        for (p, player) in order.enumerated() { position[Int(player)] = Int32(p) }
        let weight = proposal.weight(of: base.size)
        let v = values[0]
        for (k, player) in base.players.enumerated() {
            let toggled = values[k + 1]
            let member = Int(position[Int(player)]) >= removed
            let m = member ? v - toggled : toggled - v
            direct[Int(player)].add(weight * m)
            proposal.record(square: m * m, at: base.size)
        }
        basesFolded += 1
    }
}
