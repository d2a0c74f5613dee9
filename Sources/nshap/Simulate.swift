import ArgumentParser
import Foundation
import ShapleyCore

/// `nshap simulate`: runs any estimator on a built-in synthetic game and prints its top-k.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Shapley estimator on a synthetic game with known answers.",
        discussion: """
            Games: \(GameRegistry.entries.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
            Estimators: \(EstimatorRegistry.catalogue.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
            """)

    @Option(help: "The game: \(GameRegistry.names.joined(separator: ", ")).")
    var game = "collapse"

    @Option(help: "The number of players.")
    var players = 1000

    @Option(help: "The estimator: \(EstimatorRegistry.names.joined(separator: ", ")).")
    var estimator = "tmc"

    @Option(help: "The run seed (also draws the game).")
    var seed: UInt64 = 0

    @Option(help: "The seed of the game, if different from the run seed.")
    var gameSeed: UInt64?

    @Option(name: .customLong("top-k"), help: "How many top players to search for and print.")
    var topK = 10

    @Option(help: "The most coalitions to value (forward passes).")
    var budget: Int?

    @Option(help: "The most samples (walks or base coalitions).")
    var samples: Int?

    @Option(help: "Error probability of the intervals (bandits).")
    var delta: Double?

    @Option(help: "Interval rule: normal, bernstein, maurer-pontil (bandit: bernstein, hoeffding).")
    var bound: String?

    @Flag(help: "Antithetic (reversed) walks for permutation sampling.")
    var antithetic = false

    @Option(help: "Truncation: how far above the floor counts as collapsed.")
    var tolerance: Double?

    @Option(help: "Truncation: consecutive collapsed values that stop a walk.")
    var patience: Int?

    @Option(help: "Walks in flight, or base coalitions per round.")
    var roundSize: Int?

    @Option(help: "Coalitions per work unit.")
    var chunkSize: Int?

    @Option(help: "Stratified sampling: the players valued, comma-separated indices (all by default).")
    var focus: String?

    @Option(help: "Adaptive estimator: the uniform share of the size proposal, in (0, 1]; 1 for uniform sizes.")
    var uniformShare: Double?

    @Option(help: "Adaptive estimator: players within this many standard errors of the top-k threshold are measured on every base, farther ones on fewer; 0 measures every player in play on every base (default 1).")
    var allocationGap: Double?

    @Option(help: "Adaptive estimator: direct observations a player needs before it is resolved on the other side of the top-k threshold from its screening estimate (default 24; 2 asks no more of it than of any other player).")
    var disputedObservations: Int?

    @Option(help: "Adaptive estimator: pseudo-observations of the prior in each player's moderated variance (default 4); fewer let a player whose marginals are all zero be resolved sooner.")
    var priorWeight: Double?

    @Flag(help: "Print the result as JSON.")
    var json = false

    mutating func run() throws {
        let g = try GameRegistry.make(game, players: players, seed: gameSeed ?? seed)
        var o = EstimatorOptions(seed: seed)
        o.topK = topK
        o.maxEvaluations = budget
        o.maxSamples = samples
        o.delta = delta
        o.bound = bound
        o.antithetic = antithetic
        o.tolerance = tolerance
        o.patience = patience
        o.roundSize = roundSize
        o.chunkSize = chunkSize
        o.uniformShare = uniformShare
        o.allocationGap = allocationGap
        o.disputedObservations = disputedObservations
        o.priorWeight = priorWeight
        if let focus {
            guard estimator.lowercased() == "stratified" else {
                throw ValidationError("--focus \(focus): only stratified sampling values chosen players; add --estimator stratified")
            }
            guard let players = EstimatorOptions.players(fromList: focus) else {
                throw ValidationError("--focus \(focus): expected comma-separated player indices, e.g. 3,17,40")
            }
            o.focus = players
            // Only the focus players are valued: print no more than them.
            topK = min(topK, Set(o.focus ?? []).count)
            o.topK = topK
        }
        var e = try EstimatorRegistry.make(estimator, playerCount: g.playerCount, chanceLevel: g.chanceLevel, options: o)
        let start = Date()
        let report = try LocalRun.run(&e, game: g)
        let seconds = Date().timeIntervalSince(start)
        let truth = try g.referenceTopK(topK)
        let output = SimulateOutput(game: game, players: players, seed: seed, report: report, topK: topK,
                                    truth: truth, referenceValues: try g.referenceValues(), seconds: seconds)
        print(json ? try output.json() : output.table())
    }
}
