import Dataset
import Engine
import Foundation
@testable import NeuronShapley
import ShapleyCore
import Testing

@Suite struct ReceptiveFieldTests {
    @Test func demoFieldsFollowTheConvolutionsAndThePool() throws {
        let model = try Model.load(path: Paths.demoModel)
        let fields = ReceptiveField.ofConvLayers(model)
        #expect(fields.allSatisfy { $0 != nil }, "every conv layer has a receptive field")
        #expect(fields.map { $0?.height.size } == [3, 5, 10, 14])
        #expect(fields.map { $0?.width.jump } == [1, 1, 2, 2])
        #expect(fields.map { $0?.height.start } == [0, 0, 0.5, 0.5])
        let conv4 = try #require(fields[3])
        // Centre 0.5 + 3 * 2 = 6.5, half-width 6.5: rows 0...13; at the corner, clipped to 0...7.
        #expect(conv4.crop(y: 3, x: 3, imageHeight: 16, imageWidth: 16) == (top: 0, left: 0, height: 14, width: 14))
        #expect(conv4.crop(y: 0, x: 7, imageHeight: 16, imageWidth: 16) == (top: 0, left: 8, height: 8, width: 8))
        let conv1 = try #require(fields[0])
        #expect(conv1.crop(y: 5, x: 9, imageHeight: 16, imageWidth: 16) == (top: 4, left: 8, height: 3, width: 3))
    }
}

@Suite struct ActivationProbeTests {
    @Test func probeAgreesWithAModelWhoseOutputIsTheLayer() throws {
        let model = try Model.load(path: Paths.demoModel)
        let players = Array(136..<232)  // conv4
        let cut = try ModelCut(model: model, players: players)
        var random = SplitMix64(seed: 9)
        let images = Tensor(shape: [3] + model.itemShape,
                            floats: (0..<(3 * model.itemShape.reduce(1, *))).map { _ in Float(random.next() % 2000) / 1000 - 1 })
        let frontier = try cut.frontier(images, session: nil)
        let summary = try ActivationProbe.run(cut: cut, players: players, frontier: frontier, tracked: [140, 200], threads: 2, chunk: 2)

        // The same activations as the only output of a truncated copy of the model.
        var proto = model.proto
        var graph = try #require(proto.graph)
        graph.output = [TensorType.valueInfo(name: "conv4_out", itemShape: [96, 8, 8])]
        proto.graph = graph
        let truncated = try Model(bytes: proto.serialized())
        let conv4 = try Session(model: truncated, threads: 1).run(images).asFloats
        for (p, unit) in players.enumerated() {
            let c = unit - 136
            var total = 0.0
            for i in 0..<3 { for j in 0..<64 { total += Double(abs(conv4[(i * 96 + c) * 64 + j])) } }
            #expect(abs(summary.meanMagnitude[p] - total / 192) < 1e-4)
        }
        let peaks = try #require(summary.peaks[200])
        #expect(peaks.count == 3 && summary.peaks.count == 2)
        for peak in peaks {
            let plane = Array(conv4[((peak.image * 96 + 64) * 64)..<((peak.image * 96 + 65) * 64)])
            #expect(peak.value == plane.max())
            #expect(plane[peak.y * 8 + peak.x] == peak.value)
        }
    }
}

@Suite struct AblationAndReportTests {
    @Test func rankingsAndCurvesMeasureWhatTheyClaim() throws {
        let data = try GameData.load(demoSettings(players: "conv4", maxValidation: 20))
        let evaluator = try MaskedEvaluator(data: data, players: data.players.units)
        let units = try evaluator.cut.suffixUnits(data.players.units)
        let test = try evaluator.prepare(data, indices: Array(data.test.prefix(60)), metric: .accuracy)
        let order = Ranking.byScore((0..<96).map { Double($0 % 7) }, name: "mod7", meaning: "test")
        #expect(order.players.prefix(3) == [6, 13, 20])
        // Equal scores go by the tie-break (largest first), then by index; NaN goes last.
        let tied = Ranking.byScore([1, 2, 2, .nan, 2], tieBreak: [0, 0.1, 0.5, 9, 0.1], name: "t", meaning: "t")
        #expect(tied.players == [2, 1, 4, 0, 3])
        let curves = try Ablation.run(evaluator: evaluator, playerUnits: units, rankings: [order], sizes: [2, 5, 500],
                                      randomSeeds: 3, metrics: [MeasuredMetric(name: "accuracy", metric: .accuracy, set: test)])
        #expect(curves.map(\.method) == ["mod7", "random"])
        let mod7 = curves[0], random = curves[1]
        #expect(mod7.sizes == [0, 2, 5])
        #expect(mod7.values[0] == test.fullValue)
        let direct = try evaluator.values(removing: [[units[6], units[13], units[20], units[27], units[34]]], on: test, metric: .accuracy)
        #expect(mod7.values[2] == direct[0])
        #expect(random.seeds == 3 && random.spread?.count == 3 && random.spread?[0] == 0)
        let csv = Ablation.csv(curves)
        #expect(csv.hasPrefix("metric,method,removed,value,spread,seeds\n"))
        #expect(csv.split(separator: "\n").count == 1 + 6)
        #expect(Ablation.chart(curves, metric: "accuracy", title: "t").contains("<polyline"))
    }

