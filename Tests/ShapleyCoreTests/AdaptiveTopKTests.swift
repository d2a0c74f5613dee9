import Testing
@testable import ShapleyCore

@Suite struct AdaptiveTopKTests {
    /// With pruning and screening off, the estimator is importance-sampled shared-coalition
    /// sampling: its estimates converge to the exact values.
    @Test func directMeasurementConvergesToExactValues() throws {
        let g = try WeightedVotingGame(playerCount: 24, seed: 3)
        let truth = g.exactShapleyValues()
        var errors: [Double] = []
        for budget in [2_000, 40_000] {
            var c = AdaptiveTopK.Configuration(playerCount: 24, seed: 5)
            c.screening = false
            c.minObservations = 1_000_000
            c.allocationGap = nil // every player on every base: this is about the values, not the top k
            c.budget = Budget(maxEvaluations: budget)
            var e = try AdaptiveTopK(c)
            let r = try LocalRun.run(&e, game: g)
            #expect(r.evaluations <= budget)
            errors.append(zip(r.players.map(\.value), truth).map { abs($0 - $1) }.max() ?? 0)
        }
        #expect(errors[1] < errors[0] / 2.5 && errors[1] < 0.012, "\(errors)")
    }

    @Test func importanceWeightsAreUnbiasedOnAnAdditiveGame() throws {
        // Every marginal of an additive game equals the weight, so the weighted observations
        // average to it only if the weights are right: (n+1)·q(s) must cancel exactly on average.
        let g = AdditiveGame(playerCount: 40, seed: 2)
        var c = AdaptiveTopK.Configuration(playerCount: 40, seed: 9)
        c.screening = false
        c.minObservations = 1_000_000
        c.budget = Budget(maxEvaluations: 41 * 3000)
        var e = try AdaptiveTopK(c)
        let r = try LocalRun.run(&e, game: g)
        let relative = zip(r.players.map(\.value), g.weights).map { abs($0 - $1) / max(abs($1), 0.05) }
        #expect((relative.max() ?? 1) < 0.06, "\(relative.max() ?? 1)")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func findsTheTopKOfACollapsingNetwork(seed: UInt64) throws {
        let g = try CollapsingNetworkGame(playerCount: 400, seed: seed)
        var c = AdaptiveTopK.Configuration(playerCount: 400, seed: seed)
        c.topK = 5
        c.budget = Budget(maxEvaluations: 60_000)
        var e = try AdaptiveTopK(c)
        let r = try LocalRun.run(&e, game: g)
        #expect(TopKPrecision.precision(r.topK, truth: g.trueTopK(5), k: 5) >= 0.8)
        #expect(r.evaluations <= 60_000)
        // Pruning does its job: most players end resolved with few direct samples, while the
        // leaders, near the boundary, were sampled far more.
        let counts = r.players.map(\.marginals).sorted()
        let leaders = g.trueTopK(5).map { r.players[$0].marginals }.sorted()
        #expect(counts[200] * 4 <= leaders[2], "median player \(counts[200]) marginals, leaders \(leaders)")
    }

