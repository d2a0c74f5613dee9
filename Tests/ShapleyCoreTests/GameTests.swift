import Testing
@testable import ShapleyCore

@Suite struct GameTests {
    func close(_ a: [Double], _ b: [Double], _ tol: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol }
    }

    @Test func additiveValuesAreTheWeights() throws {
        let g = AdditiveGame(playerCount: 9, seed: 4)
        #expect(close(try ExactShapley.values(of: g), g.weights, 1e-12))
    }

    @Test func votingDynamicProgrammeMatchesEnumeration() throws {
        for seed: UInt64 in [1, 2, 3] {
            let g = try WeightedVotingGame(playerCount: 13, seed: seed, maxWeight: 9, quotaFraction: 0.4 + 0.1 * Double(seed))
            #expect(close(g.exactShapleyValues(), try ExactShapley.values(of: g), 1e-12))
        }
        let g = try WeightedVotingGame(weights: [4, 2, 1, 1, 1, 6], quota: 9)
        #expect(close(g.exactShapleyValues(), try ExactShapley.values(of: g), 1e-12))
    }

    @Test func votingDynamicProgrammeScalesToHundredsOfPlayers() throws {
        let g = try WeightedVotingGame(playerCount: 300, seed: 9)
        let phi = g.exactShapleyValues()
        #expect(abs(phi.reduce(0, +) - 1) < 1e-9) // efficiency: v(N) - v(∅) = 1
        // Equal weights, equal values; heavier players are worth at least as much.
        var monotone = true, symmetric = true
        for i in 0..<300 {
            for j in 0..<300 {
                if g.weights[i] > g.weights[j] && phi[i] < phi[j] - 1e-12 { monotone = false }
                if g.weights[i] == g.weights[j] && abs(phi[i] - phi[j]) > 1e-14 { symmetric = false }
            }
        }
        #expect(monotone && symmetric)
    }

    @Test func gloveAndAirportClosedFormsMatchEnumeration() throws {
        for (l, r) in [(3, 5), (4, 4), (1, 7), (6, 2)] {
            let g = try GloveGame(left: l, right: r)
            #expect(close(g.exactShapleyValues(), try ExactShapley.values(of: g), 1e-12))
        }
        let a = try AirportGame(playerCount: 11, seed: 5)
        #expect(close(a.exactShapleyValues(), try ExactShapley.values(of: a), 1e-12))
        let tied = try AirportGame(costs: [1, 3, 3, 0, 2])
        #expect(close(tied.exactShapleyValues(), try ExactShapley.values(of: tied), 1e-12))
    }

    @Test func collapsingNetworkRankingIsTheImportanceRanking() throws {
        for seed: UInt64 in [1, 2, 3, 4] {
            var c = CollapsingNetworkGame.Configuration(playerCount: 14, seed: seed)
            c.redundantFraction = 1 // pairs beyond the provable rank, to exercise them
            let g = try CollapsingNetworkGame(c)
            #expect(!g.pairs.isEmpty)
            let phi = try ExactShapley.values(of: g)
            #expect(abs(phi.reduce(0, +) - (try g.fullValue() - g.emptyValue())) < 1e-12)
            let truth = TopKPrecision.ranking(of: phi)
            #expect(Array(truth.prefix(g.provableRank)) == g.trueTopK(g.provableRank))
        }
    }

    @Test func collapsingNetworkShape() throws {
        let g = try CollapsingNetworkGame(playerCount: 2000, seed: 1)
        #expect(try g.fullValue() == 0.75)
        #expect(try g.emptyValue() <= 0.002)
        let ranking = g.importanceRanking
        // Removing the ten most important players costs a large part of the accuracy.
        let withoutTop = Coalition(playerCount: 2000, members: ranking.dropFirst(10))
        let v = try g.value(of: withoutTop)
        #expect(v < 0.6 && v > 0.1)
        // Removing half of the players at random collapses the network.
        let order = Permutation.order(seed: 1, index: 0, playerCount: 2000)
        #expect(try g.value(of: Permutation.coalition(order: order, removed: 1000)) <= 0.01)
        #expect(try g.value(of: Permutation.coalition(order: order, removed: 20)) > 0.6)
    }

    @Test func incrementalSummariesAreExact() throws {
        let games: [any IncrementalGame] = [
            try CollapsingNetworkGame(playerCount: 300, seed: 2),
            try WeightedVotingGame(playerCount: 300, seed: 2),
            try GloveGame(left: 120, right: 180),
        ]
        for g in games { try checkIncremental(g) }
    }

    func checkIncremental<G: IncrementalGame>(_ g: G) throws {
        let n = g.playerCount
        let order = Permutation.order(seed: 5, index: 1, playerCount: n)
        var coalition = Coalition(full: n)
        var summary = g.summary(of: coalition)
        for p in 0..<n {
            g.removing(Int(order[p]), from: &summary)
            coalition.remove(Int(order[p]))
            if p % 37 == 0 || p > n - 5 {
                #expect(g.value(of: summary) == (try g.value(of: coalition)))
            }
        }
        for p in stride(from: n - 1, through: 0, by: -3) {
            g.inserting(Int(order[p]), into: &summary)
            coalition.insert(Int(order[p]))
        }
        #expect(g.value(of: summary) == (try g.value(of: coalition)))
    }

    @Test func incrementalEvaluatorMatchesWorkEvaluator() throws {
        let g = try CollapsingNetworkGame(playerCount: 500, seed: 3)
        let rule = Truncation(floor: 0.001, tolerance: 0.2, patience: 4, carried: 1)
        let units = [
            WorkUnit(id: 1, seed: 9, playerCount: 500, coalitions: (1..<400).map { .prefix(sample: 2, removed: Int32($0), toggle: nil) }, truncation: rule),
            WorkUnit(id: 2, seed: 9, playerCount: 500, coalitions: [.prefix(sample: 3, removed: 100, toggle: nil)]
                     + (0..<500).map { .prefix(sample: 3, removed: 100, toggle: Int32($0)) }),
            WorkUnit(id: 3, seed: 9, playerCount: 500, coalitions: [.prefix(sample: 2, removed: 450, toggle: nil),
                                                                    .prefix(sample: 2, removed: 3, toggle: 7),
                                                                    .explicit(Coalition(playerCount: 500, members: 0..<250)),
                                                                    .prefix(sample: Permutation.antithetic(of: 2), removed: 200, toggle: nil)]),
        ]
        var fast = IncrementalEvaluator(game: g, capacity: 2)
        let slow = WorkEvaluator(game: g, batchSize: 7)
        for u in units {
            let a = try fast.evaluate(u), b = try slow.evaluate(u)
            #expect(a == b)
        }
        #expect(try fast.evaluate(units[0]).values.count < 399) // the rule fired
    }

    @Test func registryBuildsGamesByNameAndListsNamesOnError() throws {
        for name in GameRegistry.names {
            let g = try GameRegistry.make(name, players: 12, seed: 1)
            #expect(g.playerCount == 12)
            let exact = try ExactShapley.values(of: g)
            if let ref = try g.referenceValues() {
                #expect(close(ref, exact, 1e-9), "\(name)")
            }
        }
        #expect(throws: ShapleyError.unknownName(kind: "game", given: "nope", known: GameRegistry.names)) {
            try GameRegistry.make("nope", players: 3, seed: 1)
        }
        let message = "\(ShapleyError.unknownName(kind: "game", given: "nope", known: GameRegistry.names))"
        #expect(message.contains("collapse") && message.contains("nope"))
    }
}