    /// The checks run with every core by default; their numbers must not depend on it.
    @Test func leaveOneOutIsTheSameWithMoreThreads() throws {
        let data = try GameData.load(demoSettings(players: "conv2:0-7,conv4:0-23", maxValidation: 20))
        let measured = try [1, 2].map { threads in
            let evaluator = try MaskedEvaluator(data: data, players: data.players.units, threads: threads)
            #expect(evaluator.session.threads == threads)
            let set = try evaluator.prepare(data, indices: data.validation, metric: data.metric)
            return try LeaveOneOut.measure(evaluator: evaluator, playerUnits: try evaluator.cut.suffixUnits(data.players.units),
                                           on: set, metric: data.metric)
        }
        #expect(measured[0].drops == measured[1].drops && measured[0].smoothDrops == measured[1].smoothDrops)
        #expect(measured[0].ranking.players == measured[1].ranking.players)
    }

    @Test func analysisWritesAReportOfEverything() throws {
        let data = try GameData.load(demoSettings(players: "conv3:0-15,conv4:0-15", maxValidation: 20))
        // A stand-in estimate: leave-one-out drops as values (the analysis only reads the report).
        let game = try NetworkGame(data: data)
        let full = game.validation.fullValue
        let single = try game.values(of: (0..<32).map { p in Coalition(playerCount: 32, members: (0..<32).filter { $0 != p }) })
        let estimates = single.enumerated().map { PlayerEstimate(player: $0.offset, value: full - $0.element, lower: -1, upper: 1, marginals: 1) }
        let report = EstimateReport(estimator: "test", players: estimates, topK: [], evaluations: 32, samples: 1,
                                    activePlayers: 0, finished: true)
        var options = AnalysisOptions()
        options.topK = 4
        options.patchFilters = 2
        options.patchesPerFilter = 3
        options.randomSeeds = 2
        options.ablationSizes = [1, 4]
        let results = try RunAnalysis(data: data, report: report, options: options).perform()
        #expect(results.rows.filter(\.inTopK).count == 4)
        #expect(results.rows.first?.address.hasPrefix("conv") == true)
        #expect(results.rankings.map(\.name) == ["shapley", "weight-norm", "activation", "leave-one-out"])
        // Leave-one-out: the drops are the stand-in values; the ranking follows them, and orders
        // the many ties (20 images) by the drop of the true class's log-probability.
        let loo = try LeaveOneOut.measure(evaluator: game.evaluator, playerUnits: try game.evaluator.cut.suffixUnits(data.players.units),
                                          on: game.validation, metric: data.metric)
        #expect(loo.full.value == full)
        #expect(zip(loo.drops, single).allSatisfy { abs($0 - (full - $1)) < 1e-9 })
        #expect(results.rankings[3].players == loo.ranking.players)
        let order = loo.ranking.players
        #expect(zip(order, order.dropFirst()).allSatisfy { a, b in
            loo.drops[a] > loo.drops[b] || (loo.drops[a] == loo.drops[b] && loo.smoothDrops[a] >= loo.smoothDrops[b])
        })
        let ties = loo.ties
        #expect(ties.distinct < 32 && ties.zero == loo.drops.filter { $0 == 0 }.count && Set(loo.smoothDrops).count > ties.distinct)
        #expect(results.notes.contains { $0.hasPrefix("leave-one-out: the 32 filters' drops of accuracy take \(ties.distinct) distinct values (\(ties.zero) filters drop nothing)") })
        #expect(results.patches.count == 2 && results.patches.allSatisfy { $0.patches.count == 3 })
        let directory = Paths.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let info = RunInfo(command: "nshap run test", runID: "r", estimator: "test", estimatorOptions: [:], seed: 1, finished: true,
                           status: "finished", evaluations: 32, samples: 1, localWorkers: 0, endpoint: nil, estimationSeconds: 1,
                           analysisSeconds: 1, clusterDirectory: directory + "/cluster")
        try RunOutput.write(to: directory, data: data, report: report, info: info, results: results, options: options,
                            cut: game.evaluator.cut)
        for file in ["report.md", "values.csv", "values.json", "layers.csv", "layers.svg", "ablation.csv", "ablation.svg",
                     "baselines.csv", "settings.json", "run.json", "patches/sheet.png"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "\(file) is written")
        }
        // baselines.csv: one line per player in game order, with the scores the rankings ordered by.
        let baselines = try String(contentsOfFile: directory + "/baselines.csv", encoding: .utf8).split(separator: "\n")
        #expect(baselines.first == "player,address,weight-norm,weight-norm-rank,activation,activation-rank,leave-one-out,leave-one-out-tie-break,leave-one-out-rank")
        #expect(baselines.count == 33)
        let firstLOO = try #require(loo.ranking.players.first)
        let cells = baselines[firstLOO + 1].split(separator: ",").map(String.init)
        #expect(cells[0] == "\(firstLOO)" && cells[1] == data.players.addresses(in: data.model)[firstLOO] && cells[8] == "1")
        #expect(abs((Double(cells[6]) ?? .nan) - loo.drops[firstLOO]) < 1e-5)
        let md = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(md.contains("## Top 4 filters") && md.contains("## Removing filters on held-out images"))
        #expect(md.contains("| split | seed 1"))
        #expect(md.contains("| prefix cache | the network up to `"))
        // Players in the first layer leave no prefix to cache, and the report says so.
        let uncached = RunReport.markdown(data: data, info: info, results: results, cutValue: nil, suffixLayers: 4, options: options)
        #expect(uncached.contains("| prefix cache | none: the players include the model's first layers, so each evaluation runs the whole network (4 conv layers) |"))
        let rows = try RunOutput.values(in: directory)
        #expect(rows.count == 32 && rows[0].rank == 1)
        #expect(try RunOutput.settings(in: directory).analysis.topK == 4)
        let png = try #require(FileManager.default.contents(atPath: directory + "/" + "patches/" + RunReport.patchFile(results.rows[0])))
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])

        // The report says how the estimator stopped: by its rule, or with players left unresolved.
        func ending(_ active: Int?) -> String {
            var stopped = info
            stopped.activePlayers = active
            return RunReport.markdown(data: data, info: stopped, results: results, cutValue: "x", suffixLayers: 1, options: options)
        }
        #expect(ending(0).contains("stopping rule met"))
        #expect(ending(7).contains("with 7 players still unresolved (not by its stopping rule)"))
        #expect(!ending(7).contains("stopping rule met"))
    }
}

