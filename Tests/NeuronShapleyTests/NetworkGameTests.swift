import Dataset
import Engine
import Foundation
import NeuronShapley
import ShapleyCore
import Testing

@Suite struct PlayerSelectionTests {
    let model: Model

    init() throws { model = try Model.load(path: Paths.demoModel) }

    @Test func selectsLayersGlobsRangesAndUnits() throws {
        #expect(try PlayerSelection(parsing: "all", model: model).count == 232)
        #expect(try PlayerSelection(parsing: "", model: model).count == 232)
        #expect(try PlayerSelection(parsing: "conv4", model: model).units == Array(136..<232))
        #expect(try PlayerSelection(parsing: "conv?", model: model).count == 232)
        #expect(try PlayerSelection(parsing: "2-3", model: model).units == Array(72..<232))
        #expect(try PlayerSelection(parsing: "0", model: model).units == Array(0..<24))
        let mixed = try PlayerSelection(parsing: "conv1:0-3, conv4:95, conv1:2", model: model)
        #expect(mixed.units == [0, 1, 2, 3, 231])
        #expect(mixed.player(ofUnit: 231) == 4)
        #expect(mixed.player(ofUnit: 100) == nil)
        #expect(mixed.layers(of: model) == [0, 3])
        #expect(mixed.addresses(in: model) == ["conv1:0", "conv1:1", "conv1:2", "conv1:3", "conv4:95"])
    }

    @Test func rejectsWhatNamesNothing() {
        #expect(throws: NeuronShapleyError.self) { try PlayerSelection(parsing: "conv9", model: model) }
        #expect(throws: NeuronShapleyError.self) { try PlayerSelection(parsing: "dense*", model: model) }
        #expect(throws: NeuronShapleyError.self) { try PlayerSelection(parsing: "3-7", model: model) }
        #expect(throws: NeuronShapleyError.self) { try PlayerSelection(parsing: "conv1:99", model: model) }
    }
}

@Suite struct ModelCutTests {
    /// Logits of the full model with `units` removed, and of the cut's suffix on the frontier.
    func compare(model: Model, players: [Int], removed: [Int], images: Tensor) throws -> (Tensor, Tensor, ModelCut) {
        let cut = try ModelCut(model: model, players: players)
        let full = Session(model: model, threads: 2)
        let expected = try full.evaluate(images: images, masks: [Mask(removing: removed)], removal: .zero)
        let frontier = try cut.frontier(images, session: nil)
        let suffix = Session(model: cut.suffix, threads: 2)
        let got = try suffix.evaluate(images: frontier, masks: [Mask(removing: try cut.suffixUnits(removed))], removal: .zero)
        return (expected, got, cut)
    }

    @Test func demoCutBeforeLateLayersComputesTheSameLogits() throws {
        let model = try Model.load(path: Paths.demoModel)
        var random = SplitMix64(seed: 3)
        let images = Tensor(shape: [5] + model.itemShape,
                            floats: (0..<(5 * model.itemShape.reduce(1, *))).map { _ in Float(random.next() % 2000) / 1000 - 1 })
        let (expected, got, cut) = try compare(model: model, players: Array(72..<232), removed: [72, 80, 150, 200], images: images)
        #expect(cut.prefix != nil)
        #expect(cut.suffix.convLayers.map(\.name) == ["conv3", "conv4"])
        #expect(cut.suffixUnit[72] == 0 && cut.suffixUnit[231] == 159 && cut.suffixUnit[0] == nil)
        #expect(expected.shape == got.shape)
        #expect(expected.maxAbsDifference(got) < 1e-4)
        #expect(throws: NeuronShapleyError.self) { try cut.suffixUnits([3]) }
    }

    @Test func cutAtTheFirstLayerKeepsTheWholeModel() throws {
        let model = try Model.load(path: Paths.demoModel)
        let cut = try ModelCut(model: model, players: [0, 100])
        #expect(cut.prefix == nil)
        #expect(cut.suffix.unitCount == model.unitCount)
        #expect(cut.cutValue == model.inputName)
    }

    @Test(arguments: ["resnetish", "mobilenetish", "inceptionish", "denseish"])
    func fixtureCutsAgreeWithTheFullModel(name: String) throws {
        let path = Paths.fixtures + "/\(name).onnx"
        try #require(FileManager.default.fileExists(atPath: path), "fixture \(path) is missing")
        let model = try Model.load(path: path)
        let last = model.convLayers.count - 1
        let players = Array(model.convLayers[max(0, last - 1)].firstUnit..<model.unitCount)
        var random = SplitMix64(seed: 11)
        let images = Tensor(shape: [2] + model.itemShape,
                            floats: (0..<(2 * model.itemShape.reduce(1, *))).map { _ in Float(random.next() % 2000) / 1000 - 1 })
        let removed = [players[0], players[players.count - 1]]
        let (expected, got, cut) = try compare(model: model, players: players, removed: removed, images: images)
        #expect(cut.suffix.unitCount <= model.unitCount)
        #expect(expected.maxAbsDifference(got) < 1e-3, "\(name): cut at \(cut.cutValue)")
    }
}

