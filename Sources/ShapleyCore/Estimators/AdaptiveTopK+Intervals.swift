#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AdaptiveTopK {
    /// Players per estimate-ordered group whose variances moderate each other (at least k).
    static let playersPerVarianceGroup = 50

    /// The union-bound normal quantile `Φ⁻¹(1 − δ/(2n))`.
    var z: Double { ConfidenceBound.inverseNormalCDF(1 - configuration.delta / (2 * Double(playerCount))) }

    /// Moderated variances of `stats` (players with at least two observations): the own sample
    /// variance shrunk towards a prior with ``Configuration/priorWeight`` pseudo-observations.
    /// The prior is the larger of the mean variance of players with similar means and `R²/8`,
    /// with `R` the 90th percentile of their largest observation magnitudes (and their neighbours'),
    /// and at least the median largest magnitude over all players that showed a non-zero one (over
    /// their screening group drops while no direct marginal has been non-zero): marginals of
    /// unimportant players are mostly zero with rare jumps, so a handful of zeros (or a whole group
    /// of them) says little, and the jumps their neighbours show are what they could still do.
    func moderatedVariances(_ stats: [RunningStatistics]) -> [Double] {
        let n = stats.count
        let order = (0..<n).sorted { stats[$0].mean != stats[$1].mean ? stats[$0].mean > stats[$1].mean : $0 < $1 }
        let groups = max(1, n / max(Self.playersPerVarianceGroup, configuration.topK))
        func members(_ g: Int) -> ArraySlice<Int> { order[(g * n / groups)..<((g + 1) * n / groups)] }
        var groupVariance = [Double](repeating: 0, count: groups)
        var groupRanges = [[Double]](repeating: [], count: groups)
        for g in 0..<groups {
            var sum = 0.0, count = 0.0
            for p in members(g) where stats[p].count > 0 {
                if stats[p].count > 1 { sum += stats[p].variance; count += 1 }
                groupRanges[g].append(max(abs(stats[p].minimum), abs(stats[p].maximum)))
            }
            groupVariance[g] = count > 0 ? sum / count : 0
        }
        // Population floor: the median largest magnitude among players that showed any.
        var magnitudes = stats.compactMap { s -> Double? in
            let m = max(abs(s.minimum), abs(s.maximum))
            return s.count > 0 && m > 0 ? m : nil
        }
        var floorRange = magnitudes.isEmpty ? 0 : NeuronShapleyBandit.select(&magnitudes, rank: magnitudes.count / 2)
        if floorRange == 0 {
            // No direct marginal has shown anything yet (in a voting game only coalitions near the
            // quota do): then the group drops of screening, which one member may carry alone, say
            // what a player could still do, so that three zeros do not resolve everybody.
            var drops = screen.compactMap { s -> Double? in
                let m = max(abs(s.minimum), abs(s.maximum))
                return s.count > 0 && m > 0 ? m : nil
            }
            if !drops.isEmpty { floorRange = NeuronShapleyBandit.select(&drops, rank: drops.count / 2) }
        }
        var prior = [Double](repeating: 0, count: n)
        for g in 0..<groups {
            // The 90th percentile of the players' largest observations, here and next door.
            var ranges = groupRanges[max(0, g - 1)...min(groups - 1, g + 1)].flatMap { $0 }
            var r = 0.0
            if !ranges.isEmpty { r = NeuronShapleyBandit.select(&ranges, rank: ranges.count / 10) }
            let p = max(groupVariance[g], max(r, floorRange) * max(r, floorRange) / 8)
            for i in members(g) { prior[i] = p }
        }
        let nu = configuration.priorWeight
        return (0..<n).map { i in
            let own = Double(max(0, stats[i].count - 1))
            return (nu * prior[i] + own * stats[i].variance) / max(nu + own, 1e-300)
        }
    }

    /// Screening variances: each player's own variance of group drops, at least the mean over all
    /// players (group drops vary with the walk far more than with the player, and a player whose
    /// groups happened to fall where the network had collapsed shows too little variance).
    func screeningVariances() -> [Double] {
        var sum = 0.0, count = 0.0
        for s in screen where s.count > 1 { sum += s.variance; count += 1 }
        let pooled = count > 0 ? sum / count : 0
        return screen.map { max($0.variance, pooled) }
    }

    /// Whether more screening walks would exclude enough players to pay for themselves: with
    /// the threshold projected optimistically (the larger of the direct one and screening's own,
    /// which selection inflates), a player not yet excluded would be after `(z·σᵢ / (τ − φ̃ᵢ))²`
    /// walks; each exclusion saves about
    /// ``Configuration/minObservations`` + 1 direct evaluations and each walk costs `n/g`. True
    /// when some number of further walks, up to the maximum, gains more than it costs.
    /// `screened` holds every player's screening estimate `φ̃ᵢ`.
    func screeningWouldPay(threshold: Double, screened: [Double], c1: Double, variances: [Double]) -> Bool {
        let n = playerCount, k = configuration.topK, w = Double(screeningWalks)
        var order = screened
        let tau = max(threshold, (NeuronShapleyBandit.select(&order, rank: k - 1) + NeuronShapleyBandit.select(&order, rank: k)) / 2)
        let scale = z / (1 - c1)
        var needed: [Double] = []
        for i in 0..<n where !promoted[i] && !excluded[i] && screen[i].count > 0 {
            let gap = tau - screened[i]
            if gap > 0 { needed.append(variances[i] * scale * scale / (gap * gap)) }
        }
        needed.sort()
        let saving = Double(configuration.minObservations + 1), cost = averageWalkCost
        var best = 0.0
        var more = w + Double(configuration.walksPerRound)
        while more <= Double(configuration.maxScreeningWalks) {
            let excludable = needed.firstIndex { $0 > more } ?? needed.count
            best = max(best, Double(excludable) * saving - (more - w) * cost)
            more += Double(configuration.walksPerRound)
        }
        return best > 0
    }

    /// Whether player `i` is reported by its direct observations: once it has
    /// ``Configuration/minObservations`` of them, or two if it was never screened.
    func usesDirect(_ i: Int) -> Bool {
        direct[i].count >= configuration.minObservations || (direct[i].count >= 2 && screen[i].count == 0)
    }

    /// Recomputes estimates, intervals, the threshold, who is promoted and who is in play.
    mutating func updateEstimates() {
        let n = playerCount, k = configuration.topK, g = configuration.stride
        guard let ends = endpoints else { return }
        let zz = z
        // Screening estimates under the additive approximation, with their intervals.
        let c1 = Double(g - 1) / Double(n - 1)
        let c0 = c1 * (ends.full - ends.empty)
        let screenVariance = screeningWalks > 1 ? screeningVariances() : []
        let screened = (0..<n).map { (screen[$0].mean - c0) / (1 - c1) }
        for i in 0..<n {
            if usesDirect(i) {
                estimate[i] = direct[i].mean
            } else if screen[i].count > 0 {
                estimate[i] = screened[i]
                let half = screenVariance.isEmpty ? .infinity : zz * (screenVariance[i] / Double(screen[i].count)).squareRoot() / (1 - c1)
                lower[i] = estimate[i] - half
                upper[i] = estimate[i] + half
            } else {
                estimate[i] = direct[i].mean
                lower[i] = -.infinity
                upper[i] = .infinity
            }
        }
        // Direct intervals.
        let directVariance = moderatedVariances(direct)
        var measured: [Int] = []
        for i in 0..<n where usesDirect(i) {
            let half = zz * (directVariance[i] / Double(direct[i].count)).squareRoot()
            lower[i] = direct[i].mean - half
            upper[i] = direct[i].mean + half
            measured.append(i)
        }
        // The threshold between the k-th and (k+1)-th: from directly measured players once more
        // than k are (screening estimates of the leaders are inflated by selection), else from all.
        measuredCount = measured.count
        let pool = measured.count > k ? measured : Array(0..<n)
        var values = pool.map { estimate[$0] }
        threshold = (NeuronShapleyBandit.select(&values, rank: k - 1) + NeuronShapleyBandit.select(&values, rank: k)) / 2
        // Screening excludes a player whose upper bound is below the threshold measured directly
        // (once more than k players are measured; screening's own leaders are inflated by
        // selection). While too few of the true leaders are measured that threshold is low, which
        // errs on the side of measuring more players.
        let exclusionThreshold = measured.count > k ? threshold : -Double.infinity
        if !screenVariance.isEmpty && !screeningClosed {
            screeningPays = screeningWouldPay(threshold: threshold, screened: screened, c1: c1, variances: screenVariance)
            // The screening's current leaders are measured directly from early on, as many as a
            // round of screening walks costs (at least 2k + 8): that finds the top quickly and
            // anchors the threshold that screening excludes with.
            if screeningWalks >= configuration.minScreeningWalks / 2 {
                let count = configuration.leaderCount ?? max(2 * k + 8, configuration.walksPerRound * walkCost)
                let leaders = (0..<n).filter { screen[$0].count > 0 }
                    .sorted { screenScore[$0] != screenScore[$1] ? screenScore[$0] > screenScore[$1] : $0 < $1 }
                for i in leaders.prefix(count) { promoted[i] = true }
            }
        }
        activeCount = 0
        unsafeCount = 0
        for i in 0..<n {
            if !promoted[i] {
                excluded[i] = screeningWalks >= configuration.minScreeningWalks && upper[i] < exclusionThreshold
                if !excluded[i] {
                    unsafeCount += 1
                    if screeningClosed { promoted[i] = true }
                }
            }
            let narrow = (upper[i] - lower[i]) / 2 < configuration.resolution * abs(threshold)
            disputed[i] = promoted[i] && usesDirect(i) && direct[i].count < configuration.disputedObservations
                && screen[i].count > 0 && (screened[i] > threshold) != (estimate[i] > threshold)
            active[i] = promoted[i] && (direct[i].count < configuration.minObservations || disputed[i]
                                        || (lower[i] < threshold && upper[i] > threshold && !narrow))
            if active[i] { activeCount += 1 }
        }
    }

    /// The reported values: direct means as they are; screening estimates shrunk towards the
    /// mean of all screening estimates by their noise (empirical Bayes, normal prior whose variance
    /// is the spread of the screening estimates less their mean noise), kept inside their
    /// intervals. A screening estimate carries the noise of a whole group and, for the leaders,
    /// selection: unshrunk, a few lucky groups would outrank players measured directly.
    func reportedValues() -> [Double] {
        let zz = z
        var screened: [(player: Int, value: Double, noise: Double)] = []
        for i in 0..<playerCount where !usesDirect(i) && screen[i].count > 0 && upper[i].isFinite && lower[i].isFinite {
            let se = (upper[i] - lower[i]) / (2 * zz)
            screened.append((i, estimate[i], se * se))
        }
        var values = estimate
        guard screened.count > 1 else { return values }
        let count = Double(screened.count)
        let mean = screened.map(\.value).reduce(0, +) / count
        let spread = screened.map { ($0.value - mean) * ($0.value - mean) }.reduce(0, +) / (count - 1)
        let noise = screened.map(\.noise).reduce(0, +) / count
        let prior = max(0, spread - noise)
        for p in screened {
            let shrunk = mean + (p.value - mean) * (prior / max(prior + p.noise, 1e-300))
            values[p.player] = min(upper[p.player], max(lower[p.player], shrunk))
        }
        return values
    }

    public func report() -> EstimateReport {
        let values = reportedValues()
        let players = (0..<playerCount).map {
            PlayerEstimate(player: $0, value: values[$0], lower: lower[$0], upper: upper[$0], marginals: direct[$0].count)
        }
        return EstimateReport(estimator: "adaptive", players: players,
                              topK: ReportBuilder.top(players, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: screeningWalks + basesFolded,
                              activePlayers: activeCount, finished: done)
    }

    /// The estimator from registry options (see ``EstimatorRegistry``).
    static func make(playerCount: Int, chanceLevel: Double?, options o: EstimatorOptions) throws -> AdaptiveTopK {
        var c = Configuration(playerCount: playerCount, seed: o.seed)
        if let k = o.topK { c.topK = k }
        if let d = o.delta { c.delta = d }
        c.budget = EstimatorRegistry.budget(o, default: c.budget)
        if let r = o.roundSize { c.walksPerRound = r; c.basesPerRound = r }
        if let u = o.chunkSize { c.unitSize = u }
        // The options are checked here, under the names the user gave them; the configuration's
        // own check names its fields, and has no 0 for "every player on every base".
        if let share = o.uniformShare {
            guard share > 0, share <= 1 else {
                throw ShapleyError.invalidOption(name: "uniformShare", value: "\(share)",
                                                 expected: "a share in (0, 1]; 1 draws base sizes uniformly")
            }
            c.defensiveShare = share
        }
        if let gap = o.allocationGap {
            guard gap >= 0, gap.isFinite else {
                throw ShapleyError.invalidOption(name: "allocationGap", value: "\(gap)",
                                                 expected: "a number of standard errors, at least 0; 0 toggles every player in play on every base")
            }
            c.allocationGap = gap == 0 ? nil : gap
        }
        if let m = o.disputedObservations {
            guard m >= 2 else {
                throw ShapleyError.invalidOption(name: "disputedObservations", value: "\(m)",
                                                 expected: "a number of direct observations, at least 2 (2 asks no more of a disputed player than of any other)")
            }
            c.disputedObservations = m
        }
        if let w = o.priorWeight {
            guard w > 0, w.isFinite else {
                throw ShapleyError.invalidOption(name: "priorWeight", value: "\(w)",
                                                 expected: "a positive number of pseudo-observations (0 would let two zero marginals resolve any player)")
            }
            c.priorWeight = w
        }
        return try AdaptiveTopK(c)
    }
}
