/// Options shared by every estimator, as a command line or a coordinator's configuration gives
/// them; `nil` keeps the estimator's documented default.
public struct EstimatorOptions: Hashable, Sendable {
    /// The run seed (sample orders and coalitions are drawn from it), 0 by default.
    public var seed: UInt64 = 0
    /// The size of the top set searched or reported.
    public var topK: Int?
    /// The error probability of intervals (bandits: per player for the original, overall for ours).
    public var delta: Double?
    /// The coverage of normal intervals, e.g. 0.95.
    public var confidence: Double?
    /// The interval rule by name: `normal`, `bernstein` (Audibert et al.), `maurer-pontil`, or for
    /// the original bandit `bernstein` / `hoeffding`.
    public var bound: String?
    /// The range of a marginal contribution, for Bernstein and Hoeffding radii.
    public var range: Double?
    /// The most coalitions valued.
    public var maxEvaluations: Int?
    /// The most samples (walks or base coalitions).
    public var maxSamples: Int?
    /// Antithetic (reversed) walks for permutation sampling.
    public var antithetic = false
    /// The collapsed level of truncation rules; `nil` takes the game's chance level, else v(∅).
    public var floor: Double?
    /// How far above the floor counts as collapsed.
    public var tolerance: Double?
    /// Consecutive collapsed values that stop a walk.
    public var patience: Int?
    /// Walks in flight (walk estimators) or base coalitions per round (the adaptive estimator and
    /// stratified sampling).
    public var roundSize: Int?
    /// Coalitions per work unit (walk positions, chosen players or toggles).
    public var chunkSize: Int?
    /// The players stratified sampling values (all by default).
    public var focus: [Int]?
    /// The uniform share of the adaptive estimator's size proposal, in (0, 1]; 1 draws base
    /// coalition sizes uniformly (no importance sampling).
    public var uniformShare: Double?
    /// The adaptive estimator's allocation gap in standard errors (see
    /// ``AdaptiveTopK/Configuration/allocationGap``); 0 toggles every player in play on every base.
    public var allocationGap: Double?
    /// Direct observations the adaptive estimator needs before it resolves a player on the other
    /// side of the threshold from its screening estimate (see
    /// ``AdaptiveTopK/Configuration/disputedObservations``).
    public var disputedObservations: Int?
    /// Pseudo-observations of the prior in the adaptive estimator's moderated variances (see
    /// ``AdaptiveTopK/Configuration/priorWeight``).
    public var priorWeight: Double?

    /// Default options with `seed`.
    public init(seed: UInt64 = 0) { self.seed = seed }

    /// A ``focus`` list as written on a command line or in a run configuration, comma-separated
    /// player indices such as `3, 17,40`; `nil` when it does not parse.
    public static func players(fromList text: String) -> [Int]? {
        var players: [Int] = []
        for part in text.split(separator: ",") {
            guard let i = Int(part.filter { $0 != " " }) else { return nil }
            players.append(i)
        }
        return players
    }
}

/// Estimators by name, so that `--estimator NAME` works from the command line and a coordinator.
///
/// ```swift
/// var options = EstimatorOptions(seed: 7)
/// options.topK = 10
/// var estimator = try EstimatorRegistry.make("tmc", playerCount: game.playerCount,
///                                            chanceLevel: game.chanceLevel, options: options)
/// let report = try LocalRun.run(&estimator, game: game)
/// ```
public enum EstimatorRegistry {
    /// Every estimator name with a one-line description.
    public static let catalogue: [(name: String, summary: String)] = [
        ("exact", "exact enumeration of all coalitions (at most 20 players)"),
        ("permutation", "permutation sampling (add --antithetic for reversed pairs)"),
        ("tmc", "truncated Monte Carlo as in the original Neuron Shapley code"),
        ("bandit", "the original Neuron Shapley top-k bandit (truncated walks, empirical Bernstein)"),
        ("adaptive", "our adaptive top-k estimator (group walks, shared coalitions, size importance sampling, pruning)"),
        ("stratified", "stratified sampling by coalition size for chosen players (--focus; precise values of a few)"),
    ]

    /// The names of every estimator.
    public static var names: [String] { catalogue.map(\.name) }

