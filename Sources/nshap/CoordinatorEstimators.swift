import Cluster
import ShapleyCore

/// Builds a run's estimator from its saved configuration (the coordinator's ``EstimatorFactory``).
enum CoordinatorEstimators {
    /// The estimator names the cluster commands accept.
    static let names = ["tmc", "permutation", "antithetic", "bandit", "exact"]

    /// The estimator of `run`; throws for unknown names and malformed settings.
    static func make(_ run: RunConfiguration) throws -> any Estimator {
        var o = Settings(run.options)
        let n = run.playerCount, seed = run.seed
        let estimator: any Estimator
        switch run.estimator.lowercased() {
        case "permutation", "antithetic":
            var c = PermutationSampling.Configuration(playerCount: n, seed: seed)
            c.antithetic = run.estimator.lowercased() == "antithetic"
            c.budget = try o.budget(default: c.budget)
            c.topK = try o.int("topK") ?? c.topK
            c.walksPerRound = try o.int("walksPerRound") ?? c.walksPerRound
            c.chunkSize = try o.int("chunkSize") ?? c.chunkSize
            estimator = try PermutationSampling(c)
        case "tmc":
            var c = TruncatedMonteCarlo.Configuration(playerCount: n, seed: seed)
            c.budget = try o.budget(default: c.budget)
            c.floor = try o.double("floor") ?? c.floor
            c.tolerance = try o.double("tolerance") ?? c.tolerance
            c.patience = try o.int("patience") ?? c.patience
            c.topK = try o.int("topK") ?? c.topK
            c.walksPerRound = try o.int("walksPerRound") ?? c.walksPerRound
            c.chunkSize = try o.int("chunkSize") ?? c.chunkSize
            estimator = try TruncatedMonteCarlo(c)
        case "bandit":
            var c = NeuronShapleyBandit.Configuration(playerCount: n, seed: seed)
            c.budget = try o.budget(default: c.budget)
            c.floor = try o.double("floor") ?? c.floor
            c.tolerance = try o.double("tolerance") ?? c.tolerance
            c.patience = try o.int("patience") ?? c.patience
            c.topK = try o.int("topK") ?? c.topK
            c.delta = try o.double("delta") ?? c.delta
            c.walksPerRound = try o.int("walksPerRound") ?? c.walksPerRound
            c.chunkSize = try o.int("chunkSize") ?? c.chunkSize
            estimator = try NeuronShapleyBandit(c)
        case "exact":
            var c = ExactEnumeration.Configuration(playerCount: n)
            c.topK = try o.int("topK") ?? c.topK
            c.unitSize = try o.int("unitSize") ?? c.unitSize
            estimator = try ExactEnumeration(c)
        default:
            throw ShapleyError.unknownName(kind: "estimator", given: run.estimator, known: names)
        }
        try o.checkAllUsed(estimator: run.estimator)
        return estimator
    }

    /// Typed access to the saved settings, remembering which were used.
    struct Settings {
        let values: [String: String]
        var used: Set<String> = []

        init(_ values: [String: String]) { self.values = values }

        mutating func int(_ key: String) throws -> Int? {
            guard let text = values[key] else { return nil }
            used.insert(key)
            guard let v = Int(text) else { throw ShapleyError.invalidOption(name: key, value: text, expected: "an integer") }
            return v
        }

        mutating func double(_ key: String) throws -> Double? {
            guard let text = values[key] else { return nil }
            used.insert(key)
            guard let v = Double(text), v.isFinite else { throw ShapleyError.invalidOption(name: key, value: text, expected: "a number") }
            return v
        }

        mutating func budget(default d: Budget) throws -> Budget {
            let samples = try int("samples"), evaluations = try int("evaluations")
            guard samples != nil || evaluations != nil else { return d }
            return Budget(maxEvaluations: evaluations, maxSamples: samples)
        }

        func checkAllUsed(estimator: String) throws {
            // The floor comes from the game and is only meaningful to truncating estimators.
            let unused = Set(values.keys).subtracting(used).subtracting(["floor"])
            if let key = unused.sorted().first {
                throw ShapleyError.invalidOption(name: key, value: values[key] ?? "", expected: "a setting that estimator '\(estimator)' knows")
            }
        }
    }
}
