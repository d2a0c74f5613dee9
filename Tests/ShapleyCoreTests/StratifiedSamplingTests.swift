import Testing
@testable import ShapleyCore

/// Stratified sampling by coalition size for chosen players: unbiased, exact on additive games,
/// the same whatever the unit size, and strict about its settings.
@Suite struct StratifiedSamplingTests {
    @Test func focusPlayersConvergeToTheirShapleyValues() throws {
        let g = try WeightedVotingGame(playerCount: 30, seed: 5)
        let truth = g.exactShapleyValues()
        let focus = [0, 3, 17, 29]
        var errors: [Double] = []
        for cycles in [4, 64] {
            var c = StratifiedSampling.Configuration(playerCount: 30, seed: 2)
            c.focus = focus
            c.topK = 2
            c.budget = Budget(maxSamples: cycles * 31)
            var e = try StratifiedSampling(c)
            let r = try LocalRun.run(&e, game: g)
            #expect(r.finished && r.samples == cycles * 31 && r.evaluations == cycles * 31 * 5)
            #expect(r.players.filter { !focus.contains($0.player) }.allSatisfy { $0.marginals == 0 && $0.lower == -.infinity })
            #expect(focus.allSatisfy { r.players[$0].marginals == cycles * 31 })
            #expect(Set(r.topK).isSubset(of: Set(focus)) && r.topK.count == 2)
            errors.append(focus.map { abs(r.players[$0].value - truth[$0]) }.max() ?? 0)
            if cycles == 64 {
                // 95% intervals: all four should hold the truth here (a fixed seed, so no flakiness).
                #expect(focus.allSatisfy { r.players[$0].lower <= truth[$0] && truth[$0] <= r.players[$0].upper })
            }
        }
        #expect(errors[1] < errors[0] && errors[1] < 0.02, "\(errors)")
    }

    @Test func additiveGamesAreValuedExactly() throws {
        let g = AdditiveGame(playerCount: 12, seed: 4)
        var c = StratifiedSampling.Configuration(playerCount: 12, seed: 9)
        c.budget = Budget(maxSamples: 2 * 13)
        c.strata = 5
        var e = try StratifiedSampling(c)
        let r = try LocalRun.run(&e, game: g)
        for p in r.players {
            #expect(abs(p.value - g.weights[p.player]) < 1e-12)
            #expect(p.upper - p.lower < 1e-9)
        }
    }

    /// A symmetric game whose marginals depend on the coalition's size only: `v(S) = (|S|/n)²`, so
    /// every player's value is `1/n` and a marginal at size `t` is `(2t + 1)/n²`.
    struct SquareGame: Game {
        let playerCount: Int
        func values(of coalitions: [Coalition]) throws -> [Double] {
            coalitions.map { c in
                let share = Double((0..<playerCount).filter { c.contains($0) }.count) / Double(playerCount)
                return share * share
            }
        }
    }

    /// A budget that ends inside a cycle reaches only the small sizes of that cycle, where this
    /// game's marginals are small: the bands' weights keep the estimate from leaning towards them
    /// (a plain mean of 2 cycles and 10 more bases would be about 10% low here, while the
    /// post-stratified estimate keeps only the noise of which bases hold the player).
    @Test func aPartialCycleDoesNotTiltTheEstimate() throws {
        let g = SquareGame(playerCount: 20)
        var c = StratifiedSampling.Configuration(playerCount: 20, seed: 1)
        c.budget = Budget(maxSamples: 2 * 21 + 10)
        c.focus = [2, 5]
        var e = try StratifiedSampling(c)
        let r = try LocalRun.run(&e, game: g)
        #expect(r.samples == 52)
        for i in [2, 5] { #expect(abs(r.players[i].value - 0.05) < 0.001, "\(r.players[i].value)") }
    }

    @Test func theUnitSizeDoesNotChangeTheEstimates() throws {
        let g = try GameRegistry.make("collapse-smooth", players: 16, seed: 7)
        var reports: [EstimateReport] = []
        for unit in [2, 9, 256] {
            var c = StratifiedSampling.Configuration(playerCount: 16, seed: 3)
            c.focus = [1, 4, 8]
            c.unitSize = unit
            c.budget = Budget(maxEvaluations: 3 * 17 * 4 + 12)
            var e = try StratifiedSampling(c)
            reports.append(try LocalRun.run(&e, game: g))
        }
        #expect(reports[0] == reports[1] && reports[1] == reports[2])
        #expect(reports[0].evaluations == 3 * 17 * 4 + 12)
    }

    /// With more sizes than a round holds, each round's bases spread over all sizes, and every
    /// cycle of n + 1 samples still visits each size once: estimates come after the first round.
    @Test func largeGamesGetEstimatesFromTheFirstRound() throws {
        var c = StratifiedSampling.Configuration(playerCount: 300, seed: 4)
        c.focus = [7, 99]
        c.basesPerRound = 32
        c.strata = 8
        let e = try StratifiedSampling(c)
        let first = (0..<32).map { e.size(ofSample: UInt64($0)) }
        #expect(Set(first.map { e.band(ofSize: $0) }).count == 8)
        #expect(Set((0..<301).map { e.size(ofSample: UInt64($0)) }) == Set(0...300))
        #expect(Set((301..<602).map { e.size(ofSample: UInt64($0)) }) == Set(0...300))
        var one = c
        one.budget = Budget(maxSamples: 32)
        var run = try StratifiedSampling(one)
        let r = try LocalRun.run(&run, game: AdditiveGame(playerCount: 300, seed: 1))
        #expect(r.samples == 32 && [7, 99].allSatisfy { r.players[$0].upper.isFinite })
        // A game small enough for one round per cycle takes the sizes in turn.
        let small = try StratifiedSampling(.init(playerCount: 20, seed: 1))
        #expect((0..<21).map { small.size(ofSample: UInt64($0)) } == Array(0...20))
        // One cycle gives each size band one marginal: the intervals are already finite.
        var cycle = StratifiedSampling.Configuration(playerCount: 20, seed: 1)
        cycle.budget = Budget(maxSamples: 21)
        cycle.focus = [4]
        var once = try StratifiedSampling(cycle)
        let r1 = try LocalRun.run(&once, game: try GameRegistry.make("collapse-smooth", players: 20, seed: 2))
        #expect(r1.players[4].upper.isFinite && r1.players[4].upper > r1.players[4].lower)
    }

    @Test func invalidSettingsAreRefused() throws {
        var c = StratifiedSampling.Configuration(playerCount: 8, seed: 1)
        c.focus = [2, 8]
        #expect(throws: ShapleyError.invalidOption(name: "focus", value: "8", expected: "player indices in 0...7")) {
            try StratifiedSampling(c)
        }
        c.focus = []
        #expect(throws: ShapleyError.self) { try StratifiedSampling(c) }
        c.focus = [1, 1, 2]
        c.topK = 0
        #expect(throws: ShapleyError.self) { try StratifiedSampling(c) }
        c.topK = 3
        #expect(try StratifiedSampling(c).configuration.focus == [1, 2] && StratifiedSampling(c).configuration.topK == 2)
        c.confidence = 1
        #expect(throws: ShapleyError.self) { try StratifiedSampling(c) }
        var o = EstimatorOptions(seed: 1)
        o.focus = [3, 0]
        o.maxSamples = 9
        var e = try EstimatorRegistry.make("stratified", playerCount: 8, chanceLevel: nil, options: o)
        let r = try LocalRun.run(&e, game: AdditiveGame(playerCount: 8, seed: 2))
        #expect(r.topK.count == 2 && r.evaluations == 9 * 3)
    }
}