@Suite struct PruneTests {
    @Test func prunedModelComputesTheMaskedNetwork() throws {
        let data = try GameData.load(demoSettings(maxValidation: 30))
        let means = try Pruner.means(for: data)
        let units = [0, 5, 30, 31, 100, 200]
        for removal in Removal.allCases {
            let bytes = try Pruner.prune(data.model, units: units, removal: removal, means: removal == .mean ? means : nil)
            let pruned = try Model(bytes: bytes)
            #expect(pruned.unitCount == data.model.unitCount)
            let part = data.images.subset(Array(data.test.prefix(12)))
            let (masked, direct) = try Pruner.compare(original: data.model, pruned: pruned, units: units, removal: removal,
                                                      means: removal == .mean ? means : nil,
                                                      images: Tensor(shape: part.shape, floats: part.inputs))
            #expect(masked.maxAbsDifference(direct) < 1e-4, "\(removal)")
            let unpruned = try Session(model: data.model, threads: 2).run(Tensor(shape: part.shape, floats: part.inputs))
            #expect(unpruned.maxAbsDifference(direct) > 1e-3, "\(removal): removing six filters changes the logits")
        }
    }

    @Test func onnxRuntimeAgreesWhenInstalled() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import onnx, onnxruntime, numpy"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            print("skipped: python3 with onnx and onnxruntime is not installed")
            return
        }
        let data = try GameData.load(demoSettings(maxValidation: 30))
        let means = try Pruner.means(for: data)
        let units = [3, 40, 41, 150]
        let directory = Paths.temporaryDirectory("ort")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = try Pruner.prune(data.model, units: units, removal: .mean, means: means)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/pruned.onnx"))
        let part = data.images.subset(Array(data.test.prefix(8)))
        let images = Tensor(shape: part.shape, floats: part.inputs)
        let (masked, _) = try Pruner.compare(original: data.model, pruned: try Model(bytes: bytes), units: units, removal: .mean,
                                             means: means, images: images)
        try NPY.write(images, to: directory + "/input.npy")
        try NPY.write(masked, to: directory + "/masked.npy")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", Paths.root + "/tools/check_pruned.py", directory + "/pruned.onnx", directory, "--tolerance", "1e-3"]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "ONNX Runtime's logits of the pruned model match the engine's masked run")
    }
}

@Suite struct DemoBundleTests {
    @Test func embeddedFilesAreTheCommittedDemo() throws {
        let files = try DemoBundle.files()
        #expect(files.count == DemoArchive.fileCount)
        for (path, bytes) in files {
            let committed = FileManager.default.contents(atPath: Paths.demo + "/" + path).map { [UInt8]($0) }
            #expect(committed == bytes, "\(path) differs from Resources/demo; run tools/demo/embed_demo.py")
        }
        #expect(files.contains { $0.path == "digits-cnn.onnx" } && files.filter { $0.path.hasPrefix("images/") }.count == 450)
    }

    @Test func unpacksOnceIntoAUsableDirectory() throws {
        let base = Paths.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(atPath: base) }
        try DemoBundle.unpack(into: base + "/demo")
        let location = DemoBundle.Location(directory: base + "/demo")
        let model = try Model.load(path: location.model)
        #expect(model.unitCount == 232)
        #expect(FileManager.default.fileExists(atPath: location.sidecar))
        // A second unpack into the same place finds it done.
        try DemoBundle.unpack(into: base + "/demo")
        #expect((try FileManager.default.contentsOfDirectory(atPath: base)).count == 1)
    }
}
