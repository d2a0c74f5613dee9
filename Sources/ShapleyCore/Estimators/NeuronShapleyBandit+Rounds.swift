#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NeuronShapleyBandit {
    mutating func planRound() {
        let c = configuration
        let n = playerCount
        guard !done else { return }
        guard let floor = floorValue else {
            book.open([.init(coalitions: [.prefix(sample: 0, removed: Int32(n), toggle: nil)], truncation: nil,
                             meta: Meta(walk: -1, entries: []))])
            return
        }
        var evaluations = book.valuesClosed
        while walks.count < c.walksPerRound, chosenCount > 1,
              c.budget.allows(evaluations: evaluations, samples: walksStarted, moreSamples: 1) {
            let s = UInt64(walksStarted)
            let order = Permutation.order(seed: c.seed, index: s, playerCount: n)
            var positions: [Int] = []
            positions.reserveCapacity(chosenCount)
            for (p, player) in order.enumerated() where chosen[Int(player)] { positions.append(p) }
            walks.append(Walk(sample: s, order: order, chosen: positions))
            walksStarted += 1
        }
        var planned: [RoundBook<Meta>.Planned] = []
        var kept: [Walk] = []
        for walk in walks {
            var entries: [Entry] = []
            var specs: [CoalitionSpec] = []
            var known = walk.known
            if known < 0 {
                entries.append(.initial)
                specs.append(.prefix(sample: walk.sample, removed: 0, toggle: nil))
                known = 0
            }
            var i = walk.cursor
            while i < walk.chosen.count && i < walk.cursor + c.chunkSize {
                let p = walk.chosen[i]
                if known != p {
                    entries.append(.before(position: p))
                    specs.append(.prefix(sample: walk.sample, removed: Int32(p), toggle: nil))
                }
                entries.append(.after(position: p))
                specs.append(.prefix(sample: walk.sample, removed: Int32(p + 1), toggle: nil))
                known = p + 1
                i += 1
            }
            if let cap = c.budget.maxEvaluations, evaluations + specs.count > cap {
                let room = cap - evaluations
                guard room > 0 else { continue } // budget spent: the walk is discarded
                specs.removeLast(specs.count - room)
                entries.removeLast(entries.count - room)
            }
            let rule = Truncation(floor: floor, tolerance: c.tolerance, patience: 2 * c.patience, carried: walk.streak)
            planned.append(.init(coalitions: specs, truncation: rule, meta: Meta(walk: kept.count, entries: entries)))
            evaluations += specs.count
            kept.append(walk)
        }
        walks = kept
        if planned.isEmpty { done = true } else { book.open(planned) }
    }

    mutating func fold(_ completed: [RoundBook<Meta>.Completed]) {
        if completed.contains(where: { $0.meta.walk < 0 && $0.abandoned }) {
            done = true  // no floor, no truncation rule: nothing more can be planned
            return
        }
        guard let floor = floorValue ?? completed.first(where: { $0.meta.walk < 0 })?.values.first else { return }
        if floorValue == nil { floorValue = floor; return }
        let c = configuration
        var finished = Set<Int>()
        for unit in completed where unit.meta.walk >= 0 {
            if unit.abandoned {
                finished.insert(unit.meta.walk)  // discarded, not folded
                continue
            }
            var walk = walks[unit.meta.walk]
            var stopped = false
            for (entry, v) in zip(unit.meta.entries, unit.values) {
                switch entry {
                case .initial:
                    walk.known = 0
                    walk.value = v
                case .before(let p):
                    walk.known = p
                    walk.value = v
                case .after(let p):
                    walk.marginals.append((walk.order[p], walk.value - v))
                    walk.known = p + 1
                    walk.value = v
                    walk.cursor += 1
                    walk.counter = v - floor <= c.tolerance ? walk.counter + 1 : 0
                    if walk.counter >= c.patience { stopped = true }
                }
                if stopped { break }
            }
            walk.streak = unit.unit.truncation?.streak(after: unit.values) ?? 0
            if stopped || walk.cursor >= walk.chosen.count {
                // Chosen players not reached get 0, as in the original.
                for i in walk.cursor..<walk.chosen.count { walk.marginals.append((walk.order[walk.chosen[i]], 0)) }
                for (player, m) in walk.marginals { stats[Int(player)].add(m) }
                walksFolded += 1
                finished.insert(unit.meta.walk)
            }
            walks[unit.meta.walk] = walk
        }
        walks = walks.enumerated().filter { !finished.contains($0.offset) }.map(\.element)
    }

    /// The confidence radius of the released code for one player.
    func radius(_ s: RunningStatistics) -> Double {
        let c = configuration
        guard s.count > 1 else { return c.range }
        let n = Double(s.count)
        let l = log(2 / c.delta)
        switch c.bound {
        case .bernstein:
            return (2 * s.variance * l / n).squareRoot() + 7.0 / 3.0 * c.range * l / (n - 1)
        case .hoeffding:
            return c.range * (l / (2 * n)).squareRoot()
        }
    }

    /// The (k+1)-th largest mean (`np.sort(vals)[-k-1]`), by selection in linear expected time.
    func threshold() -> Double {
        var means = stats.map(\.mean)
        return Self.select(&means, rank: min(configuration.topK, means.count - 1))
    }

    /// The element that would be at index `rank` if `values` were sorted decreasingly.
    static func select(_ values: inout [Double], rank: Int) -> Double {
        var lo = 0, hi = values.count - 1
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while lo < hi {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pivot = values[lo + Int((state >> 33) % UInt64(hi - lo + 1))]
            var i = lo, j = hi
            while i <= j {
                while values[i] > pivot { i += 1 }
                while values[j] < pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return values[rank] }
        }
        return values[rank]
    }

    mutating func updateChosen() {
        guard floorValue != nil, walksFolded > foldedAtLastUpdate else { return }
        foldedAtLastUpdate = walksFolded
        let thresh = threshold()
        var count = 0
        for i in 0..<playerCount {
            let m = stats[i].mean, r = radius(stats[i])
            chosen[i] = m - r < thresh && m + r > thresh
            if chosen[i] { count += 1 }
        }
        chosenCount = count
    }

    public func report() -> EstimateReport {
        let players = stats.enumerated().map { i, s in
            let r = radius(s)
            return PlayerEstimate(player: i, value: s.mean, lower: s.mean - r, upper: s.mean + r, marginals: s.count)
        }
        return EstimateReport(estimator: "bandit", players: players,
                              topK: ReportBuilder.top(players, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: walksFolded,
                              activePlayers: chosenCount, finished: done)
    }
}
