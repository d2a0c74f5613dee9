import ArgumentParser
import Engine
import NeuronShapley

/// The options of the network game (Neuron Shapley on a model and labelled images), shared by the
/// cluster commands through ``GameOptions``: given `--model`, the game is the network game.
struct NetworkGameOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ONNX model whose conv filters are the players (selects the network game).", valueName: "MODEL.onnx"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Labelled images: a folder of class folders, an image or an .npy tensor.", valueName: "DIR"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("The preprocessing sidecar (default: MODEL.json).", valueName: "FILE"))
    var sidecar: String?

    @Option(name: .long, help: ArgumentHelp("What a coalition is worth: accuracy, class:N, logprob, logit, agreement, subgroup:G, gap:A,B or attack.", valueName: "METRIC"))
    var metric: String = "accuracy"

    @Option(name: .long, help: ArgumentHelp("How a removed filter is replaced: mean (its mean over the validation images), zero or bias.", valueName: "MODE"))
    var removal: String = "mean"

    @Option(name: .long, help: ArgumentHelp("A class label file (index, wnid, name) replacing the sidecar's.", valueName: "FILE"))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images or folders to classes.", valueName: "FILE"))
    var mapping: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images to groups (for subgroup:G and gap:A,B).", valueName: "FILE"))
    var groups: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images to attack target classes (for attack).", valueName: "FILE"))
    var targets: String?

    @Option(name: .customLong("split-seed"), help: ArgumentHelp("Seed of the validation/test split of the images.", valueName: "SEED"))
    var splitSeed: UInt64 = 1

    @Option(name: .customLong("validation-fraction"), help: ArgumentHelp("Share of the images in the validation part, where values are computed.", valueName: "F"))
    var validationFraction: Double = 0.5

    @Option(name: .customLong("max-validation"), help: ArgumentHelp("Use at most this many validation images (a stratified subset).", valueName: "N"))
    var maxValidation: Int?

    @Option(name: .customLong("engine-threads"), help: ArgumentHelp("Threads of the network engine per process.", valueName: "N"))
    var engineThreads: Int = 1

    @Option(name: .customLong("micro-batch"), help: ArgumentHelp("Images per micro-batch of the network engine.", valueName: "N"))
    var microBatch: Int = 16

    @Flag(name: .customLong("no-linear-readout"), help: "Run the rest of the network per evaluation even when the players' layer has a pooled affine readout (same values up to rounding; for comparisons).")
    var noLinearReadout = false

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Cache channel means here, shared by the processes of a run.", valueName: "DIR"))
    var cacheDirectory: String?

    /// The network game's settings, or nil when no model is given (a synthetic game).
    func settings(players: String?) throws -> GameSettings? {
        guard let model else {
            if data != nil { throw ValidationError("--data needs --model: the network game is played on a model") }
            return nil
        }
        guard let data else { throw ValidationError("--model \(model) needs --data DIR: the labelled images the metric is computed on") }
        guard let mode = Removal(rawValue: removal) else {
            throw ValidationError("--removal \(removal): expected one of \(Removal.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var s = GameSettings(model: model, data: data, metric: metric, players: players ?? "all", removal: mode)
        s.sidecar = sidecar
        s.labels = labels
        s.mapping = mapping
        s.groups = groups
        s.targets = targets
        s.splitSeed = splitSeed
        s.validationFraction = validationFraction
        s.maxValidation = maxValidation
        s.threads = engineThreads
        s.microBatch = microBatch
        s.cacheDirectory = cacheDirectory
        s.linearReadout = !noLinearReadout
        try s.validate()
        return s.absolutized()
    }

    /// These options as command-line arguments (empty without a model).
    var arguments: [String] {
        guard let settings = try? settings(players: nil) else { return [] }
        return settings.arguments.droppingPlayers()
    }
}

extension [String] {
    /// The arguments without `--players X` (the players are passed by ``GameOptions``).
    func droppingPlayers() -> [String] {
        var out: [String] = [], i = 0
        while i < count {
            if self[i] == "--players" { i += 2; continue }
            out.append(self[i])
            i += 1
        }
        return out
    }
}
