public import Dataset
public import Engine
import Foundation

/// A network game's inputs, loaded and checked: the model, the images with their side information,
/// the metric, the players, and the validation/test split. Loading decodes every image, so the
/// coordinator (which needs the fingerprints) and each worker (which needs the images) load once.
public struct GameData: Sendable {
    /// The settings the data were loaded from.
    public private(set) var settings: GameSettings
    /// The model.
    public let model: Model
    /// The preprocessing and output description.
    public let sidecar: Sidecar
    /// The class names, when known.
    public let classes: ClassLabels?
    /// Every image, with labels, groups and targets as given.
    public let images: LabeledImages
    /// The metric.
    public let metric: Metric
    /// The players.
    public let players: PlayerSelection
    /// Indices (into `images`) of the validation part, where values are computed.
    public let validation: [Int]
    /// Indices (into `images`) of the test part, where values are checked.
    public let test: [Int]
    /// The number of classes the model outputs.
    public let classCount: Int
    /// Identifies the model and the game played on it (players, removal).
    public let modelFingerprint: String
    /// Identifies the validation images and their side information.
    public let dataFingerprint: String

    /// The same data for a game evaluated with or without the pooled affine readout: the choice
    /// changes nothing loaded, so nothing is loaded again.
    public func with(linearReadout: Bool) -> GameData {
        var copy = self
        copy.settings.linearReadout = linearReadout
        return copy
    }

    /// The metric's chance level for this model.
    public var chanceLevel: Double? { metric.chanceLevel(classes: classCount) }

    /// Loads and checks everything `settings` name.
    public static func load(_ settings: GameSettings) throws -> GameData {
        try settings.validate()
        let model = try Model.load(path: settings.model)
        let sidecarPath = settings.sidecarPath
        guard FileManager.default.fileExists(atPath: sidecarPath) else {
            throw NeuronShapleyError.file(path: sidecarPath, reason: "no preprocessing sidecar here; write one beside the model (MODEL.json) or pass --sidecar")
        }
        let sidecar = try Sidecar(contentsOf: sidecarPath)
        guard sidecar.preprocessing.shape == model.itemShape else {
            throw NeuronShapleyError.unsupportedModel(
                reason: "the sidecar \(sidecarPath) yields inputs of shape \(sidecar.preprocessing.shape) but the model takes \(model.itemShape)")
        }
        let classes = try settings.labels.map { try ClassLabels(contentsOf: $0) } ?? sidecar.classLabels()
        let table = try settings.mapping.map { try ImageTable(contentsOf: $0) }
        let loader = ImageLoader(preprocessing: sidecar.preprocessing, threads: max(2, settings.threads))
        var images = try loader.load(path: settings.data, classes: classes, mapping: table)
        if let groups = settings.groups { try images.assignGroups(try ImageTable(contentsOf: groups)) }
        if let targets = settings.targets { try images.assignTargets(try ImageTable(contentsOf: targets), classes: classes) }
        let classCount = model.outputItemShape.reduce(1, *)
        let metric = try Metric(parsing: settings.metric, classes: classes)
        let players = try PlayerSelection(parsing: settings.players, model: model)
        try metric.validate(classes: classCount)
        let (validation, test) = Self.split(images, settings: settings, metric: metric)
        if case .classAccuracy(let c) = metric, !validation.contains(where: { images.labels?[$0] == c }) {
            let name = classes.flatMap { c < $0.count ? " (\($0.names[c]))" : nil } ?? ""
            throw NeuronShapleyError.unusableData(
                reason: "metric '\(settings.metric)': the validation part of \(settings.data) has no image of class \(c)\(name) (\(images.count) images, --validation-fraction \(settings.validationFraction)); give images of that class or choose a class the data has")
        }
        guard !validation.isEmpty else {
            throw NeuronShapleyError.unusableData(reason: "the validation part of \(settings.data) is empty (\(images.count) images, --validation-fraction \(settings.validationFraction)); give more images or a larger fraction")
        }
        let part = images.subset(validation)
        try metric.validate(MetricContext(images: part, reference: Array(repeating: 0, count: part.count)),
                            count: part.count, classes: classCount)

        var modelDigest = Digest()
        modelDigest.add(model.fingerprint)
        modelDigest.add(sidecar.preprocessing.key)
        modelDigest.add(players.units.map(String.init).joined(separator: ","))
        var dataDigest = Digest()
        dataDigest.add(images.fingerprint)
        dataDigest.add(validation.map { images.names[$0] }.joined(separator: "\n"))
        dataDigest.add(part.labels.map { $0.map(String.init).joined(separator: ",") } ?? "-")
        dataDigest.add(part.groups.map { $0.map { $0 ?? "-" }.joined(separator: ",") } ?? "-")
        dataDigest.add(part.targets.map { $0.map(String.init).joined(separator: ",") } ?? "-")
        return GameData(
            settings: settings, model: model, sidecar: sidecar, classes: classes, images: images, metric: metric,
            players: players, validation: validation, test: test, classCount: classCount,
            modelFingerprint: "\(model.fingerprint.prefix(16))/\(players.count)p/\(settings.removal.rawValue)/\(modelDigest.hex)",
            dataFingerprint: "\(images.fingerprint.prefix(16))/\(validation.count)v/\(dataDigest.hex)")
    }

    /// The validation and test indices for `settings`: a stratified split by `splitSeed`, the
    /// validation part capped by `maxValidation`, and for a class metric each part reduced to the
    /// class's images plus as many others.
    static func split(_ images: LabeledImages, settings: GameSettings, metric: Metric) -> (validation: [Int], test: [Int]) {
        let split = Split(count: images.count, labels: images.labels, validationFraction: settings.validationFraction,
                          seed: settings.splitSeed)
        var validation = split.validation, test = split.test
        if let cap = settings.maxValidation, cap < validation.count {
            let labels = images.labels.map { l in validation.map { l[$0] } }
            let sub = Split(count: validation.count, labels: labels,
                            validationFraction: (Double(cap) + 0.5) / Double(validation.count), seed: settings.splitSeed &+ 1)
            validation = sub.validation.map { validation[$0] }
        }
        if case .classAccuracy(let c) = metric {
            validation = images.subset(validation).classBalancedIndices(target: c, seed: settings.splitSeed).map { validation[$0] }
            test = images.subset(test).classBalancedIndices(target: c, seed: settings.splitSeed).map { test[$0] }
        }
        return (validation, test)
    }
}

/// A 64-bit FNV-1a digest of strings, for fingerprints that tell settings apart (not a
/// cryptographic hash: the model and image bytes are identified by their SHA-256 elsewhere).
struct Digest {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Adds `text` and a separator.
    mutating func add(_ text: String) {
        for b in text.utf8 { state = (state ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = (state ^ 0xff) &* 0x100_0000_01b3
    }

    /// The digest as 16 hex digits.
    var hex: String {
        let s = String(state, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
