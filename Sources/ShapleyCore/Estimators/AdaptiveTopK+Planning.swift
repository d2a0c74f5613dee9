extension AdaptiveTopK {
    /// The units a round's bases are cut into at least, when they hold enough coalitions.
    static let unitsPerRound = 8

    /// The fewest coalitions in a unit cut from bases (the engine values coalitions in batches).
    static let smallestUnit = 16

    /// Coalitions valued by one screening walk (removal counts `g, 2g, … < n`).
    var walkCost: Int { max(1, (playerCount - 1) / configuration.stride) }

    /// Coalitions a screening walk has cost on average (its full length before any was folded).
    var averageWalkCost: Double {
        screeningWalks > 0 ? max(1, Double(screeningEvaluations) / Double(screeningWalks)) : Double(walkCost)
    }

    /// The rule that cuts screening walks short once the value has collapsed to `v(∅)`.
    var walkTruncation: Truncation? {
        guard let tolerance = configuration.truncationTolerance, let ends = endpoints, ends.full > ends.empty else { return nil }
        return Truncation(floor: ends.empty, tolerance: tolerance * (ends.full - ends.empty), patience: configuration.truncationPatience)
    }

    /// Whether the next round screens: at first always, then while more walks would exclude
    /// enough players to pay for themselves (see ``screeningWouldPay(threshold:screened:c1:variances:)``).
    var shouldScreen: Bool {
        guard !screeningClosed else { return false }
        if screeningWalks < configuration.minScreeningWalks { return true }
        return screeningPays && screeningWalks < configuration.maxScreeningWalks
    }

    /// The proposal quantile of the `m`-th base: `u₀ + m·α mod 1` with `α` the golden ratio's
    /// fractional part and `u₀` drawn from the run seed (a randomly shifted Weyl sequence). Each
    /// quantile is uniform, so each size is distributed as the proposal and the weighted marginals
    /// stay unbiased; consecutive bases spread evenly over the sizes, so that a player measured on
    /// a run of bases sees the sizes stratified rather than clumped.
    func baseQuantile(_ m: Int) -> Double {
        var stream = RandomStream(seed: configuration.seed, index: 0, purpose: 1)
        let x = stream.unit() + Double(m) * 0.6180339887498949
        return x - x.rounded(.down)
    }

    /// The share of bases each player in play is toggled on (see
    /// ``Configuration/allocationGap``): 1 within `allocationGap` standard errors of the threshold
    /// (and for players with fewer than ``Configuration/minObservations`` direct observations, or
    /// disputed by their screening estimate: see ``Configuration/disputedObservations``),
    /// `(allocationGap / t)²` at `t` standard errors, at least ``minimumToggleShare``; scaled so
    /// that the most doubtful player is toggled on every base.
    func toggleShares(_ players: [Int32]) -> [Double] {
        guard let gap = configuration.allocationGap else { return Array(repeating: 1, count: players.count) }
        let zz = z
        var shares = players.map { p -> Double in
            let i = Int(p)
            guard usesDirect(i), !disputed[i], lower[i].isFinite, upper[i].isFinite else { return 1 }
            let se = (upper[i] - lower[i]) / (2 * zz)
            let t = abs(estimate[i] - threshold) / se
            guard se > 0, t.isFinite, t > gap else { return 1 }
            return max(Self.minimumToggleShare, gap * gap / (t * t))
        }
        if let top = shares.max(), top < 1 { shares = shares.map { min(1, $0 / top) } }
        return shares
    }

    mutating func planRound() {
        guard !done, endpoints != nil else { return }
        let c = configuration
        let n = playerCount
        var planned: [RoundBook<Meta>.Planned] = []
        var evaluations = book.valuesClosed
        func add(_ specs: [CoalitionSpec], _ meta: (Int) -> Meta, truncation: Truncation? = nil, unit: Int? = nil) {
            evaluations += specs.count
            let unit = unit ?? c.unitSize
            for chunk in stride(from: 0, to: specs.count, by: unit) {
                planned.append(.init(coalitions: Array(specs[chunk..<min(specs.count, chunk + unit)]),
                                     truncation: truncation, meta: meta(chunk)))
            }
        }
        let screening = shouldScreen
        if screening {
            for w in 0..<c.walksPerRound {
                guard c.budget.allows(evaluations: evaluations, samples: Int(nextSample), moreEvaluations: walkCost, moreSamples: 1) else { break }
                if w % 4 == 0 { nextSample += 1 }
                let s = Permutation.rotated(nextSample - 1, quarters: w % 4)
                add(stride(from: c.stride, to: n, by: c.stride).map { .prefix(sample: s, removed: Int32($0), toggle: nil) },
                    { .walk(sample: s, first: $0) }, truncation: walkTruncation)
            }
        } else if !screeningClosed {
            screeningClosed = true
            updateEstimates()
        }
        let players = (0..<n).filter { active[$0] }.map { Int32($0) }
        if !players.isEmpty {
            let shares = toggleShares(players)
            let perBase = 1 + shares.reduce(0, +)
            // Rounds cost about as much as a round of screening walks, and at least n/4 evaluations
            // (at least one base), so that the per-round bookkeeping stays small against them. The
            // cap on bases counts bases toggling every player in play: bases that toggle fewer
            // are cheaper, and more of them keep a round as large (and as parallel) as before.
            let target = max(c.walksPerRound * walkCost, 4 * (c.topK + 1), n / 4)
            let cap = Double(c.basesPerRound * (players.count + 1))
            let count = max(1, Int(min(Double(target), cap) / perBase))
            // Bases are cut into units small enough that the round's work spreads over several
            // workers: a round ends only when its last unit is back, and one large unit would
            // keep every other worker idle meanwhile.
            let spread = (Int((Double(count) * perBase).rounded(.up)) + Self.unitsPerRound - 1) / Self.unitsPerRound
            let baseUnit = min(c.unitSize, max(Self.smallestUnit, spread))
            for _ in 0..<count {
                let s = nextSample
                // Who is toggled on this base: an independent draw per player, from a stream of
                // its own so that the base's order and size do not depend on it. The most doubtful
                // player's share is 1, so nobody is left out of every base.
                var draw = RandomStream(seed: c.seed, index: s, purpose: 2)
                let toggled = zip(players, shares).compactMap { player, share in draw.unit() < share ? player : nil }
                guard c.budget.allows(evaluations: evaluations, samples: Int(nextSample), moreEvaluations: toggled.count + 1, moreSamples: 1) else { break }
                nextSample += 1
                let size = proposal.size(atQuantile: baseQuantile(basesPlanned))
                basesPlanned += 1
                let removed = Int32(n - size)
                bases[s] = Base(size: size, players: toggled)
                add([.prefix(sample: s, removed: removed, toggle: nil)] + toggled.map { .prefix(sample: s, removed: removed, toggle: $0) },
                    { _ in .base(sample: s) }, unit: baseUnit)
            }
        }
        if planned.isEmpty { done = true } else { book.open(planned) }
    }
}
