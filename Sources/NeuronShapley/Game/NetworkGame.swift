public import Dataset
public import ShapleyCore

/// Neuron Shapley's game: the players are conv filters, and a coalition's value is the metric of
/// the network on the validation images with every filter outside the coalition removed.
///
/// Removed filters are replaced as ``GameSettings/removal`` says (by default the channel's mean
/// over the validation images). The part of the network before the earliest player layer runs
/// once, when the game is built (see ``ModelCut``); each call to ``values(of:)`` runs the rest for
/// every (coalition, image) pair in one batched engine call. Thread-safe: concurrent calls share
/// the engine session.
public final class NetworkGame: Game {
    /// The loaded model, images and settings.
    public let data: GameData
    /// Runs masked networks.
    public let evaluator: MaskedEvaluator
    /// The validation images, ready for evaluation.
    public let validation: EvaluationSet
    /// The suffix unit of each player.
    public let playerUnits: [Int]

    /// The number of players.
    public var playerCount: Int { playerUnits.count }
    /// The metric's chance level for this model (the floor of truncation rules).
    public var chanceLevel: Double? { data.chanceLevel }
    /// The metric.
    public var metric: Metric { data.metric }

    /// Builds the game: the cut, the channel means and the validation activations.
    public init(data: GameData) throws {
        self.data = data
        evaluator = try MaskedEvaluator(data: data, players: data.players.units)
        validation = try evaluator.prepare(data, indices: data.validation, metric: data.metric)
        playerUnits = try evaluator.cut.suffixUnits(data.players.units)
    }

    /// Loads the data of `settings` and builds the game.
    public convenience init(settings: GameSettings) throws {
        try self.init(data: try GameData.load(settings))
    }

    /// The metric on the validation images for each coalition (players outside it removed).
    public func values(of coalitions: [Coalition]) throws -> [Double] {
        let removed = coalitions.map { c in
            (0..<playerUnits.count).compactMap { p in c.contains(p) ? nil : playerUnits[p] }
        }
        return try evaluator.values(removing: removed, on: validation, metric: data.metric)
    }
}
