import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShapleyCore

/// The original bandit's mechanics, checked against hand-worked cases.
@Suite struct NeuronShapleyBanditTests {
    /// Unchosen players are removed without valuing the network, so the next chosen player needs
    /// its "before" value recomputed; adjacent chosen players share values; the full network is
    /// valued at the start of every walk.
    @Test func skippedPlayersCostARecomputation() throws {
        var c = NeuronShapleyBandit.Configuration(playerCount: 20, seed: 5)
        c.topK = 3
        c.floor = 0
        c.walksPerRound = 1
        var e = try NeuronShapleyBandit(c)
        let order = Permutation.order(seed: 5, index: 0, playerCount: 20)
        e.chosen = Array(repeating: false, count: 20)
        for p in [3, 4, 10] { e.chosen[Int(order[p])] = true }
        e.chosenCount = 3
        e.walks = []
        e.walksStarted = 0
        e.book = RoundBook(seed: 5, playerCount: 20)
        e.planRound()
        let units = e.nextWork(limit: 10)
        #expect(units.count == 1)
        let removed = units[0].coalitions.map { spec -> Int32 in
            if case .prefix(_, let r, nil) = spec { return r }
            return -1
        }
        #expect(removed == [0, 3, 4, 5, 10, 11])
        #expect(units[0].truncation?.patience == 12)
    }

    /// The radius is the released code's: R when fewer than two observations, else
    /// `√(2·var·ln(2/δ)/n) + 7/3·R·ln(2/δ)/(n−1)`; players stay chosen while their interval holds
    /// the (k+1)-th largest mean, strictly.
    @Test func radiusAndChosenSetFollowTheReleasedCode() throws {
        let g = try CollapsingNetworkGame(playerCount: 60, seed: 3)
        var c = NeuronShapleyBandit.Configuration(playerCount: 60, seed: 2)
        c.topK = 5
        c.floor = 0.001
        c.budget = Budget(maxEvaluations: 3_000)
        var e = try NeuronShapleyBandit(c)
        let r = try LocalRun.run(&e, game: g)
        let means = r.players.map(\.value).sorted(by: >)
        let thresh = means[5]
        var chosen = 0
        for p in r.players {
            let s = e.stats[p.player]
            let radius: Double
            if s.count > 1 {
                let l = log(2 / 0.2)
                radius = (2 * s.variance * l / Double(s.count)).squareRoot() + 7.0 / 3.0 * l / Double(s.count - 1)
            } else {
                radius = 1
            }
            #expect(abs((p.upper - p.value) - radius) < 1e-12)
            if p.value - radius < thresh && p.value + radius > thresh { chosen += 1 }
        }
        #expect(r.activePlayers == chosen)
    }

    @Test func selectionFindsTheRankedValue() {
        var stream = RandomStream(seed: 1, index: 0)
        for _ in 0..<20 {
            let values = (0..<(1 + stream.uniform(below: 50))).map { _ in Double(stream.uniform(below: 10)) }
            let rank = stream.uniform(below: values.count)
            var copy = values
            #expect(NeuronShapleyBandit.select(&copy, rank: rank) == values.sorted(by: >)[rank])
        }
    }
}
