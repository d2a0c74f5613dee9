/// How a run was made, for `run.json` and the report: the command, the estimator and its cost.
public struct RunInfo: Sendable, Codable, Hashable {
    /// The command line that made the run.
    public var command: String
    /// The cluster run's identifier.
    public var runID: String
    /// The estimator's name.
    public var estimator: String
    /// The estimator's options as given (`--set`, budgets, top-k).
    public var estimatorOptions: [String: String]
    /// The run seed.
    public var seed: UInt64
    /// Whether the estimator's stopping rule was met (false: stopped by its budget or by hand).
    public var finished: Bool
    /// How the cluster run ended (`finished`, `stopped`, `stalled`).
    public var status: String
    /// Coalitions valued (each one evaluation of the metric on the validation part).
    public var evaluations: Int
    /// Samples aggregated (walks or coalitions).
    public var samples: Int
    /// Worker processes started on this machine.
    public var localWorkers: Int
    /// Where remote workers could join, if anywhere.
    public var endpoint: String?
    /// Seconds spent estimating the values.
    public var estimationSeconds: Double
    /// Seconds spent on the checks (baselines, ablations, patches).
    public var analysisSeconds: Double
    /// The directory holding the cluster's configuration and journal.
    public var clusterDirectory: String
    /// Players the estimator had not yet resolved when it stopped (0: its stopping rule was met;
    /// absent in runs written before it was recorded).
    public var activePlayers: Int?

    /// A record with every field.
    public init(command: String, runID: String, estimator: String, estimatorOptions: [String: String], seed: UInt64,
                finished: Bool, status: String, evaluations: Int, samples: Int, localWorkers: Int, endpoint: String?,
                estimationSeconds: Double, analysisSeconds: Double, clusterDirectory: String, activePlayers: Int? = nil) {
        self.command = command
        self.runID = runID
        self.estimator = estimator
        self.estimatorOptions = estimatorOptions
        self.seed = seed
        self.finished = finished
        self.status = status
        self.evaluations = evaluations
        self.samples = samples
        self.localWorkers = localWorkers
        self.endpoint = endpoint
        self.estimationSeconds = estimationSeconds
        self.analysisSeconds = analysisSeconds
        self.clusterDirectory = clusterDirectory
        self.activePlayers = activePlayers
    }
}
