public import Engine
import Foundation

/// Everything that defines a network game: which model, which images and how they are split,
/// which filters are players, how a removed filter is replaced and what is measured. A coordinator
/// and its workers build the same game from the same settings; the fingerprints of the game they
/// build are compared when a worker joins.
///
/// Paths are used as given (relative paths resolve against the working directory); only `threads`,
/// `microBatch` and `cacheDirectory` may differ between processes of one run.
public struct GameSettings: Codable, Sendable, Hashable {
    /// The ONNX model.
    public var model: String
    /// The preprocessing sidecar (default: the model's path with `.json`).
    public var sidecar: String?
    /// The labelled images: a folder of class folders, an image or an `.npy` tensor.
    public var data: String
    /// A class label file replacing the sidecar's.
    public var labels: String?
    /// A table mapping images or folders to classes.
    public var mapping: String?
    /// The metric, as `Metric(parsing:)` reads it.
    public var metric: String
    /// The players, as ``PlayerSelection`` reads them.
    public var players: String
    /// How removed filters are replaced.
    public var removal: Removal
    /// A table mapping images to groups (for `subgroup:` and `gap:`).
    public var groups: String?
    /// A table mapping images to attack target classes (for `attack`).
    public var targets: String?
    /// The seed of the validation/test split.
    public var splitSeed: UInt64
    /// The share of the images in the validation part (where values are computed).
    public var validationFraction: Double
    /// At most this many validation images (a stratified subset), when set.
    public var maxValidation: Int?
    /// Threads of the network engine in one process.
    public var threads: Int
    /// Items per micro-batch of the engine.
    public var microBatch: Int
    /// Where channel means are cached between processes (nil: not cached).
    public var cacheDirectory: String?
    /// Whether players in one layer with a pooled affine readout are evaluated through it (the
    /// default) instead of running the rest of the network per evaluation; same logits up to
    /// rounding (see ``MaskedEvaluator/linearReadout``).
    public var linearReadout: Bool {
        get { linearReadoutChoice ?? true }
        set { linearReadoutChoice = newValue }
    }
    /// The stored choice: optional, so that settings saved before there was one (a run directory's
    /// `settings.json`, read back by `--resume` and `prune --top`) still decode, as on.
    private var linearReadoutChoice: Bool?

    /// Settings with the defaults: accuracy, every filter, mean removal, half of the images for
    /// validation with split seed 1, one engine thread.
    public init(model: String, data: String, metric: String = "accuracy", players: String = "all",
                removal: Removal = .mean) {
        self.model = model
        self.data = data
        self.metric = metric
        self.players = players
        self.removal = removal
        self.splitSeed = 1
        self.validationFraction = 0.5
        self.threads = 1
        self.microBatch = 16
    }

    /// Checks the numeric settings.
    public func validate() throws {
        guard validationFraction > 0, validationFraction < 1 else {
            throw NeuronShapleyError.invalidOption(name: "--validation-fraction", value: "\(validationFraction)",
                                                   expected: "a share strictly between 0 and 1, e.g. 0.5")
        }
        if let maxValidation, maxValidation < 1 {
            throw NeuronShapleyError.invalidOption(name: "--max-validation", value: "\(maxValidation)", expected: "at least 1 image")
        }
        guard threads >= 1 else {
            throw NeuronShapleyError.invalidOption(name: "--engine-threads", value: "\(threads)", expected: "at least 1")
        }
        guard microBatch >= 1 else {
            throw NeuronShapleyError.invalidOption(name: "--micro-batch", value: "\(microBatch)", expected: "at least 1")
        }
    }

    /// The sidecar path actually used.
    public var sidecarPath: String {
        sidecar ?? ((model as NSString).deletingPathExtension + ".json")
    }

    /// The settings as command-line arguments of the cluster commands (`--model ... --data ...`).
    public var arguments: [String] {
        var a = ["--model", model, "--data", data, "--metric", metric, "--players", players,
                 "--removal", removal.rawValue, "--split-seed", "\(splitSeed)",
                 "--validation-fraction", "\(validationFraction)", "--engine-threads", "\(threads)",
                 "--micro-batch", "\(microBatch)"]
        if let sidecar { a += ["--sidecar", sidecar] }
        if let labels { a += ["--labels", labels] }
        if let mapping { a += ["--mapping", mapping] }
        if let groups { a += ["--groups", groups] }
        if let targets { a += ["--targets", targets] }
        if let maxValidation { a += ["--max-validation", "\(maxValidation)"] }
        if let cacheDirectory { a += ["--cache-dir", cacheDirectory] }
        if !linearReadout { a.append("--no-linear-readout") }
        return a
    }

    /// These settings with every path made absolute against the working directory (for processes
    /// that may start elsewhere).
    public func absolutized() -> GameSettings {
        func abs(_ p: String?) -> String? { p.map(Self.absolutePath) }
        var s = self
        s.model = Self.absolutePath(model)
        s.data = Self.absolutePath(data)
        s.sidecar = abs(sidecar)
        s.labels = abs(labels)
        s.mapping = abs(mapping)
        s.groups = abs(groups)
        s.targets = abs(targets)
        s.cacheDirectory = abs(cacheDirectory)
        return s
    }

    /// `p` made absolute against the working directory (and standardized).
    public static func absolutePath(_ p: String) -> String {
        if p.hasPrefix("/") { return p }
        let cwd = FileManager.default.currentDirectoryPath
        return ((cwd as NSString).appendingPathComponent(p) as NSString).standardizingPath
    }
}
