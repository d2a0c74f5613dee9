import ArgumentParser
import Engine
import NeuronShapley
import ShapleyCore

/// The command-line options that choose the game a run evaluates. Coordinator, worker and local
/// runs share them, so that the coordinator and its workers agree on the game's fingerprint.
struct GameOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The game to evaluate: a synthetic game (\(GameFactory.names.joined(separator: ", "))); with --model, the network game.", valueName: "NAME"))
    var game: String = "collapse"

    @Option(name: .long, help: ArgumentHelp("The players: for a synthetic game their number (default 100); for the network game its filters as layer names, globs ('blocks.6.*'), layer index ranges ('40-48') or unit addresses ('conv1:0-7'), default all.", valueName: "N|LAYERS"))
    var players: String?

    @Option(name: .customLong("game-seed"), help: ArgumentHelp("Seed that draws a synthetic game (its weights, its important players).", valueName: "SEED"))
    var gameSeed: UInt64 = 1

    @Option(name: .customLong("coalition-cost-ms"), help: ArgumentHelp("For the 'spin' and 'sleep' games: milliseconds of work per coalition.", valueName: "MS"))
    var coalitionCostMilliseconds: Double = 1

    @OptionGroup(title: "Network game") var network: NetworkGameOptions
}

extension GameOptions {
    /// These options as command-line arguments (for worker processes started by `nshap local`).
    var arguments: [String] {
        var a = ["--game", game, "--game-seed", "\(gameSeed)", "--coalition-cost-ms", "\(coalitionCostMilliseconds)"]
        if let players { a += ["--players", players] }
        return a + network.arguments
    }
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
        if let settings = try options.network.settings(players: options.players) {
            let data = try GameData.load(settings)
            return GameSetup(playerCount: data.players.count, modelFingerprint: data.modelFingerprint,
                             dataFingerprint: data.dataFingerprint, metric: data.metric.description,
                             chanceLevel: data.chanceLevel) { try NetworkGame(data: data) }
        }
        let name = options.game.lowercased()
        let playerText = options.players ?? "100"
        guard let playerCount = Int(playerText), playerCount >= 1 else {
            throw ValidationError("--players \(playerText): a synthetic game needs a number of players of at least 1 (layer selections need --model)")
        }
        let fingerprint = "synthetic:\(name):players=\(playerCount):seed=\(options.gameSeed)"
        if benchmarkGames.contains(name) {
            guard options.coalitionCostMilliseconds >= 0, options.coalitionCostMilliseconds.isFinite else {
                throw ValidationError("--coalition-cost-ms \(options.coalitionCostMilliseconds): expected a non-negative number of milliseconds")
            }
            let players = playerCount, seed = options.gameSeed
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
        let probe = try GameRegistry.make(name, players: playerCount, seed: options.gameSeed)
        let players = playerCount, seed = options.gameSeed
        return GameSetup(playerCount: probe.playerCount, modelFingerprint: fingerprint, dataFingerprint: "synthetic",
                         metric: "value", chanceLevel: probe.chanceLevel) {
            try GameRegistry.make(name, players: players, seed: seed)
        }
    }
}
