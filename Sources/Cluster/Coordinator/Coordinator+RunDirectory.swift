public import Logging
public import ShapleyCore

extension Coordinator {
    /// A coordinator for a new run kept in `runDirectory`: the directory is created, the run's
    /// configuration saved in it, and an empty journal opened. Refuses a directory holding a run.
    public static func start(
        runDirectory: String, configuration: CoordinatorConfiguration, makeEstimator: EstimatorFactory,
        transport: any ServerTransport, logger: Logger = Logger(label: "nshap.coordinator"),
        onProgress: (@Sendable (ProgressSnapshot) -> Void)? = nil
    ) throws -> Coordinator {
        let estimator = try makeEstimator(configuration.run)
        try check(estimator.playerCount, configuration.run)
        let directory = try RunDirectory.create(at: runDirectory, configuration: configuration.run)
        let journal = try Journal(path: directory.journalPath)
        return Coordinator(configuration: configuration, estimator: estimator, transport: transport,
                           journal: journal, logger: logger, onProgress: onProgress)
    }

    /// A coordinator continuing the run kept in `runDirectory`: its saved configuration rebuilds the
    /// estimator, and the journal's results are replayed when it runs. `adjust` may change the
    /// operating settings (timing, metrics); the run itself is the saved one.
    public static func resume(
        runDirectory: String, adjust: (inout CoordinatorConfiguration) -> Void = { _ in },
        makeEstimator: EstimatorFactory, transport: any ServerTransport,
        logger: Logger = Logger(label: "nshap.coordinator"),
        onProgress: (@Sendable (ProgressSnapshot) -> Void)? = nil
    ) throws -> Coordinator {
        let (directory, run) = try RunDirectory.open(at: runDirectory)
        var configuration = CoordinatorConfiguration(run: run)
        adjust(&configuration)
        guard configuration.run == run else {
            throw ClusterError.configuration("a resumed run keeps its saved configuration; change only operating settings when resuming \(runDirectory)")
        }
        let estimator = try makeEstimator(run)
        try check(estimator.playerCount, run)
        let journal = try Journal(path: directory.journalPath)
        logger.info("resuming run", metadata: ["run": "\(run.runID)", "journaled": "\(journal.recovered.count)"])
        return Coordinator(configuration: configuration, estimator: estimator, transport: transport,
                           journal: journal, logger: logger, onProgress: onProgress)
    }

    private static func check(_ players: Int, _ run: RunConfiguration) throws {
        guard players == run.playerCount else {
            throw ClusterError.configuration("the estimator '\(run.estimator)' has \(players) players but the run has \(run.playerCount)")
        }
    }
}
