public import ShapleyCore

extension RunConfiguration {
    /// The estimator settings a run may carry in ``options``, named as in ``EstimatorOptions``,
    /// with what each means (command lines list them in their help).
    public static let estimatorSettings: [(key: String, meaning: String)] = [
        ("maxSamples", "stop after this many samples (permutation walks or base coalitions)"),
        ("maxEvaluations", "stop after this many evaluations of the game"),
        ("topK", "how many top players to search for and report"),
        ("delta", "error probability of the intervals"),
        ("confidence", "coverage of normal intervals, e.g. 0.95"),
        ("bound", "interval rule: normal, bernstein, maurer-pontil (bandit: bernstein, hoeffding)"),
        ("range", "range of a marginal contribution"),
        ("antithetic", "true for reversed walk pairs (permutation sampling)"),
        ("floor", "collapsed level of truncation (default: the game's chance level)"),
        ("tolerance", "how far above the floor counts as collapsed"),
        ("patience", "consecutive collapsed values that stop a walk"),
        ("roundSize", "walks in flight per round"),
        ("chunkSize", "coalitions per work unit"),
        ("focus", "players valued by stratified sampling, comma-separated indices"),
        ("uniformShare", "uniform share of the adaptive estimator's size proposal, in (0, 1]; 1 for uniform sizes"),
        ("allocationGap", "adaptive estimator: players within this many standard errors of the top-k threshold are measured on every base, farther ones on fewer; 0 measures every player in play on every base"),
        ("disputedObservations", "adaptive estimator: direct observations a player needs before it is resolved on the other side of the top-k threshold from its screening estimate (24 by default; 2 asks no more of it than of any other)"),
        ("priorWeight", "adaptive estimator: pseudo-observations of the prior in each player's moderated variance (4 by default); fewer let a player whose marginals are all zero be resolved sooner"),
    ]

    /// The option names ``estimatorOptions()`` understands (those of ``estimatorSettings``).
    public static var estimatorOptionNames: [String] { estimatorSettings.map(\.key) }

    /// Keys that run directories written by earlier releases carry, read for compatibility:
    /// `samples` and `evaluations` (for `maxSamples` and `maxEvaluations`), `chanceLevel` (the
    /// game's chance level, used when ``chanceLevel`` is not set) and `gameArguments` (launcher
    /// metadata, now ``gameArguments``; ignored here).
    static let compatibilityKeys: [String: String] = [
        "samples": "maxSamples", "evaluations": "maxEvaluations", "chanceLevel": "", "gameArguments": "",
    ]

    /// The estimator options written in ``options``, with the run's seed. Throws
    /// ``ClusterError/configuration(_:)`` for an unknown name or a value that does not parse,
    /// naming the option and what would work.
    public func estimatorOptions() throws -> EstimatorOptions {
        var o = EstimatorOptions(seed: seed)
        func int(_ key: String, _ text: String) throws -> Int {
            guard let v = Int(text) else { throw ClusterError.configuration("option \(key)='\(text)' is not an integer") }
            return v
        }
        func double(_ key: String, _ text: String) throws -> Double {
            guard let v = Double(text), v.isFinite else { throw ClusterError.configuration("option \(key)='\(text)' is not a finite number") }
            return v
        }
        for (given, text) in options.sorted(by: { $0.key < $1.key }) {
            let key = Self.compatibilityKeys[given].map { $0.isEmpty ? given : $0 } ?? given
            switch key {
            case "maxSamples": o.maxSamples = try int(given, text)
            case "maxEvaluations": o.maxEvaluations = try int(given, text)
            case "topK": o.topK = try int(key, text)
            case "delta": o.delta = try double(key, text)
            case "confidence": o.confidence = try double(key, text)
            case "bound": o.bound = text
            case "range": o.range = try double(key, text)
            case "antithetic":
                guard let v = Bool(text) else { throw ClusterError.configuration("option antithetic='\(text)' must be true or false") }
                o.antithetic = v
            case "floor": o.floor = try double(key, text)
            case "tolerance": o.tolerance = try double(key, text)
            case "patience": o.patience = try int(key, text)
            case "roundSize": o.roundSize = try int(key, text)
            case "chunkSize": o.chunkSize = try int(key, text)
            case "uniformShare": o.uniformShare = try double(key, text)
            case "allocationGap": o.allocationGap = try double(key, text)
            case "disputedObservations": o.disputedObservations = try int(key, text)
            case "priorWeight": o.priorWeight = try double(key, text)
            case "focus":
                guard let players = EstimatorOptions.players(fromList: text) else {
                    throw ClusterError.configuration("option focus='\(text)' is not a list of player indices; expected e.g. focus=3,17,40")
                }
                o.focus = players
            case "chanceLevel": _ = try double(key, text)
            case "gameArguments": continue
            default:
                throw ClusterError.configuration("unknown estimator option '\(given)'; known: \(Self.estimatorOptionNames.joined(separator: ", "))")
            }
        }
        return o
    }

    /// The game's chance level: ``chanceLevel``, or the `chanceLevel` option of run directories
    /// written by earlier releases.
    public var effectiveChanceLevel: Double? {
        chanceLevel ?? options["chanceLevel"].flatMap { Double($0) }
    }

    /// Builds a run's estimator from its saved configuration: the estimation core's estimators by
    /// name (``EstimatorRegistry``) with the options of ``estimatorOptions()``. This is the one
    /// ``EstimatorFactory`` of the command line; tests may pass others.
    public static let registryEstimator: EstimatorFactory = { run in
        try EstimatorRegistry.make(run.estimator, playerCount: run.playerCount, chanceLevel: run.effectiveChanceLevel,
                                   options: run.estimatorOptions())
    }
}
