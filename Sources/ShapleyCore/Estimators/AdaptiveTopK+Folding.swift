extension AdaptiveTopK {
    /// Folds a closed round: endpoints, screening walks and bases, in sample order. A walk or base
    /// with an abandoned unit is dropped; abandoned endpoints end the run.
    mutating func fold(_ completed: [RoundBook<Meta>.Completed]) {
        var walkValues: [UInt64: [Int: [Double]]] = [:]
        var baseValues: [UInt64: [Double]] = [:]
        // Walks and bases with an abandoned unit are discarded whole.
        var lostWalks = Set<UInt64>(), lostBases = Set<UInt64>()
        for c in completed {
            switch c.meta {
            case .endpoints where c.abandoned: done = true
            case .endpoints: endpoints = (c.values[0], c.values[1])
            case .walk(let s, _) where c.abandoned: lostWalks.insert(s)
            case .walk(let s, let first):
                walkValues[s, default: [:]][first] = c.values
                screeningEvaluations += c.values.count
            case .base(let s) where c.abandoned: lostBases.insert(s)
            case .base(let s): baseValues[s, default: []] += c.values
            }
        }
        for s in lostWalks { walkValues[s] = nil }
        for s in lostBases {
            baseValues[s] = nil
            bases[s] = nil
        }
        guard let ends = endpoints else { return }
        for s in walkValues.keys.sorted() {
            // A chunk cut short by truncation is padded with its last value: collapsed.
            var values = [ends.full]
            for (first, chunk) in (walkValues[s] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let end = min(walkCost, first + configuration.unitSize)
                values += chunk
                values += Array(repeating: chunk.last ?? values[values.count - 1], count: max(0, end - first - chunk.count))
            }
            foldWalk(sample: s, values: values + [ends.empty])
        }
        for s in baseValues.keys.sorted() {
            guard let base = bases.removeValue(forKey: s) else { continue }
            foldBase(sample: s, base: base, values: baseValues[s] ?? [])
        }
        if !walkValues.isEmpty { rebuildScreening() }
        proposal.update()
    }

    /// Folds a base coalition: one importance-weighted marginal per toggled player.
    mutating func foldBase(sample s: UInt64, base: Base, values: [Double]) {
        let n = playerCount
        let removed = n - base.size
        let position = Permutation.positions(of: Permutation.order(seed: configuration.seed, index: s, playerCount: n))
        let weight = proposal.weight(of: base.size)
        for (k, player) in base.players.enumerated() {
            let m = CoalitionSpec.toggledMarginal(base: values[0], toggled: values[k + 1],
                                                  wasMember: Int(position[Int(player)]) >= removed)
            direct[Int(player)].add(weight * m)
            proposal.record(square: m * m, at: base.size)
        }
        basesFolded += 1
    }
}
