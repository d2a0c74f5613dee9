extension AdaptiveTopK {
    /// A folded screening walk: the drop of each group, the value before it, and each player's group.
    struct ScreeningWalk: Sendable {
        var group: [Int32]
        var drops: [Double]
        var levels: [Double]
    }

    /// Value levels among which group drops are standardised.
    static let levelBins = 24

    /// Folds a screening walk given the values along it (`full`, the measured removals, `empty`;
    /// a truncated walk is padded with its last measured value, as collapsed). The squared drops
    /// per member also seed the size proposal (where marginals are large).
    mutating func foldWalk(sample s: UInt64, values: [Double]) {
        let n = playerCount, g = configuration.stride
        let order = Permutation.order(seed: configuration.seed, index: s, playerCount: n)
        var walk = ScreeningWalk(group: Array(repeating: 0, count: n), drops: [], levels: [])
        for j in 0..<(values.count - 1) {
            let start = j * g, end = min(n, start + g)
            let drop = values[j] - values[j + 1]
            walk.drops.append(drop)
            walk.levels.append(values[j])
            for p in start..<end {
                walk.group[Int(order[p])] = Int32(j)
                screen[Int(order[p])].add(drop)
            }
            proposal.record(square: drop * drop / Double(end - start), at: n - (start + end) / 2, count: 1)
        }
        screeningRecords.append(walk)
        screeningWalks += 1
    }

    /// Rebuilds every player's screening score (``screenScore``; the plain group drops of
    /// ``screen``, the basis of the additive screening estimate and its interval, are added as
    /// walks fold): the mean over the player's walks of its group's drop standardised among the
    /// groups removed at a similar value level, in every walk so far. How
    /// much a group takes away depends far more on how close the network is to collapse than on
    /// who is in the group: near the full network a group of ordinary players takes little and
    /// varies little, so one strong player stands out by many standard deviations there, while
    /// the groups that tip the network into collapse take a lot and vary a lot. Levels where every
    /// drop is the same (a collapsed network, or a truncated walk's padding) weigh nothing. The
    /// score ranks who is measured directly first; it never enters an estimate.
    mutating func rebuildScreening() {
        guard let ends = endpoints, !screeningRecords.isEmpty else { return }
        let bins = Self.levelBins
        let lo = min(ends.full, ends.empty), hi = max(ends.full, ends.empty)
        let width = hi > lo ? (hi - lo) / Double(bins) : 1
        func bin(_ v: Double) -> Int { max(0, min(bins - 1, Int(((v - lo) / width).rounded(.down)))) }
        var level = [RunningStatistics](repeating: RunningStatistics(), count: bins)
        for walk in screeningRecords {
            for (j, d) in walk.drops.enumerated() { level[bin(walk.levels[j])].add(d) }
        }
        // A level's spread, floored at a small share of the typical one; levels where every drop
        // was the same (a collapsed network) say nothing and weigh nothing in the score.
        var spreads = level.filter { $0.count > 1 && $0.variance > 0 }.map { $0.variance.squareRoot() }.sorted()
        let floor = spreads.isEmpty ? 0 : 0.1 * spreads[spreads.count / 2]
        spreads = level.map { $0.count > 1 && $0.variance > 0 ? max($0.variance.squareRoot(), floor) : 0 }
        var standard: [[Double]] = []
        for walk in screeningRecords {
            let b = walk.levels.map(bin)
            standard.append(walk.drops.enumerated().map { j, d in spreads[b[j]] > 0 ? (d - level[b[j]].mean) / spreads[b[j]] : 0 })
        }
        for i in 0..<playerCount {
            var z = 0.0
            for (w, walk) in screeningRecords.enumerated() { z += standard[w][Int(walk.group[i])] }
            screenScore[i] = z / Double(screeningRecords.count)
        }
    }
}
