import Testing
@testable import ShapleyCore

/// Convergence, determinism and contract tests shared by the sampling estimators.
@Suite struct EstimatorTests {
    func maxError(_ report: EstimateReport, _ truth: [Double]) -> Double {
        zip(report.players.map(\.value), truth).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func exactEnumerationIsExact() throws {
        let g = try WeightedVotingGame(playerCount: 9, seed: 3)
        var e = try ExactEnumeration(.init(playerCount: 9))
        let r = try LocalRun.run(&e, game: g)
        #expect(zip(r.players.map(\.value), g.exactShapleyValues()).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(r.evaluations == 512 && r.finished)
    }

    @Test(arguments: [false, true])
    func permutationSamplingConverges(antithetic: Bool) throws {
        let g = try WeightedVotingGame(playerCount: 30, seed: 5)
        let truth = g.exactShapleyValues()
        var errors: [Double] = []
        for walks in [40, 640] {
            var c = PermutationSampling.Configuration(playerCount: 30, seed: 1)
            c.budget = Budget(maxSamples: walks)
            c.antithetic = antithetic
            c.chunkSize = 7
            var e = try PermutationSampling(c)
            let r = try LocalRun.run(&e, game: g)
            #expect(r.samples == walks && r.evaluations == 2 + walks * 29)
            errors.append(maxError(r, truth))
        }
        #expect(errors[1] < errors[0] / 2 && errors[1] < 0.04, "\(errors)")
    }

    @Test func truncationThatNeverFiresIsPermutationSampling() throws {
        let g = try AirportGame(playerCount: 25, seed: 2)
        var p = PermutationSampling.Configuration(playerCount: 25, seed: 4)
        p.budget = Budget(maxSamples: 30)
        var t = TruncatedMonteCarlo.Configuration(playerCount: 25, seed: 4)
        t.budget = Budget(maxSamples: 30)
        t.floor = -10
        t.tolerance = 0
        var a = try PermutationSampling(p), b = try TruncatedMonteCarlo(t)
        let ra = try LocalRun.run(&a, game: g), rb = try LocalRun.run(&b, game: g)
        #expect(ra.players.map(\.value) == rb.players.map(\.value))
    }

    /// Truncation semantics, checked against a hand-run walk: marginals along the order until the
    /// value has been within the tolerance of the floor `patience` times in a row, zeros after.
    @Test func truncatedWalkFollowsTheRule() throws {
        let g = try CollapsingNetworkGame(playerCount: 60, seed: 8)
        var c = TruncatedMonteCarlo.Configuration(playerCount: 60, seed: 12)
        c.budget = Budget(maxSamples: 1)
        c.floor = 0.001
        c.tolerance = 0.2
        c.patience = 3
        c.chunkSize = 4
        var e = try TruncatedMonteCarlo(c)
        let r = try LocalRun.run(&e, game: g)
        let order = Permutation.order(seed: 12, index: 0, playerCount: 60)
        var expected = [Double](repeating: 0, count: 60)
        var previous = try g.fullValue(), streak = 0, evaluations = 2
        for p in 0..<59 {
            let v = try g.value(of: Permutation.coalition(order: order, removed: p + 1))
            evaluations += 1
            expected[Int(order[p])] = previous - v
            previous = v
            streak = v <= 0.201 ? streak + 1 : 0
            if streak >= 3 { break }
        }
        #expect(streak >= 3) // the rule did fire on this walk
        #expect(r.players.map(\.value) == expected)
        #expect(r.evaluations == evaluations)
    }

    /// The bias truncation causes: each walk's marginals sum to `v(N) − v(stop)`, so the estimates
    /// sum to less than `v(N) − v(∅)` by the value left when the walks stopped, at most the floor
    /// plus the tolerance.
    @Test func truncationLeavesTheCollapsedValueUnattributed() throws {
        let g = try CollapsingNetworkGame(playerCount: 150, seed: 2)
        var c = TruncatedMonteCarlo.Configuration(playerCount: 150, seed: 3)
        c.budget = Budget(maxSamples: 40)
        c.floor = g.chanceLevel
        var e = try TruncatedMonteCarlo(c)
        let r = try LocalRun.run(&e, game: g)
        let total = r.players.map(\.value).reduce(0, +)
        let full = try g.fullValue(), empty = try g.emptyValue()
        #expect(total < full - empty - 1e-9)
        #expect(total >= full - (0.001 + 0.2) - 1e-9)
        #expect(r.evaluations < 40 * 149) // walks stopped early
    }

    @Test func chunkingDoesNotChangeResults() throws {
        let g = try CollapsingNetworkGame(playerCount: 200, seed: 1)
        var reports: [[Double]] = []
        for chunk in [1, 5, 64, 1000] {
            var c = TruncatedMonteCarlo.Configuration(playerCount: 200, seed: 3)
            c.budget = Budget(maxSamples: 12)
            c.chunkSize = chunk
            c.floor = 0.001
            var e = try TruncatedMonteCarlo(c)
            reports.append(try LocalRun.run(&e, game: g).players.map(\.value))
        }
        #expect(reports.allSatisfy { $0 == reports[0] })
        for chunk in [1, 9, 300] {
            var c = PermutationSampling.Configuration(playerCount: 200, seed: 3)
            c.budget = Budget(maxSamples: 6)
            c.chunkSize = chunk
            c.antithetic = true
            var e = try PermutationSampling(c)
            reports.append(try LocalRun.run(&e, game: g).players.map(\.value))
        }
        #expect(reports[4...].allSatisfy { $0 == reports[4] })
    }

    @Test func sameSeedSameReportWhateverTheOrder() throws {
        let g = try CollapsingNetworkGame(playerCount: 120, seed: 6)
        func run<E: Estimator>(_ make: () throws -> E) throws {
            var plain = try make(), shuffled = try make(), piecewise = try make()
            let a = try LocalRun.run(&plain, game: g)
            let b = try LocalRun.run(&shuffled, game: g, options: .init(shuffleSeed: 99))
            var o = LocalRun.Options()
            o.unitsPerRequest = 1
            let c = try LocalRun.run(&piecewise, game: g, options: o)
            #expect(a == b && a == c, "\(a.estimator)")
        }
        try run {
            var c = PermutationSampling.Configuration(playerCount: 120, seed: 2)
            c.budget = Budget(maxSamples: 10)
            c.antithetic = true
            c.chunkSize = 16
            return try PermutationSampling(c)
        }
        try run {
            var c = TruncatedMonteCarlo.Configuration(playerCount: 120, seed: 2)
            c.budget = Budget(maxSamples: 20)
            c.chunkSize = 9
            return try TruncatedMonteCarlo(c)
        }
        try run {
            var c = NeuronShapleyBandit.Configuration(playerCount: 120, seed: 2)
            c.topK = 5
            c.budget = Budget(maxEvaluations: 3000)
            c.chunkSize = 9
            return try NeuronShapleyBandit(c)
        }
    }

    @Test func ingestRejectsResultsThatDoNotFit() throws {
        var c = PermutationSampling.Configuration(playerCount: 10, seed: 2)
        c.budget = Budget(maxSamples: 2)
        var e = try PermutationSampling(c)
        let units = e.nextWork(limit: 100)
        #expect(units.count == 3)
        #expect(throws: ShapleyError.self) { try e.ingest(WorkResult(id: 999, values: [])) }
        #expect(throws: ShapleyError.self) { try e.ingest(WorkResult(id: units[0].id, values: [1, 2, 3])) }
        #expect(throws: ShapleyError.self) { try e.ingest(WorkResult(id: units[1].id, values: [1])) }
        #expect(throws: ShapleyError.self) { try e.ingest(WorkResult(id: units[0].id, values: [1, .nan])) }
        let g = try AirportGame(playerCount: 10, seed: 1)
        let evaluator = WorkEvaluator(game: g)
        #expect(try e.ingest(evaluator.evaluate(units[0])))
        #expect(try !e.ingest(evaluator.evaluate(units[0])))
        #expect(try e.ingest(evaluator.evaluate(units[1])))
        #expect(try e.ingest(evaluator.evaluate(units[2])))
        #expect(e.isFinished)
        #expect(try !e.ingest(evaluator.evaluate(units[2]))) // a folded round's duplicate
    }
}