    /// The estimator called `name` for a game of `playerCount` players whose chance level is
    /// `chanceLevel`; throws ``ShapleyError/unknownName(kind:given:known:)`` listing the names, or
    /// ``ShapleyError/invalidOption(name:value:expected:)`` for options out of range.
    public static func make(_ name: String, playerCount: Int, chanceLevel: Double?,
                            options o: EstimatorOptions) throws -> any Estimator {
        let floor = o.floor ?? chanceLevel
        switch name.lowercased() {
        case "exact":
            var c = ExactEnumeration.Configuration(playerCount: playerCount)
            if let k = o.topK { c.topK = k }
            if let u = o.chunkSize { c.unitSize = u }
            return try ExactEnumeration(c)
        case "permutation":
            var c = PermutationSampling.Configuration(playerCount: playerCount, seed: o.seed)
            if let k = o.topK { c.topK = k }
            c.antithetic = o.antithetic
            c.bound = try bound(o, default: .normal(z: 1.959963984540054))
            c.budget = budget(o, default: c.budget)
            if let r = o.roundSize { c.walksPerRound = r }
            if let u = o.chunkSize { c.chunkSize = u }
            return try PermutationSampling(c)
        case "tmc":
            var c = TruncatedMonteCarlo.Configuration(playerCount: playerCount, seed: o.seed)
            if let k = o.topK { c.topK = k }
            c.floor = floor
            if let t = o.tolerance { c.tolerance = t }
            if let p = o.patience { c.patience = p }
            c.bound = try bound(o, default: .normal(z: 1.959963984540054))
            c.budget = budget(o, default: c.budget)
            if let r = o.roundSize { c.walksPerRound = r }
            if let u = o.chunkSize { c.chunkSize = u }
            return try TruncatedMonteCarlo(c)
        case "bandit":
            var c = NeuronShapleyBandit.Configuration(playerCount: playerCount, seed: o.seed)
            if let k = o.topK { c.topK = k }
            if let d = o.delta { c.delta = d }
            if let r = o.range { c.range = r }
            if let b = o.bound {
                guard let kind = NeuronShapleyBandit.Bound(rawValue: b) else {
                    throw ShapleyError.invalidOption(name: "bound", value: b, expected: "bernstein or hoeffding for the original bandit")
                }
                c.bound = kind
            }
            c.floor = floor
            if let t = o.tolerance { c.tolerance = t }
            if let p = o.patience { c.patience = p }
            c.budget = budget(o, default: c.budget)
            if let r = o.roundSize { c.walksPerRound = r }
            if let u = o.chunkSize { c.chunkSize = u }
            return try NeuronShapleyBandit(c)
        case "adaptive":
            return try AdaptiveTopK.make(playerCount: playerCount, chanceLevel: chanceLevel, options: o)
        case "stratified":
            var c = StratifiedSampling.Configuration(playerCount: playerCount, seed: o.seed)
            if let f = o.focus { c.focus = f }
            if let k = o.topK { c.topK = k }
            if let level = o.confidence { c.confidence = level }
            c.budget = budget(o, default: c.budget)
            if let u = o.chunkSize { c.unitSize = u }
            if let r = o.roundSize { c.basesPerRound = r }
            return try StratifiedSampling(c)
        default:
            throw ShapleyError.unknownName(kind: "estimator", given: name, known: names)
        }
    }

    static func budget(_ o: EstimatorOptions, default d: Budget) -> Budget {
        if o.maxEvaluations == nil && o.maxSamples == nil { return d }
        return Budget(maxEvaluations: o.maxEvaluations, maxSamples: o.maxSamples)
    }

    /// The interval rule named in `o` (normal unless told otherwise).
    static func bound(_ o: EstimatorOptions, default d: ConfidenceBound) throws -> ConfidenceBound {
        let delta = o.delta ?? 0.05
        let range = o.range ?? 1
        if let level = o.confidence, !(level > 0 && level < 1) {
            throw ShapleyError.invalidOption(name: "confidence", value: "\(level)", expected: "a coverage in (0, 1), e.g. 0.95")
        }
        if !(delta > 0 && delta < 1) {
            throw ShapleyError.invalidOption(name: "delta", value: "\(delta)", expected: "a probability in (0, 1)")
        }
        switch o.bound?.lowercased() {
        case nil:
            if let level = o.confidence { return .normal(z: ConfidenceBound.z(coverage: level)) }
            return d
        case "normal":
            return .normal(z: ConfidenceBound.z(coverage: o.confidence ?? 0.95))
        case "bernstein":
            return .empiricalBernstein(delta: delta, range: range)
        case "maurer-pontil":
            return .maurerPontil(delta: delta, range: range)
        case let other?:
            throw ShapleyError.invalidOption(name: "bound", value: other, expected: "normal, bernstein or maurer-pontil")
        }
    }
}
