import Testing
@testable import ShapleyCore

/// Intervals cover the exact values at about their nominal rate over many seeds.
@Suite struct CoverageTests {
    @Test func normalIntervalsOfPermutationSamplingCoverAtTheirNominalRate() throws {
        let g = try AirportGame(playerCount: 8, seed: 4)
        let truth = g.exactShapleyValues()
        var covered = 0, total = 0
        for seed in 0..<150 {
            var c = PermutationSampling.Configuration(playerCount: 8, seed: UInt64(seed))
            c.budget = Budget(maxSamples: 60)
            var e = try PermutationSampling(c)
            let r = try LocalRun.run(&e, game: g)
            for p in r.players {
                total += 1
                if p.lower <= truth[p.player] && truth[p.player] <= p.upper { covered += 1 }
            }
        }
        let rate = Double(covered) / Double(total)
        #expect(rate > 0.92 && rate < 0.98, "coverage \(rate) of nominal 0.95")
    }

    @Test func originalBanditRadiiAreConservative() throws {
        let g = try WeightedVotingGame(playerCount: 10, seed: 7)
        let truth = g.exactShapleyValues()
        var covered = 0, total = 0
        for seed in 0..<20 {
            var c = NeuronShapleyBandit.Configuration(playerCount: 10, seed: UInt64(seed))
            c.topK = 3
            c.floor = -1 // no truncation: every chosen player is measured
            c.tolerance = 0
            c.budget = Budget(maxEvaluations: 1_500)
            var e = try NeuronShapleyBandit(c)
            let r = try LocalRun.run(&e, game: g)
            for p in r.players where p.marginals > 1 {
                total += 1
                if p.lower <= truth[p.player] && truth[p.player] <= p.upper { covered += 1 }
            }
        }
        #expect(total > 100)
        #expect(Double(covered) / Double(total) >= 0.95)
    }
}
