import ArgumentParser
import ShapleyCore

/// The command-line options that choose the game a run evaluates. Coordinator, worker and local
/// runs share them, so that the coordinator and its workers agree on the game's fingerprint.
struct GameOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The game to evaluate: a synthetic game (\(GameFactory.names.joined(separator: ", "))).", valueName: "NAME"))
    var game: String = "collapse"

    @Option(name: .long, help: ArgumentHelp("Number of players of a synthetic game.", valueName: "N"))
    var players: Int = 100

    @Option(name: .customLong("game-seed"), help: ArgumentHelp("Seed that draws a synthetic game (its weights, its important players).", valueName: "SEED"))
    var gameSeed: UInt64 = 1

    @Option(name: .customLong("coalition-cost-ms"), help: ArgumentHelp("For the 'spin' and 'sleep' games: milliseconds of work per coalition.", valueName: "MS"))
    var coalitionCostMilliseconds: Double = 1
}

/// What the cluster needs to know about a game: its size and fingerprints (which the coordinator
/// checks every worker against) and how to build it (workers only).
struct GameSetup: Sendable {
    /// The number of players.
    var playerCount: Int
    /// Identifies the model: workers with another one are refused.
    var modelFingerprint: String
    /// Identifies the evaluation data: workers with other data are refused.
    var dataFingerprint: String
    /// The metric the game computes.
    var metric: String
    /// The collapsed level (chance), used as the default floor of truncation rules, when known.
    var chanceLevel: Double?
    /// Builds the game (workers call it once; it may be expensive, e.g. loading a model).
    var make: @Sendable () throws -> any Game
}

/// The one seam through which games reach the cluster commands: command-line options in, a
/// ``GameSetup`` out. A model-and-data game plugs in here by adding its options to
/// ``GameOptions`` and a branch to ``setup(_:)``; coordinator, worker and local need no change.
enum GameFactory {
    /// Games built into the cluster commands for benchmarks, in addition to the synthetic games.
    static let benchmarkGames = ["noop", "spin", "sleep"]

    /// Every game name the options accept.
    static var names: [String] { GameRegistry.names + benchmarkGames }

    /// The setup for `options`; throws for unknown names and invalid sizes.
    static func setup(_ options: GameOptions) throws -> GameSetup {
        let name = options.game.lowercased()
        guard options.players >= 1 else {
            throw ValidationError("--players \(options.players): a game needs at least one player")
        }
        let fingerprint = "synthetic:\(name):players=\(options.players):seed=\(options.gameSeed)"
        if benchmarkGames.contains(name) {
            guard options.coalitionCostMilliseconds >= 0, options.coalitionCostMilliseconds.isFinite else {
                throw ValidationError("--coalition-cost-ms \(options.coalitionCostMilliseconds): expected a non-negative number of milliseconds")
            }
            let players = options.players, seed = options.gameSeed
            let cost = Duration.microseconds(Int64((options.coalitionCostMilliseconds * 1000).rounded()))
            let costTag = name == "noop" ? "" : ":cost-us=\(Int64((options.coalitionCostMilliseconds * 1000).rounded()))"
            return GameSetup(playerCount: players, modelFingerprint: fingerprint + costTag, dataFingerprint: "synthetic",
                             metric: "value", chanceLevel: nil) {
                switch name {
                case "noop": return BenchmarkGame(playerCount: players, seed: seed, cost: .zero, spin: false)
                case "spin": return BenchmarkGame(playerCount: players, seed: seed, cost: cost, spin: true)
                default: return BenchmarkGame(playerCount: players, seed: seed, cost: cost, spin: false)
                }
            }
        }
        // Build once here to validate the name and size, and to learn the chance level.
        let probe = try GameRegistry.make(name, players: options.players, seed: options.gameSeed)
        let players = options.players, seed = options.gameSeed
        return GameSetup(playerCount: probe.playerCount, modelFingerprint: fingerprint, dataFingerprint: "synthetic",
                         metric: "value", chanceLevel: probe.chanceLevel) {
            try GameRegistry.make(name, players: players, seed: seed)
        }
    }
}
