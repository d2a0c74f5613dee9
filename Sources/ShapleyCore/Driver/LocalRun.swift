/// Drives an ``Estimator`` with a ``Game`` in this process: what a coordinator and its workers do,
/// without the network. Games that conform to ``IncrementalGame`` are evaluated through
/// ``IncrementalEvaluator`` (identical values, O(1) per coalition along walks); others through
/// ``WorkEvaluator``.
public struct LocalRun {
    /// Settings of a local run.
    public struct Options: Sendable {
        /// When set, the units handed out at each request, the order they are evaluated in and the
        /// order their results are ingested in are shuffled with this seed, and some results are
        /// ingested twice: a run must give the same report whatever the order (the estimator
        /// contract). `nil` (the default) evaluates in key order.
        public var shuffleSeed: UInt64?
        /// The most units requested at a time, unlimited by default.
        public var unitsPerRequest = Int.max
        /// Coalitions per call to a game that is not incremental, 64 by default.
        public var batchSize = 64
        /// A cap on requests, as a guard against an estimator that never finishes; 10 million by default.
        public var maxRequests = 10_000_000

        /// Default options.
        public init(shuffleSeed: UInt64? = nil) { self.shuffleSeed = shuffleSeed }
    }

    /// Runs `estimator` to completion on `game` and returns its final report; `observe` is called
    /// with the estimator after every request's results are ingested.
    @discardableResult
    public static func run<E: Estimator>(_ estimator: inout E, game: any Game, options: Options = Options(),
                                         observe: (E) -> Void = { _ in }) throws -> EstimateReport {
        guard estimator.playerCount == game.playerCount else {
            throw ShapleyError.invalidOption(name: "players", value: "\(estimator.playerCount)",
                                             expected: "the game's \(game.playerCount) players")
        }
        if let g = game as? any IncrementalGame {
            return try runIncremental(&estimator, game: g, options: options, observe: observe)
        }
        let evaluator = WorkEvaluator(game: game, batchSize: options.batchSize)
        return try drive(&estimator, options: options, observe: observe) { try evaluator.evaluate($0) }
    }

    private static func runIncremental<E: Estimator, G: IncrementalGame>(
        _ estimator: inout E, game: G, options: Options, observe: (E) -> Void
    ) throws -> EstimateReport {
        var evaluator = IncrementalEvaluator(game: game)
        return try drive(&estimator, options: options, observe: observe) { try evaluator.evaluate($0) }
    }

    private static func drive<E: Estimator>(_ estimator: inout E, options: Options, observe: (E) -> Void,
                                            evaluate: (WorkUnit) throws -> WorkResult) throws -> EstimateReport {
        var stream = options.shuffleSeed.map { RandomStream(seed: $0, index: 0, purpose: 0x7368) }
        var requests = 0
        while !estimator.isFinished {
            requests += 1
            guard requests <= options.maxRequests else {
                throw ShapleyError.invalidOption(name: "requests", value: "\(options.maxRequests)",
                                                 expected: "an estimator that finishes; raise the budget cap or the request cap")
            }
            var limit = options.unitsPerRequest
            if var s = stream { limit = min(limit, 1 + s.uniform(below: 8)); stream = s }
            var units = estimator.nextWork(limit: limit)
            if units.isEmpty {
                throw ShapleyError.invalidOption(name: "estimator state", value: "waiting with no work outstanding",
                                                 expected: "an estimator that issues work until it finishes")
            }
            if var s = stream { units.shuffle(using: &s); stream = s }
            var results = try units.map(evaluate)
            if var s = stream {
                results.shuffle(using: &s)
                if let again = results.first { results.append(again) }
                stream = s
            }
            for r in results { _ = try estimator.ingest(r) }
            observe(estimator)
        }
        return estimator.report()
    }
}
