import ArgumentParser
import Cluster
import ShapleyCore

/// The command-line options that choose a run's estimator, saved in the run's configuration so that
/// `--resume` rebuilds the same estimator.
struct EstimatorArguments: ParsableArguments {
    /// The keys `--set KEY=VALUE` accepts: the run's estimator settings that have no option of
    /// their own.
    static let settingKeys = RunConfiguration.estimatorSettings.map(\.key)
        .filter { !["maxSamples", "maxEvaluations", "topK"].contains($0) }

    @Option(name: .long, help: ArgumentHelp("The estimator: \(EstimatorRegistry.names.joined(separator: ", ")).", valueName: "NAME"))
    var estimator: String = "tmc"

    @Option(name: .long, help: ArgumentHelp("The run seed: samples depend only on it, not on which worker computes what.", valueName: "SEED"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Stop after this many samples (permutation walks or coalitions).", valueName: "N"))
    var samples: Int?

    @Option(name: .long, help: ArgumentHelp("Stop after this many evaluations of the game.", valueName: "N"))
    var evaluations: Int?

    @Option(name: .customLong("top-k"), help: ArgumentHelp("How many top players to search for and report.", valueName: "K"))
    var topK: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("An estimator setting as KEY=VALUE (repeatable), e.g. --set tolerance=0.2; keys: \(Self.settingKeys.joined(separator: ", ")).", valueName: "KEY=VALUE"))
    var settings: [String] = []

    func validate() throws {
        let keys = Set(Self.settingKeys)
        for s in settings {
            let key = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            guard s.contains("="), keys.contains(key) else {
                throw ValidationError("--set \(s): expected KEY=VALUE with KEY one of \(keys.sorted().joined(separator: ", "))")
            }
        }
        guard EstimatorRegistry.names.contains(estimator.lowercased()) else {
            throw ValidationError("--estimator \(estimator): expected one of \(EstimatorRegistry.names.joined(separator: ", "))")
        }
        if let samples, samples < 1 { throw ValidationError("--samples \(samples): expected at least 1") }
        if let evaluations, evaluations < 1 { throw ValidationError("--evaluations \(evaluations): expected at least 1") }
        if let topK, topK < 1 { throw ValidationError("--top-k \(topK): expected at least 1") }
    }

    /// The options as saved in the run configuration (named as ``RunConfiguration/estimatorSettings``),
    /// read back by ``RunConfiguration/registryEstimator`` when the run starts or resumes.
    var savedOptions: [String: String] {
        var o: [String: String] = [:]
        if let samples { o["maxSamples"] = "\(samples)" }
        if let evaluations { o["maxEvaluations"] = "\(evaluations)" }
        if let topK { o["topK"] = "\(topK)" }
        for s in settings {
            let parts = s.split(separator: "=", maxSplits: 1)
            o[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return o
    }

    /// The saved options; the chance level now travels in ``RunConfiguration/chanceLevel``.
    @available(*, deprecated, message: "use savedOptions and set RunConfiguration.chanceLevel")
    func savedOptions(chanceLevel: Double?) -> [String: String] { savedOptions }

    /// These options as command-line arguments.
    var arguments: [String] {
        var a = ["--estimator", estimator, "--seed", "\(seed)"]
        if let samples { a += ["--samples", "\(samples)"] }
        if let evaluations { a += ["--evaluations", "\(evaluations)"] }
        if let topK { a += ["--top-k", "\(topK)"] }
        for s in settings { a += ["--set", s] }
        return a
    }
}

/// The estimator factory under its former name, for code written before there was one factory.
enum CoordinatorEstimators {
    /// ``RunConfiguration/registryEstimator``.
    @available(*, deprecated, renamed: "RunConfiguration.registryEstimator")
    static var make: EstimatorFactory { RunConfiguration.registryEstimator }
}
