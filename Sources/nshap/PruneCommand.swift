import ArgumentParser
import Dataset
import Engine
import Foundation
import NeuronShapley

/// `nshap prune`: write a model with filters removed.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Write an ONNX model with filters removed (their weights zeroed, their output fixed to the removal constant).",
        discussion: """
        --top K RUN_DIR removes the K filters with the largest Shapley values of a run of 'nshap run', with that run's removal mode (for 'mean', the means are recomputed on the run's validation images). --remove takes unit addresses such as 'conv1:3,conv2:0-7' (see nshap layers); mean removal then needs --data (the images whose channel means replace the removed filters; the first --validation-fraction of them by the split seed, as in 'nshap run'), or use --removal zero or bias.

        The written model computes what the engine computes with the same filters masked; the command checks this on up to 16 images when images are at hand, and prints the largest difference of the logits.
        """)

    @Argument(help: ArgumentHelp("The ONNX model to prune.", valueName: "MODEL.onnx"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Filters to remove, e.g. 'conv1:3,conv2:0-7'.", valueName: "UNITS"))
    var remove: String?

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Remove the top K filters of a run: K RUN_DIR.", valueName: "K RUN_DIR"))
    var top: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("The pruned model to write.", valueName: "OUT.onnx"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("With --remove: mean, zero or bias (default mean).", valueName: "MODE"))
    var removal: String?

    @Option(name: .long, help: ArgumentHelp("With --remove and mean removal: the images whose channel means replace removed filters.", valueName: "DIR"))
    var data: String?

    @Option(name: .customLong("validation-fraction"), help: ArgumentHelp("With --data: the share of the images the means are taken over.", valueName: "F"))
    var validationFraction: Double = 0.5

    @Option(name: .customLong("split-seed"), help: ArgumentHelp("With --data: the split seed.", valueName: "SEED"))
    var splitSeed: UInt64 = 1

    @Option(name: .customLong("check-dir"), help: ArgumentHelp("Write the check's images (input.npy) and the masked network's logits (masked.npy) here, for ONNX Runtime (tools/check_pruned.py).", valueName: "DIR"))
    var checkDirectory: String?

    func validate() throws {
        guard (remove == nil) != top.isEmpty else { throw ValidationError("give either --remove UNITS or --top K RUN_DIR") }
        if !top.isEmpty {
            guard top.count == 2, let k = Int(top[0]), k >= 1 else { throw ValidationError("--top \(top.joined(separator: " ")): expected K RUN_DIR, e.g. --top 10 runs/my-run") }
            _ = k
            if removal != nil || data != nil { throw ValidationError("--top uses the run's removal mode and images; leave out --removal and --data") }
        }
        if checkDirectory != nil && top.isEmpty && data == nil {
            throw ValidationError("--check-dir needs images: give --data DIR (or use --top K RUN_DIR)")
        }
        if let removal, Removal(rawValue: removal) == nil {
            throw ValidationError("--removal \(removal): expected one of \(Removal.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let network = try Model.load(path: model)
        var units: [Int]
        var mode: Removal
        var data: GameData?
        if top.count == 2, let k = Int(top[0]) {
            let directory = top[1]
            let saved = try RunOutput.settings(in: directory)
            let rows = try RunOutput.values(in: directory)
            guard rows.count >= k else { throw ValidationError("--top \(k): the run in \(directory) has only \(rows.count) players") }
            units = rows.prefix(k).map(\.unit)
            for row in rows.prefix(k) {
                guard row.unit < network.unitCount, network.address(of: network.unit(index: row.unit)).description == row.address else {
                    throw ValidationError("\(model) is not the model of the run in \(directory): it has no filter \(row.address) at unit \(row.unit)")
                }
            }
            mode = saved.game.removal
            var settings = saved.game
            settings.model = model
            settings.cacheDirectory = nil
            settings.metric = "accuracy"
            settings.groups = nil
            settings.targets = nil
            data = try GameData.load(settings)
        } else {
            units = try network.units(parsing: remove ?? "").map(\.index)
            mode = Removal(rawValue: removal ?? "mean") ?? .mean
            if let dir = self.data {
                var settings = GameSettings(model: model, data: dir)
                settings.validationFraction = validationFraction
                settings.splitSeed = splitSeed
                data = try GameData.load(settings)
            } else if mode == .mean {
                throw ValidationError("mean removal needs the images whose channel means replace the removed filters: add --data DIR, or use --removal zero or bias")
            }
        }
        let means = try mode == .mean ? data.map { try Pruner.means(for: $0) } : nil
        let bytes = try Pruner.prune(network, units: units, removal: mode, means: means)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw ValidationError("-o \(output): cannot write the model: \(error.localizedDescription)")
        }
        let pruned = try Model(bytes: bytes)
        let names = units.map { network.address(of: network.unit(index: $0)).description }
        print("wrote \(output): \(units.count) filters removed (\(mode.rawValue)): \(names.prefix(10).joined(separator: ","))\(names.count > 10 ? ",..." : "")")
        if let data {
            let indices = Array(data.test.prefix(16)).isEmpty ? Array(data.validation.prefix(16)) : Array(data.test.prefix(16))
            let part = data.images.subset(indices)
            let images = Tensor(shape: part.shape, floats: part.inputs)
            let (masked, direct) = try Pruner.compare(original: network, pruned: pruned, units: units, removal: mode,
                                                      means: means, images: images)
            print("check: on \(indices.count) images the pruned model's logits differ from the masked network's by at most \(masked.maxAbsDifference(direct))")
            if let dir = checkDirectory {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try NPY.write(images, to: dir + "/input.npy")
                try NPY.write(masked, to: dir + "/masked.npy")
                print("wrote \(dir)/input.npy and \(dir)/masked.npy")
            }
        }
    }
}
