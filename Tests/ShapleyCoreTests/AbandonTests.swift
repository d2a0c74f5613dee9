import Testing
@testable import ShapleyCore

/// Estimators go on without a unit that will never get a result: deterministically, discarding
/// exactly the sample it belonged to, and ignoring a result that turns up for it later.
@Suite struct AbandonTests {
    /// Runs `estimator` on `game`, handing out whole rounds, answering them in an order drawn from
    /// `order`, and abandoning the units in `abandon` instead of answering them. Returns the report
    /// and what the estimator said to each abandonment and to a late result for it.
    static func drive(_ estimator: any Estimator, game: any Game, abandon: Set<UInt64>, order: UInt64) throws
        -> (report: EstimateReport, accepted: [Bool], lateIngested: [Bool]) {
        var e = estimator
        let evaluator = WorkEvaluator(game: game)
        var rng = RandomStream(seed: order, index: 0)
        var accepted: [Bool] = [], late: [Bool] = []
        var lateResults: [WorkResult] = []
        while !e.isFinished {
            let units = e.nextWork(limit: 1 << 20).shuffled(using: &rng)
            guard !units.isEmpty else {
                Issue.record("the estimator waits with nothing outstanding")
                break
            }
            for u in units {
                if abandon.contains(u.id) {
                    accepted.append(e.abandon(unitID: u.id))
                    let again = e.abandon(unitID: u.id)
                    #expect(!again, "abandoned twice")
                    lateResults.append(try evaluator.evaluate(u))
                } else {
                    _ = try e.ingest(try evaluator.evaluate(u))
                }
            }
        }
        for r in lateResults { late.append(try e.ingest(r)) }
        return (e.report(), accepted, late)
    }

    @Test func permutationSamplingDropsTheWalkOfAnAbandonedUnit() throws {
        let g = try GameRegistry.make("collapse-smooth", players: 12, seed: 2)
        var c = PermutationSampling.Configuration(playerCount: 12, seed: 5)
        c.budget = Budget(maxSamples: 8)
        c.walksPerRound = 4
        c.chunkSize = 5  // 3 units per walk: ids 2-4 walk 0, 5-7 walk 1, 8-10 walk 2, ...
        let run = try Self.drive(try PermutationSampling(c), game: g, abandon: [9], order: 1)
        #expect(run.accepted == [true] && run.lateIngested == [false])
        #expect(run.report.samples == 7 && run.report.finished)
        // The same means as averaging the marginals of every walk but walk 2 by hand.
        var sums = [Double](repeating: 0, count: 12)
        for s in UInt64(0)..<8 where s != 2 {
            let order = Permutation.order(seed: 5, index: s, playerCount: 12)
            let values = try g.values(of: (0...12).map { Permutation.coalition(order: order, removed: $0) })
            for r in 0..<12 { sums[Int(order[r])] += values[r] - values[r + 1] }
        }
        for p in run.report.players {
            #expect(abs(p.value - sums[p.player] / 7) < 1e-12)
            #expect(p.marginals == 7)
        }
        // Arrival order makes no difference.
        #expect(try Self.drive(try PermutationSampling(c), game: g, abandon: [9], order: 2).report == run.report)
    }

    @Test func antitheticPairsAreDroppedWhole() throws {
        let g = try GameRegistry.make("collapse-smooth", players: 12, seed: 2)
        var c = PermutationSampling.Configuration(playerCount: 12, seed: 5)
        c.budget = Budget(maxSamples: 8)
        c.antithetic = true
        c.walksPerRound = 4
        c.chunkSize = 12  // one unit per walk: ids 2-5 in round 1
        let run = try Self.drive(try PermutationSampling(c), game: g, abandon: [3], order: 3)
        #expect(run.report.samples == 6)
        #expect(run.report.players.allSatisfy { $0.marginals == 3 })  // 3 pairs left
    }

    @Test(arguments: ["tmc", "bandit", "permutation", "adaptive", "stratified"])
    func abandonedUnitsAreDeterministicAndDiscarded(estimator: String) throws {
        let g = try GameRegistry.make("collapse-smooth", players: 30, seed: 4)
        var o = EstimatorOptions(seed: 3)
        o.maxSamples = 24
        o.roundSize = 6
        o.chunkSize = 8
        o.topK = 3
        func make() throws -> any Estimator {
            try EstimatorRegistry.make(estimator, playerCount: 30, chanceLevel: g.chanceLevel, options: o)
        }
        var all = try make()
        let complete = try LocalRun.run(&all, game: g)
        let abandoned: Set<UInt64> = [4, 13]
        let a = try Self.drive(try make(), game: g, abandon: abandoned, order: 1)
        let b = try Self.drive(try make(), game: g, abandon: abandoned, order: 9)
        #expect(a.report == b.report)
        #expect(a.report.finished)
        #expect(a.accepted == [true, true] && a.lateIngested == [false, false])
        #expect(a.report.samples < complete.samples && a.report.samples >= complete.samples - 2)
        #expect(a.report != complete)
    }

    @Test(arguments: ["tmc", "permutation", "adaptive"])
    func losingTheEndpointsEndsTheRun(estimator: String) throws {
        let g = try GameRegistry.make("collapse-smooth", players: 10, seed: 4)
        var o = EstimatorOptions(seed: 3)
        o.maxSamples = 8
        o.topK = 3
        let e = try EstimatorRegistry.make(estimator, playerCount: 10, chanceLevel: g.chanceLevel, options: o)
        let run = try Self.drive(e, game: g, abandon: [1], order: 1)
        #expect(run.report.finished && run.report.samples == 0)
    }

    @Test func exactEnumerationCannotAbandonAnything() throws {
        var e = try ExactEnumeration(.init(playerCount: 4))
        let unit = try #require(e.nextWork(limit: 1).first)
        let abandoned = e.abandon(unitID: unit.id)
        #expect(!abandoned && !e.isFinished)
    }

    @Test func unknownAndAnsweredUnitsAreNotAbandoned() throws {
        let g = try GameRegistry.make("collapse-smooth", players: 8, seed: 1)
        var e = try TruncatedMonteCarlo(.init(playerCount: 8, seed: 1))
        let first = try #require(e.nextWork(limit: 10).first)
        let unknown = e.abandon(unitID: 999)
        _ = try e.ingest(WorkEvaluator(game: g).evaluate(first))
        let answered = e.abandon(unitID: first.id)
        #expect(!unknown && !answered)
    }
}
