import ArgumentParser
import Foundation
import NeuronShapley
import ShapleyCore

/// Defaults of `nshap run`.
enum RunDefaults {
    /// The fast top-k estimator when this build has it, else the original bandit.
    static var estimator: String { EstimatorRegistry.names.contains("adaptive") ? "adaptive" : "bandit" }
    /// The evaluation budget of a demo run (keeps the README's command to a couple of minutes).
    static let demoEvaluations = 3000
    /// Validation images of a demo run.
    static let demoValidation = 120
}

/// Where the images come from and how they are split and evaluated.
struct RunDataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The preprocessing sidecar (default: MODEL.json).", valueName: "FILE"))
    var sidecar: String?

    @Option(name: .long, help: ArgumentHelp("A class label file replacing the sidecar's.", valueName: "FILE"))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images or folders to classes.", valueName: "FILE"))
    var mapping: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images to groups (subgroup:G, gap:A,B).", valueName: "FILE"))
    var groups: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images to attack targets (attack).", valueName: "FILE"))
    var targets: String?

    @Option(name: .customLong("clean-data"), help: ArgumentHelp("With --metric attack: clean images whose accuracy is reported after removals.", valueName: "DIR"))
    var cleanData: String?

    @Option(name: .customLong("split-seed"), help: ArgumentHelp("Seed of the validation/test split.", valueName: "SEED"))
    var splitSeed: UInt64 = 1

    @Option(name: .customLong("validation-fraction"), help: ArgumentHelp("Share of the images used for the values; the rest checks them.", valueName: "F"))
    var validationFraction: Double = 0.5

    @Option(name: .customLong("max-validation"), help: ArgumentHelp("At most this many validation images (default with the demo: \(RunDefaults.demoValidation)).", valueName: "N"))
    var maxValidation: Int?

    @Option(name: .customLong("engine-threads"), help: ArgumentHelp("Engine threads per worker process.", valueName: "N"))
    var engineThreads: Int = 1

    @Option(name: .customLong("micro-batch"), help: ArgumentHelp("Images per micro-batch of the engine.", valueName: "N"))
    var microBatch: Int = 16

    @Flag(name: .customLong("no-linear-readout"), help: "Run the rest of the network per evaluation even when the players' layer has a pooled affine readout (same values up to rounding; for comparisons).")
    var noLinearReadout = false

    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Coalitions a worker evaluates per engine call.", valueName: "N"))
    var batchSize: Int = 16

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size \(batchSize): expected at least 1") }
    }

    /// Copies these options into `settings`.
    func apply(to settings: inout GameSettings, demo: Bool) throws {
        settings.sidecar = sidecar
        settings.labels = labels
        settings.mapping = mapping
        settings.groups = groups
        settings.targets = targets
        settings.splitSeed = splitSeed
        settings.validationFraction = validationFraction
        settings.maxValidation = maxValidation ?? (demo ? RunDefaults.demoValidation : nil)
        settings.threads = engineThreads
        settings.microBatch = microBatch
        settings.linearReadout = !noLinearReadout
        try settings.validate()
    }
}

/// The checks made after the values.
struct RunCheckOptions: ParsableArguments {
    @Option(name: .customLong("random-seeds"), help: ArgumentHelp("Random removal orders averaged in the baseline.", valueName: "N"))
    var randomSeeds: Int = 5

    @Option(name: .customLong("ablation-sizes"), help: ArgumentHelp("Numbers of filters removed in the ablation curves.", valueName: "K,K,..."))
    var ablationSizes: String = "1,2,5,10,20,50,100"

    @Option(name: .customLong("patch-filters"), help: ArgumentHelp("Top filters whose image patches are drawn.", valueName: "N"))
    var patchFilters: Int = 10

    @Option(name: .customLong("patches-per-filter"), help: ArgumentHelp("Patches drawn per filter.", valueName: "N"))
    var patchesPerFilter: Int = 8

    @Option(name: .customLong("max-test"), help: ArgumentHelp("Check on at most this many test images (a stratified subset).", valueName: "N"))
    var maxTest: Int?

    @Option(name: .customLong("loo-limit"), help: ArgumentHelp("Compute leave-one-out values only up to this many players.", valueName: "N"))
    var leaveOneOutLimit: Int = 5000

    @Option(name: .customLong("check-threads"), help: ArgumentHelp("Engine threads of the checks after the estimate (default: every core).", valueName: "N"))
    var checkThreads: Int?

    func validate() throws {
        if let checkThreads, checkThreads < 1 { throw ValidationError("--check-threads \(checkThreads): expected at least 1") }
        if let maxTest, maxTest < 1 { throw ValidationError("--max-test \(maxTest): expected at least 1") }
        guard randomSeeds >= 1 else { throw ValidationError("--random-seeds \(randomSeeds): expected at least 1") }
        guard patchFilters >= 0, patchesPerFilter >= 1 else { throw ValidationError("--patch-filters and --patches-per-filter: expected 0+ and 1+") }
        _ = try sizes()
    }

    func sizes() throws -> [Int] {
        let parts = ablationSizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--ablation-sizes \(ablationSizes): expected positive numbers separated by commas, e.g. 1,2,5,10")
        }
        return parts.compactMap { $0 }
    }

    /// The analysis options.
    func options(topK: Int) throws -> AnalysisOptions {
        var o = AnalysisOptions()
        o.topK = topK
        o.ablationSizes = try sizes()
        o.randomSeeds = randomSeeds
        o.patchFilters = min(patchFilters, topK)
        o.patchesPerFilter = patchesPerFilter
        o.leaveOneOutLimit = leaveOneOutLimit
        o.maxTest = maxTest
        o.threads = checkThreads
        return o
    }
}
