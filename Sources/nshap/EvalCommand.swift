import ArgumentParser
import Dataset
import Engine
import Foundation

/// `nshap eval MODEL --data DIR [--remove UNITS]`: top-1 and top-5 accuracy of a model on labelled
/// images, optionally with filters removed.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Top-1 and top-5 accuracy of a model on labelled images, optionally with filters removed.",
        discussion: """
        Images are decoded and preprocessed as the model's sidecar (MODEL.json beside MODEL.onnx)
        prescribes. --data is a folder of class folders (named by WordNet ID, class name or index,
        else taken in sorted order), a single image, or a float32 .npy tensor [N, C, H, W] with
        integer labels in NAME.labels.npy. Files that cannot be decoded are skipped and counted.
        --remove takes unit addresses such as 'conv1:3,conv2:0-7,conv4' (see nshap layers); with
        the default removal 'mean', each removed channel is replaced by its mean over the
        evaluated images.
        """)

    @Argument(help: ArgumentHelp("The ONNX model.", valueName: "MODEL.onnx"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Images: a folder, an image file or an .npy tensor.", valueName: "DIR"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("Filters to remove, e.g. 'conv1:3,conv2:0-7'.", valueName: "UNITS"))
    var remove: String?

    @Option(name: .long, help: ArgumentHelp("How removed filters are replaced: mean, zero or bias.", valueName: "MODE"))
    var removal: String = "mean"

    @Option(name: .long, help: ArgumentHelp("The preprocessing sidecar (default: MODEL.json).", valueName: "FILE"))
    var sidecar: String?

    @Option(name: .long, help: ArgumentHelp("A class label file (index, wnid, name) replacing the sidecar's.", valueName: "FILE"))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp("A table mapping images or folders to classes.", valueName: "FILE"))
    var mapping: String?

    @Option(name: .long, help: "Threads for decoding and for the network.")
    var threads: Int = 2

    @Option(name: .long, help: "Images per micro-batch of the network.")
    var microBatch: Int = 16

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads \(threads): expected at least 1") }
        guard microBatch >= 1 else { throw ValidationError("--micro-batch \(microBatch): expected at least 1") }
        guard Removal(rawValue: removal) != nil else {
            throw ValidationError("--removal \(removal): expected one of \(Removal.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let network = try Model.load(path: model)
        let sidecarPath = sidecar ?? Sidecar.path(forModel: model)
        guard FileManager.default.fileExists(atPath: sidecarPath) else {
            throw ValidationError("no preprocessing sidecar at \(sidecarPath); write one (see efficientnet-lite0.json) or pass --sidecar")
        }
        let card = try Sidecar(contentsOf: sidecarPath)
        guard card.preprocessing.shape == network.itemShape else {
            throw ValidationError("the sidecar \(sidecarPath) yields inputs of shape \(card.preprocessing.shape) but the model takes \(network.itemShape)")
        }
        let classes = try labels.map { try ClassLabels(contentsOf: $0) } ?? card.classLabels()
        let table = try mapping.map { try ImageTable(contentsOf: $0) }
        let loader = ImageLoader(preprocessing: card.preprocessing, threads: threads, cache: nil)
        let images: LabeledImages
        var labelling = "tensor labels"
        if data.hasSuffix(".npy") {
            images = try loader.load(path: data)
        } else {
            let folder = try ImageFolder(path: data, classes: classes, mapping: table)
            labelling = table != nil ? "mapping table" : "class folders by \(folder.folderRule.rawValue)"
            images = try loader.load(folder)
        }
        guard let truth = images.labels else {
            throw ValidationError("the images in \(data) have no labels; use class folders, a --mapping table or NAME.labels.npy")
        }
        let loaded = clock.now

        let session = Session(model: network, threads: threads, microBatch: microBatch)
        let input = Tensor(shape: images.shape, floats: images.inputs)
        let units = try remove.map { try network.units(parsing: $0) } ?? []
        let mode = Removal(rawValue: removal) ?? .mean
        let logits: Tensor
        if units.isEmpty {
            logits = try session.run(input)
        } else {
            let means = mode == .mean ? try session.channelMeans(batches: [input], dataFingerprint: images.fingerprint) : nil
            let masked = try session.evaluate(images: input, masks: [Mask(removing: units)], removal: mode, means: means)
            logits = masked.reshaped(Array(masked.shape.dropFirst()))
        }
        let done = clock.now

        let classCount = network.outputItemShape.reduce(1, *)
        let values = logits.asFloats
        let report = EvalReport(
            model: model, data: data, images: images.count, skipped: images.skippedCount,
            fingerprint: images.fingerprint, labels: labelling, removed: units.map { network.address(of: $0).description },
            removal: units.isEmpty ? nil : mode.rawValue,
            top1: Logits.topKAccuracy(values, classes: classCount, labels: truth, k: 1),
            top5: Logits.topKAccuracy(values, classes: classCount, labels: truth, k: min(5, classCount)),
            loadSeconds: (loaded - start).seconds, forwardSeconds: (done - loaded).seconds)
        print(json ? try report.json() : report.text(skipped: images.skipped))
    }
}

/// What `nshap eval` measured.
struct EvalReport: Encodable {
    let model: String
    let data: String
    let images: Int
    let skipped: Int
    let fingerprint: String
    let labels: String
    let removed: [String]
    let removal: String?
    let top1: Double
    let top5: Double
    let loadSeconds: Double
    let forwardSeconds: Double

    /// The human-readable report.
    func text(skipped files: [LabeledImages.Skipped]) -> String {
        func percent(_ x: Double) -> String {
            String(format: "%.2f%% (%d/%d)", 100 * x, Int((x * Double(images)).rounded()), images)
        }
        var lines = ["model: \(model)",
                     "data: \(data): \(images) images, \(skipped) skipped, labels from \(labels), fingerprint \(fingerprint.prefix(16))"]
        for file in files.prefix(5) { lines.append("  skipped \(file.name): \(file.reason)") }
        if files.count > 5 { lines.append("  ... and \(files.count - 5) more") }
        if removed.isEmpty {
            lines.append("removed: none")
        } else {
            let shown = removed.prefix(8).joined(separator: ",") + (removed.count > 8 ? ",..." : "")
            lines.append("removed: \(removed.count) filters (\(removal ?? "")): \(shown)")
        }
        lines.append("top-1: \(percent(top1))")
        lines.append("top-5: \(percent(top5))")
        lines.append(String(format: "time: load %.2f s, network %.2f s", loadSeconds, forwardSeconds))
        return lines.joined(separator: "\n")
    }

    /// The report as JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

private extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
