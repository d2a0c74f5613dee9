import Cluster
import ShapleyCore

/// Builds a run's estimator from its saved configuration (the coordinator's ``EstimatorFactory``)
/// through the estimation core's ``EstimatorRegistry``.
///
/// The saved options are text, as given on the command line: `samples`, `evaluations`, `topK`,
/// `chanceLevel` (from the game), the `--set` keys in ``settingKeys``, and the game's own
/// arguments (``SavedGame``, not used by the estimator).
enum CoordinatorEstimators {
    /// The estimator names the cluster commands accept.
    static var names: [String] { EstimatorRegistry.names }

    /// Keys `--set KEY=VALUE` accepts, with what they mean.
    static let settingKeys: [(key: String, meaning: String)] = [
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
    ]

    /// The estimator of `run`; throws for unknown names and malformed settings.
    static func make(_ run: RunConfiguration) throws -> any Estimator {
        let values = run.options
        func text(_ key: String) -> String? { values[key] }
        func int(_ key: String) throws -> Int? {
            guard let t = text(key) else { return nil }
            guard let v = Int(t) else { throw ShapleyError.invalidOption(name: key, value: t, expected: "an integer") }
            return v
        }
        func double(_ key: String) throws -> Double? {
            guard let t = text(key) else { return nil }
            guard let v = Double(t), v.isFinite else { throw ShapleyError.invalidOption(name: key, value: t, expected: "a number") }
            return v
        }
        let known = Set(settingKeys.map(\.key) + ["samples", "evaluations", "topK", "chanceLevel", SavedGame.key])
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ShapleyError.invalidOption(name: unknown, value: values[unknown] ?? "",
                                             expected: "one of \(settingKeys.map(\.key).joined(separator: ", "))")
        }
        var o = EstimatorOptions(seed: run.seed)
        o.maxSamples = try int("samples")
        o.maxEvaluations = try int("evaluations")
        o.topK = try int("topK")
        o.delta = try double("delta")
        o.confidence = try double("confidence")
        o.bound = text("bound")
        o.range = try double("range")
        if let a = text("antithetic") {
            guard let flag = Bool(a) else { throw ShapleyError.invalidOption(name: "antithetic", value: a, expected: "true or false") }
            o.antithetic = flag
        }
        o.floor = try double("floor")
        o.tolerance = try double("tolerance")
        o.patience = try int("patience")
        o.roundSize = try int("roundSize")
        o.chunkSize = try int("chunkSize")
        return try EstimatorRegistry.make(run.estimator, playerCount: run.playerCount,
                                          chanceLevel: try double("chanceLevel"), options: o)
    }
}
