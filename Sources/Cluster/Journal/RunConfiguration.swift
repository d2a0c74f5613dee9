/// Everything that defines a run, saved in its run directory when it starts so that `--resume`
/// rebuilds the same estimator: the estimator by name with its options, the seed, and what the
/// workers must match (player count, model and data fingerprints, metric).
public struct RunConfiguration: Codable, Hashable, Sendable {
    /// The layout version of this file.
    public var formatVersion: Int
    /// The run's identifier (sent to workers in the welcome).
    public var runID: String
    /// The estimator's name, as the estimator factory knows it.
    public var estimator: String
    /// The estimator's options, as given on the command line.
    public var options: [String: String]
    /// The run seed.
    public var seed: UInt64
    /// The number of players.
    public var playerCount: Int
    /// The fingerprint of the model every worker must have loaded.
    public var modelFingerprint: String
    /// The fingerprint of the evaluation data every worker must use.
    public var dataFingerprint: String
    /// The metric every worker's game must compute.
    public var metric: String
    /// The game's chance level (the default floor of truncation rules), when known.
    public var chanceLevel: Double?
    /// The command-line arguments that describe the game, for launchers that start the workers of
    /// a resumed run (the coordinator itself does not use them; it checks fingerprints).
    public var gameArguments: [String]?

    /// A configuration with these fields.
    public init(runID: String, estimator: String, options: [String: String] = [:], seed: UInt64,
                playerCount: Int, modelFingerprint: String, dataFingerprint: String, metric: String,
                chanceLevel: Double? = nil, gameArguments: [String]? = nil) {
        self.formatVersion = 1
        self.runID = runID
        self.estimator = estimator
        self.options = options
        self.seed = seed
        self.playerCount = playerCount
        self.modelFingerprint = modelFingerprint
        self.dataFingerprint = dataFingerprint
        self.metric = metric
        self.chanceLevel = chanceLevel
        self.gameArguments = gameArguments
    }
}
