/// Synthetic games by name, so that command lines and benchmarks can say `--game collapse`.
public enum GameRegistry {
    /// One named game.
    public struct Entry: Sendable {
        /// The name used on command lines.
        public let name: String
        /// A one-line description.
        public let summary: String
        /// Builds the game with `players` players from `seed`.
        public let make: @Sendable (_ players: Int, _ seed: UInt64) throws -> any ReferenceGame
    }

    /// Every known game.
    public static let entries: [Entry] = [
        Entry(name: "collapse", summary: "ablating a CNN's filters: dominant players, long tail, collapse to chance, accuracy on 500 images; true top-k by importance") {
            try CollapsingNetworkGame(playerCount: $0, seed: $1)
        },
        Entry(name: "collapse-smooth", summary: "the collapsing network with a continuous value and no redundant pairs") {
            var c = CollapsingNetworkGame.Configuration(playerCount: $0, seed: $1)
            c.images = 0
            c.redundantFraction = 0
            return try CollapsingNetworkGame(c)
        },
        Entry(name: "additive", summary: "v(S) = sum of the members' weights; Shapley value = weight") {
            guard $0 >= 1 else { throw ShapleyError.invalidOption(name: "players", value: "\($0)", expected: "at least 1 player") }
            return AdditiveGame(playerCount: $0, seed: $1)
        },
        Entry(name: "voting", summary: "weighted voting (weights 1-10, quota half the total); exact values by dynamic programming") {
            try WeightedVotingGame(playerCount: $0, seed: $1)
        },
        Entry(name: "glove", summary: "glove game, 2/5 left gloves and 3/5 right gloves; exact values in closed form") { players, _ in
            let left = max(1, (players * 2) / 5)
            return try GloveGame(left: left, right: players - left)
        },
        Entry(name: "airport", summary: "airport cost game with uniform costs; exact values in closed form") {
            try AirportGame(playerCount: $0, seed: $1)
        },
    ]

    /// The names of every known game.
    public static var names: [String] { entries.map(\.name) }

    /// The game called `name` with `players` players drawn from `seed`; throws
    /// ``ShapleyError/unknownName(kind:given:known:)`` listing the known names.
    public static func make(_ name: String, players: Int, seed: UInt64) throws -> any ReferenceGame {
        guard let entry = entries.first(where: { $0.name == name.lowercased() }) else {
            throw ShapleyError.unknownName(kind: "game", given: name, known: names)
        }
        guard players >= 1 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(players)", expected: "a positive number of players")
        }
        return try entry.make(players, seed)
    }
}