@Suite struct NetworkGameTests {
    @Test func valuesMatchTheEngineOnTheFullModel() throws {
        let data = try GameData.load(demoSettings(players: "conv3,conv4"))
        let game = try NetworkGame(data: data)
        #expect(game.playerCount == 160)
        #expect(game.chanceLevel == 0.1)
        #expect(data.validation.count == 40)
        #expect(Set(data.validation).isDisjoint(with: data.test))
        #expect(data.validation.count + data.test.count < data.images.count)

        // The same coalitions through the engine on the whole model.
        let full = Coalition(full: 160)
        var half = Coalition(full: 160)
        for p in stride(from: 0, to: 160, by: 2) { half.toggle(p) }
        let values = try game.values(of: [full, half, Coalition(empty: 160)])
        let session = Session(model: data.model, threads: 2)
        let part = data.images.subset(data.validation)
        let images = Tensor(shape: part.shape, floats: part.inputs)
        let means = try session.channelMeans(batches: [images])
        let removedHalf = stride(from: 0, to: 160, by: 2).map { data.players.units[$0] }
        let logits = try session.evaluate(images: images, masks: [.none, Mask(removing: removedHalf), Mask(removing: data.players.units)],
                                          removal: .mean, means: means).asFloats
        let per = part.count * 10
        let context = MetricContext(images: part)
        for m in 0..<3 {
            let expected = Metric.accuracy.value(logits: Array(logits[(m * per)..<((m + 1) * per)]), classes: 10, context: context)
            #expect(abs(values[m] - expected) < 1e-9, "coalition \(m): \(values[m]) vs \(expected)")
        }
        #expect(values[0] > 0.9)
        #expect(values[2] < values[0])
        #expect(abs(values[0] - game.validation.fullValue) < 1e-12)
    }

    @Test func fingerprintsTellGamesApart() throws {
        let a = try GameData.load(demoSettings(players: "conv4"))
        let b = try GameData.load(demoSettings(players: "conv4"))
        let c = try GameData.load(demoSettings(players: "conv3"))
        var zero = demoSettings(players: "conv4")
        zero.removal = .zero
        let d = try GameData.load(zero)
        let e = try GameData.load(demoSettings(players: "conv4", maxValidation: 30))
        #expect(a.modelFingerprint == b.modelFingerprint && a.dataFingerprint == b.dataFingerprint)
        #expect(a.modelFingerprint != c.modelFingerprint)
        #expect(a.modelFingerprint != d.modelFingerprint)
        #expect(a.dataFingerprint != e.dataFingerprint)
    }

    @Test func classMetricUsesABalancedSubset() throws {
        let data = try GameData.load(demoSettings(metric: "class:3", players: "conv4", maxValidation: 100))
        let labels = try #require(data.images.labels)
        let own = data.validation.filter { labels[$0] == 3 }.count
        #expect(own > 0 && data.validation.count == 2 * own)
        #expect(data.chanceLevel == 0.5)
    }

    @Test func classMetricNamesAClassTheModelAndDataHave() throws {
        let outside = #expect(throws: (any Error).self) { try GameData.load(demoSettings(metric: "class:99")) }
        #expect("\(outside.map { "\($0)" } ?? "")".contains("class 99 is outside the model's 10 classes; give a class index from 0 to 9"))
        // Data holding only the digits 0 and 1.
        let dir = Paths.temporaryDirectory("two-classes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for digit in ["0", "1"] {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + digit, withDestinationPath: Paths.demoImages + "/" + digit)
        }
        var settings = demoSettings(metric: "class:3")
        settings.data = dir
        let missing = #expect(throws: NeuronShapleyError.self) { try GameData.load(settings) }
        #expect("\(missing.map { "\($0)" } ?? "")".contains("has no image of class 3"))
        settings.metric = "class:1"
        #expect(try GameData.load(settings).validation.isEmpty == false)
    }

    @Test func exactValuesOfEightFiltersAddUpToTheirJointEffect() throws {
        let game = try NetworkGame(data: try GameData.load(demoSettings(players: "conv4:0-7", maxValidation: 30)))
        #expect(game.playerCount == 8)
        var estimator = try EstimatorRegistry.make("exact", playerCount: 8, chanceLevel: game.chanceLevel,
                                                   options: EstimatorOptions(seed: 1))
        let report = try LocalRun.run(&estimator, game: game)
        let total = report.players.map(\.value).reduce(0, +)
        let joint = try game.fullValue() - game.emptyValue()
        #expect(abs(total - joint) < 1e-9, "efficiency: the values sum to v(N) - v(empty) = \(joint), got \(total)")
        #expect(report.players.contains { $0.value != 0 }, "some of the 8 filters matter")
    }
}
