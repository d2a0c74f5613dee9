import ShapleyCore

/// The estimators compared, configured as the benchmark runs them.
enum Method: String, CaseIterable {
    case permutation, tmc, bandit, adaptive
    /// The adaptive estimator drawing base sizes uniformly (`uniformShare` 1), on request only.
    case adaptiveUniform = "adaptive-uniform"
    /// The adaptive estimator toggling every player in play on every base (no allocation by
    /// the gap to the threshold, `allocationGap` none), on request only.
    case adaptiveEvery = "adaptive-every"
    /// The adaptive estimator resolving a player disputed by its screening estimate as soon as
    /// any other (`disputedObservations` 2), on request only.
    case adaptiveUndisputed = "adaptive-undisputed"

    /// The methods run when none are named.
    static let standard: [Method] = [.permutation, .tmc, .bandit, .adaptive]

    /// Whether the method searches a given k (its trace is then specific to that k).
    var searchesK: Bool { self != .permutation && self != .tmc }

    /// Runs the method on `game` with seed `seed` up to `budget` evaluations, recording precision
    /// at each of `ks`; `k` is the size searched for by the methods that search one.
    func trace(game: CollapsingNetworkGame, seed: UInt64, k: Int, ks: [Int], budget: Int) throws -> Trace {
        let truth = ks.map { game.trueTopK($0) }
        return try trace(game: game, seed: seed, k: k, ks: ks, budget: budget) { ranking in
            zip(ks, truth).map { TopKPrecision.precision(ranking, truth: $1, k: $0) }
        }
    }

    /// The same on any incremental game, with `precision` scoring a ranking.
    func trace<G: IncrementalGame>(game: G, seed: UInt64, k: Int, ks: [Int], budget: Int,
                                   precision: ([Int]) -> [Double]) throws -> Trace {
        let n = game.playerCount
        switch self {
        case .permutation:
            var c = PermutationSampling.Configuration(playerCount: n, seed: seed)
            c.budget = Budget(maxEvaluations: budget)
            c.walksPerRound = 1
            c.chunkSize = n
            var e = try PermutationSampling(c)
            return try Trace.run(&e, game: game, ks: ks, precision: precision)
        case .tmc:
            var c = TruncatedMonteCarlo.Configuration(playerCount: n, seed: seed)
            c.budget = Budget(maxEvaluations: budget)
            c.floor = game.chanceLevel
            c.walksPerRound = 1
            c.chunkSize = 256
            var e = try TruncatedMonteCarlo(c)
            return try Trace.run(&e, game: game, ks: ks, precision: precision)
        case .bandit:
            var c = NeuronShapleyBandit.Configuration(playerCount: n, seed: seed)
            c.topK = k
            c.budget = Budget(maxEvaluations: budget)
            c.floor = game.chanceLevel
            c.walksPerRound = 1
            var e = try NeuronShapleyBandit(c)
            return try Trace.run(&e, game: game, ks: ks, precision: precision)
        case .adaptive, .adaptiveUniform, .adaptiveEvery, .adaptiveUndisputed:
            var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed)
            c.topK = k
            c.budget = Budget(maxEvaluations: budget)
            if self == .adaptiveUniform { c.defensiveShare = 1 }
            if self == .adaptiveEvery { c.allocationGap = nil }
            if self == .adaptiveUndisputed { c.disputedObservations = 2 }
            var e = try AdaptiveTopK(c)
            return try Trace.run(&e, game: game, ks: ks, precision: precision)
        }
    }
}