    /// Screening walks stop once the network has collapsed, and the standardised screening score
    /// ranks the true leaders higher than the additive screening estimate does.
    @Test(arguments: [UInt64(1), 2])
    func truncatedScreeningScoresFindTheLeaders(seed: UInt64) throws {
        let n = 1000
        let g = try CollapsingNetworkGame(playerCount: n, seed: seed)
        var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed &* 7919)
        c.topK = 10
        var e = try AdaptiveTopK(c)
        var evaluator = IncrementalEvaluator(game: g)
        while e.screeningWalks < 12 {
            let units = e.nextWork(limit: .max)
            try #require(!units.isEmpty)
            for u in units { _ = try e.ingest(try evaluator.evaluate(u)) }
        }
        #expect(Double(e.screeningEvaluations) < 0.75 * Double(e.screeningWalks * e.walkCost),
                "\(e.screeningEvaluations) coalitions for \(e.screeningWalks) walks of \(e.walkCost)")
        let truth = Set(g.trueTopK(10))
        func found(_ key: [Double]) -> Int {
            (0..<n).sorted { key[$0] != key[$1] ? key[$0] > key[$1] : $0 < $1 }.prefix(60).filter(truth.contains).count
        }
        let additive = (0..<n).map { e.screen[$0].mean }
        #expect(found(e.screenScore) >= 7 && found(e.screenScore) > found(additive),
                "score finds \(found(e.screenScore)), additive \(found(additive)) of the top 10 in the first 60")
    }

    @Test func sameSeedSameReportWhateverTheOrder() throws {
        let g = try CollapsingNetworkGame(playerCount: 300, seed: 4)
        var c = AdaptiveTopK.Configuration(playerCount: 300, seed: 7)
        c.topK = 5
        c.budget = Budget(maxEvaluations: 15_000)
        var a = try AdaptiveTopK(c), b = try AdaptiveTopK(c), d = try AdaptiveTopK(c)
        let ra = try LocalRun.run(&a, game: g)
        let rb = try LocalRun.run(&b, game: g, options: .init(shuffleSeed: 3))
        var one = LocalRun.Options()
        one.unitsPerRequest = 1
        let rd = try LocalRun.run(&d, game: g, options: one)
        #expect(ra == rb && ra == rd)
        #expect(ra.samples > 0)
    }

    /// Screening-only players are reported shrunk towards the mean screening estimate, inside
    /// their intervals and on the same side of the mean; directly measured players as measured.
    @Test func screeningEstimatesAreReportedShrunk() throws {
        let g = try CollapsingNetworkGame(playerCount: 400, seed: 2)
        var c = AdaptiveTopK.Configuration(playerCount: 400, seed: 3)
        c.topK = 5
        c.budget = Budget(maxEvaluations: 1_000) // stops while most players are screened only
        var e = try AdaptiveTopK(c)
        let r = try LocalRun.run(&e, game: g)
        let screened = (0..<400).filter { !e.usesDirect($0) && e.screen[$0].count > 0 }
        let measured = (0..<400).filter { e.usesDirect($0) }
        #expect(screened.count > 100 && !measured.isEmpty, "\(screened.count) screened, \(measured.count) measured")
        let mean = screened.map { e.estimate[$0] }.reduce(0, +) / Double(screened.count)
        var largestShrink = 0.0
        for i in screened {
            let raw = e.estimate[i], v = r.players[i].value
            #expect(v >= r.players[i].lower && v <= r.players[i].upper)
            #expect((v - mean) * (raw - mean) >= 0 && abs(v - mean) <= abs(raw - mean) + 1e-12)
            largestShrink = max(largestShrink, abs(raw - v))
        }
        #expect(largestShrink > 0.005, "\(largestShrink)") // the screening leaders were pulled down
        for i in measured { #expect(r.players[i].value == e.direct[i].mean) }
        #expect(r.topK.allSatisfy { r.players[$0].marginals > 0 } || measured.count < 5)
    }

    @Test func aUniformShareOfOneDrawsSizesUniformly() throws {
        var o = EstimatorOptions(seed: 2)
        o.topK = 3
        o.maxEvaluations = 3_000
        o.uniformShare = 1
        let g = try GameRegistry.make("collapse", players: 40, seed: 1)
        var e = try AdaptiveTopK.make(playerCount: 40, chanceLevel: g.chanceLevel, options: o)
        let r = try LocalRun.run(&e, game: g)
        #expect(r.evaluations > 1_000 && r.players.contains { $0.marginals > 0 })
        #expect((0...40).allSatisfy { abs(e.proposal.weight(of: $0) - 1) < 1e-12 })
        o.uniformShare = 0
        #expect(throws: ShapleyError.self) { try AdaptiveTopK.make(playerCount: 40, chanceLevel: nil, options: o) }
    }

    /// The sizes of successive bases: evenly spread quantiles mapped through the proposal's
    /// inverse distribution function, which agrees with the proposal's bins.
    @Test func baseSizesFollowTheProposalsQuantiles() throws {
        var p = SizeProposal(playerCount: 99, binCount: 10, defensiveShare: 0.2)
        for s in 0...99 { p.record(square: s < 40 ? 0 : Double(s), at: s) }
        p.update()
        #expect(p.size(atQuantile: 0) == 0 && p.size(atQuantile: 0.999_999) == 99)
        var counts = [Int](repeating: 0, count: p.binCount)
        let grid = 100_000
        var previous = 0
        for j in 0..<grid {
            let s = p.size(atQuantile: (Double(j) + 0.5) / Double(grid))
            #expect(s >= previous) // nondecreasing
            previous = s
            counts[p.bin(of: s)] += 1
        }
        for h in 0..<p.binCount { #expect(abs(Double(counts[h]) / Double(grid) - p.probabilities[h]) < 1e-3) }
        // The estimator's quantiles: a shifted Weyl sequence, evenly spread over [0, 1).
        let e = try AdaptiveTopK(AdaptiveTopK.Configuration(playerCount: 50, seed: 1))
        let u = (0..<100).map { e.baseQuantile($0) }.sorted()
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(zip(u, u.dropFirst()).map { $1 - $0 }.max() ?? 1 < 0.02) // 100 uniform draws leave gaps near 0.05
    }

    /// In a voting game only bases near the quota show a non-zero marginal, so the first direct
    /// observations are all zeros; screening's group drops must keep them from resolving everybody.
    @Test func zerosSeenDirectlyDoNotResolveAVotingGame() throws {
        let g = try WeightedVotingGame(playerCount: 500, seed: 1)
        var c = AdaptiveTopK.Configuration(playerCount: 500, seed: 7919)
        c.topK = 100
        c.budget = Budget(maxEvaluations: 10_000)
        var e = try AdaptiveTopK(c)
        let r = try LocalRun.run(&e, game: g)
        #expect(r.evaluations > 9_000, "stopped after \(r.evaluations) evaluations")
        #expect(r.players.allSatisfy { $0.upper > $0.lower })
    }

    /// The share of bases a player in play is toggled on: every base within the allocation gap of
    /// the threshold (and before a player has its minimum of direct observations), `(gap/t)²` at
    /// `t` standard errors, never below the minimum share; every base without an allocation gap.
    @Test func toggleSharesFollowTheStandardisedGapToTheThreshold() throws {
        var c = AdaptiveTopK.Configuration(playerCount: 5, seed: 1)
        c.topK = 2
        c.allocationGap = 1
        var e = try AdaptiveTopK(c)
        let se = 0.01, z = e.z
        e.threshold = 0.5
        // Players 0 to 3 at 0.5, 2.0 and 10 standard errors below the threshold and 2.0 above it;
        // player 4 has a single direct observation.
        for (i, t) in [(0, -0.5), (1, -2.0), (2, -10.0), (3, 2.0)] {
            e.direct[i] = RunningStatistics([0.4, 0.6])
            e.estimate[i] = 0.5 + t * se
            e.lower[i] = e.estimate[i] - z * se
            e.upper[i] = e.estimate[i] + z * se
        }
        e.direct[4] = RunningStatistics([0.5])
        let shares = e.toggleShares([0, 1, 2, 3, 4])
        let expected = [1, 0.25, AdaptiveTopK.minimumToggleShare, 0.25, 1]
        #expect(zip(shares, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(shares)")
        // When nobody is within the gap, the most doubtful player is toggled on every base.
        #expect(e.toggleShares([1, 2]).map { ($0 * 1e9).rounded() / 1e9 } == [1, 0.25])
        var every = c
        every.allocationGap = nil
        var f = try AdaptiveTopK(every)
        f.direct = e.direct
        #expect(f.toggleShares([0, 1, 2]) == [1, 1, 1])
    }

    /// A screening leader whose first two direct marginals fall far below the threshold borrows a
    /// small variance from the players with similar means, and its interval resolves it below the
    /// threshold at once when `disputedObservations` is 2. With the default it stays in play, on
    /// every base, until it has that many direct observations; so does a player screening put
    /// below whose first marginals lie above. Players on the same side by both are resolved as
    /// before.
    @Test func aPlayerDisputedByItsScreeningEstimateStaysInPlay() throws {
        let n = 60
        func state(disputed: Int, leaderMarginals: [Double]) throws -> AdaptiveTopK {
            var c = AdaptiveTopK.Configuration(playerCount: n, seed: 1)
            c.topK = 3
            c.disputedObservations = disputed
            var e = try AdaptiveTopK(c)
            e.book = RoundBook(seed: c.seed, playerCount: n)
            e.endpoints = (full: 1, empty: 0)
            e.screeningClosed = true
            e.screeningWalks = 20
            e.promoted = Array(repeating: true, count: n)
            let drops = { (level: Double) in RunningStatistics((0..<12).map { level + ($0 % 2 == 0 ? -0.02 : 0.02) }) }
            for i in 0..<n {
                e.screen[i] = drops(i < 2 || i == 4 ? 0.35 : 0)
                let level = i < 2 ? 0.3 : i < 4 ? 0.1 : 0.005
                e.direct[i] = RunningStatistics((0..<10).map { level + ($0 % 2 == 0 ? -0.004 : 0.004) })
            }
            e.direct[4] = RunningStatistics(leaderMarginals)
            e.direct[5] = RunningStatistics([0.5, 0.6])
            e.updateEstimates()
            return e
        }
        let unlucky = [-0.05, -0.06]
        let plain = try state(disputed: 2, leaderMarginals: unlucky)
        #expect(abs(plain.threshold - 0.2) < 1e-9)
        #expect(plain.upper[4] < plain.threshold && !plain.active[4], "interval \(plain.lower[4])...\(plain.upper[4])")
        #expect(plain.lower[5] > plain.threshold && !plain.active[5])
        let held = try state(disputed: AdaptiveTopK.Configuration(playerCount: n, seed: 1).disputedObservations, leaderMarginals: unlucky)
        #expect(held.active[4] && held.disputed[4] && held.active[5] && held.disputed[5])
        #expect(!held.active[0] && !held.active[2] && !held.active[30] && held.disputed.filter { $0 }.count == 2)
        #expect(held.toggleShares([4, 5]) == [1, 1])
        let measured = try state(disputed: 24, leaderMarginals: unlucky + Array(repeating: -0.055, count: 22))
        #expect(!measured.active[4] && !measured.disputed[4])
    }

    /// The prior's weight decides how many zeros resolve a player whose marginals are all zero:
    /// its moderated variance is `ν·p/(ν + N − 1)`, so halving `ν` from 4 to 2 takes it to
    /// `(N + 3)/(2(N + 1))` of what it was, while a player with a variance of its own and many
    /// observations keeps nearly all of its own.
    @Test func thePriorsWeightSetsHowFastZerosResolve() throws {
        let n = 60
        func variances(weight: Double) throws -> [Double] {
            var c = AdaptiveTopK.Configuration(playerCount: n, seed: 1)
            c.topK = 3
            c.priorWeight = weight
            let e = try AdaptiveTopK(c)
            var stats = (0..<n).map { i in
                // Ordinary players: mostly zeros with one jump each, as far filters show.
                RunningStatistics((0..<30).map { $0 == i % 30 ? 0.1 : 0 })
            }
            stats[0] = RunningStatistics(Array(repeating: 0, count: 24))
            stats[1] = RunningStatistics((0..<400).map { $0 % 2 == 0 ? 0.05 : -0.01 })
            return e.moderatedVariances(stats)
        }
        let four = try variances(weight: 4), two = try variances(weight: 2)
        #expect(four[0] > 0 && abs(two[0] / four[0] - 27.0 / 50.0) < 1e-9, "\(two[0]) against \(four[0])")
        let own = RunningStatistics((0..<400).map { $0 % 2 == 0 ? 0.05 : -0.01 }).variance
        #expect(abs(two[1] - own) < abs(four[1] - own) && abs(four[1] / own - 1) < 0.05)
        var c = AdaptiveTopK.Configuration(playerCount: n, seed: 1)
        c.priorWeight = -1
        #expect(throws: ShapleyError.self) { try AdaptiveTopK(c) }
    }

    /// The weight `baseWeight(size:)` gives before a round's results are ingested is the one the
    /// round's fold applies: rebuilding every weighted marginal from the units and their values
    /// alone (as `neuronshapley-bench trace --marginals` does from a journal) gives back each
    /// player's count of direct observations and their mean.
    @Test func baseWeightsRebuildTheDirectMeansFromTheUnits() throws {
        let n = 60
        let g = try CollapsingNetworkGame(playerCount: n, seed: 4)
        var c = AdaptiveTopK.Configuration(playerCount: n, seed: 7)
        c.budget = Budget(maxEvaluations: 6_000)
        var e = try AdaptiveTopK(c)
        let evaluator = WorkEvaluator(game: g, batchSize: 64)
        var bases: [UInt64: (removed: Int32, value: Double?, weight: Double, toggles: [(Int32, Double)])] = [:]
        while !e.isFinished {
            let units = e.nextWork(limit: .max)
            if units.isEmpty { break }
            for unit in units {
                let result = try evaluator.evaluate(unit)
                for (spec, value) in zip(unit.coalitions, result.values) {
                    guard case .prefix(let s, let removed, let toggle) = spec else { continue }
                    var b = bases[s] ?? (removed, nil, e.baseWeight(size: n - Int(removed)), [])
                    if let toggle { b.toggles.append((toggle, value)) } else { b.value = value }
                    bases[s] = b
                }
                _ = try e.ingest(result)
            }
        }
        var sums = [Double](repeating: 0, count: n), counts = [Int](repeating: 0, count: n)
        for (s, b) in bases where !b.toggles.isEmpty {
            let value = try #require(b.value)
            let position = Permutation.positions(of: Permutation.order(seed: c.seed, index: s, playerCount: n))
            for (p, toggled) in b.toggles {
                let m = CoalitionSpec.toggledMarginal(base: value, toggled: toggled, wasMember: Int(position[Int(p)]) >= Int(b.removed))
                sums[Int(p)] += b.weight * m
                counts[Int(p)] += 1
            }
        }
        #expect(counts == e.report().players.map(\.marginals))
        #expect(counts.reduce(0, +) > 1_000)
        let weights = Set(bases.values.filter { !$0.toggles.isEmpty }.map(\.weight))
        #expect(weights.count > 10) // the proposal moved away from uniform sizes
        for i in 0..<n where counts[i] > 0 {
            #expect(abs(sums[i] / Double(counts[i]) - e.direct[i].mean) < 1e-12)
        }
    }

    @Test func rejectsFewerThanTwoDisputedObservations() {
        var c = AdaptiveTopK.Configuration(playerCount: 10, seed: 1)
        c.disputedObservations = 1
        #expect(throws: ShapleyError.self) { try AdaptiveTopK(c) }
    }

    /// The allocation by gap spends a larger share of the direct marginals on the two players at
    /// the boundary of the top k (the true k-th and (k+1)-th) than toggling every player in play on
    /// every base does, and still finds the top k. Players disputed by their screening estimate
    /// are on every base under either rule, so the comparison leaves them out (2 observations).
    @Test(arguments: [UInt64(1), 2])
    func theAllocationByGapMeasuresTheBoundaryMore(seed: UInt64) throws {
        let n = 1000, k = 30
        let g = try CollapsingNetworkGame(playerCount: n, seed: seed)
        let boundary = g.importanceRanking.dropFirst(k - 1).prefix(2)
        var shares: [Double] = []
        for gap in [1.0, nil] {
            var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed)
            c.topK = k
            c.allocationGap = gap
            c.disputedObservations = 2
            c.budget = Budget(maxEvaluations: 40_000)
            var e = try AdaptiveTopK(c)
            let r = try LocalRun.run(&e, game: g)
            let all = r.players.map(\.marginals).reduce(0, +)
            shares.append(Double(boundary.map { r.players[$0].marginals }.reduce(0, +)) / Double(max(all, 1)))
            #expect(TopKPrecision.precision(r.topK, truth: g.trueTopK(k), k: k) >= 0.8, "allocation gap \(gap.map { "\($0)" } ?? "none")")
        }
        #expect(shares[0] >= 1.5 * shares[1], "share of the marginals at the boundary, by gap and on every base: \(shares)")
    }

    @Test func rejectsANonPositiveAllocationGap() throws {
        for gap in [0, -1, Double.nan] {
            var c = AdaptiveTopK.Configuration(playerCount: 10, seed: 1)
            c.topK = 3
            c.allocationGap = gap
            #expect(throws: ShapleyError.self) { try AdaptiveTopK(c) }
        }
        var o = EstimatorOptions(seed: 1)
        o.topK = 3
        o.allocationGap = 0
        #expect(try AdaptiveTopK.make(playerCount: 10, chanceLevel: nil, options: o).configuration.allocationGap == nil)
        o.allocationGap = 2
        #expect(try AdaptiveTopK.make(playerCount: 10, chanceLevel: nil, options: o).configuration.allocationGap == 2)
        // Options are refused under the names the user gave them, saying what works.
        o.allocationGap = -1
        #expect(throws: ShapleyError.invalidOption(name: "allocationGap", value: "-1.0",
                                                  expected: "a number of standard errors, at least 0; 0 toggles every player in play on every base")) {
            try AdaptiveTopK.make(playerCount: 10, chanceLevel: nil, options: o)
        }
        o.allocationGap = nil
        o.uniformShare = 1.5
        #expect(throws: ShapleyError.invalidOption(name: "uniformShare", value: "1.5",
                                                  expected: "a share in (0, 1]; 1 draws base sizes uniformly")) {
            try AdaptiveTopK.make(playerCount: 10, chanceLevel: nil, options: o)
        }
    }

    @Test func rejectsANegativeResolution() {
        var c = AdaptiveTopK.Configuration(playerCount: 10, seed: 1)
        c.resolution = -0.1
        #expect(throws: ShapleyError.self) { try AdaptiveTopK(c) }
    }

    @Test func registryBuildsEveryEstimatorByName() throws {
        var o = EstimatorOptions(seed: 1)
        o.topK = 3
        o.maxEvaluations = 5_000
        let g = try GameRegistry.make("collapse", players: 12, seed: 2)
        for name in EstimatorRegistry.names {
            var e = try EstimatorRegistry.make(name, playerCount: 12, chanceLevel: g.chanceLevel, options: o)
            let r = try LocalRun.run(&e, game: g)
            #expect(r.finished && r.players.count == 12, "\(name)")
        }
        #expect(throws: ShapleyError.unknownName(kind: "estimator", given: "nope", known: EstimatorRegistry.names)) {
            try EstimatorRegistry.make("nope", playerCount: 3, chanceLevel: nil, options: o)
        }
        o.bound = "nope"
        #expect(throws: ShapleyError.self) {
            try EstimatorRegistry.make("permutation", playerCount: 3, chanceLevel: nil, options: o)
        }
    }
}
