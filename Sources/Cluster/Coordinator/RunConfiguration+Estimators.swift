public import ShapleyCore

extension RunConfiguration {
    /// The option names ``estimatorOptions()`` understands (those of ``EstimatorOptions``).
    public static let estimatorOptionNames = [
        "topK", "delta", "confidence", "bound", "range", "maxEvaluations", "maxSamples", "antithetic",
        "floor", "tolerance", "patience", "roundSize", "chunkSize",
    ]

    /// The estimator options written in ``options``, with the run's seed. Throws for an unknown name
    /// or a value that does not parse, naming the option and what would work.
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
        for (key, text) in options.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "topK": o.topK = try int(key, text)
            case "delta": o.delta = try double(key, text)
            case "confidence": o.confidence = try double(key, text)
            case "bound": o.bound = text
            case "range": o.range = try double(key, text)
            case "maxEvaluations": o.maxEvaluations = try int(key, text)
            case "maxSamples": o.maxSamples = try int(key, text)
            case "antithetic":
                guard let v = Bool(text) else { throw ClusterError.configuration("option antithetic='\(text)' must be true or false") }
                o.antithetic = v
            case "floor": o.floor = try double(key, text)
            case "tolerance": o.tolerance = try double(key, text)
            case "patience": o.patience = try int(key, text)
            case "roundSize": o.roundSize = try int(key, text)
            case "chunkSize": o.chunkSize = try int(key, text)
            default:
                throw ClusterError.configuration("unknown estimator option '\(key)'; known: \(Self.estimatorOptionNames.joined(separator: ", "))")
            }
        }
        return o
    }

    /// The estimation core's estimators by name (``EstimatorRegistry``), built from a run's saved
    /// configuration: the default ``EstimatorFactory``.
    public static let registryEstimator: EstimatorFactory = { run in
        try EstimatorRegistry.make(run.estimator, playerCount: run.playerCount, chanceLevel: run.chanceLevel,
                                   options: run.estimatorOptions())
    }
}
