import Foundation
import Testing
@testable import Engine

/// Masked evaluation against the reference interpreter, prefix caching against evaluating each
/// mask on its own, channel means against a naive computation, and pruned models against masks.
@Suite struct MaskTests {
    /// Random masks over a model's units: a few units from one to three layers.
    static func masks(_ model: Model, count: Int, seed: UInt64) -> [Mask] {
        var rng = TestRandom(state: seed)
        return (0..<count).map { _ in
            var removed: [Int] = []
            for _ in 0..<rng.int(1..<4) {
                let layer = model.convLayers[rng.int(0..<model.convLayers.count)]
                for _ in 0..<rng.int(1..<(layer.channels + 1)) { removed.append(layer.firstUnit + rng.int(0..<layer.channels)) }
            }
            return Mask(removing: removed)
        }
    }

    /// Fixture `name`, its first two inputs, a two-thread session and the inputs' channel means.
    static func fixture(_ name: String) throws -> (Model, Tensor, Session, ChannelMeans) {
        let model = try Model.load(path: Paths.fixture(name))
        let input = try NPY.read(path: Paths.fixtures + "/\(name).input.npy").slice(0..<2)
        let session = Session(model: model, threads: 2, microBatch: 3)
        return (model, input, session, try session.channelMeans(batches: [input]))
    }

    @Test(arguments: Paths.fixtureNames)
    func maskedEvaluationMatchesReference(name: String) throws {
        let (model, input, session, means) = try MaskTests.fixture(name)
        let masks = [Mask.none] + MaskTests.masks(model, count: 4, seed: 7)
        for removal in [Removal.zero, .mean] {
            let out = try session.evaluate(images: input, masks: masks, removal: removal, means: means)
            #expect(out.shape == [masks.count, 2, 10])
            let classes = 10
            for (k, mask) in masks.enumerated() {
                let expected = try ReferenceInterpreter.run(model, input: input, mask: mask, removal: removal, means: means)[0]
                let got = Tensor(shape: [2, classes], floats: Array(out.asFloats[(k * 2 * classes)..<((k + 1) * 2 * classes)]))
                #expect(got.maxAbsDifference(expected) < 1e-4, "\(name) \(removal) mask \(k): \(mask.removed)")
            }
        }
    }

    @Test func removingUnitsChangesTheOutput() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let input = try NPY.read(path: Paths.fixtures + "/resnetish.input.npy")
        let session = Session(model: model, threads: 1)
        let layer = try model.layer(named: "l2.c2")
        let all = Mask(removing: layer.units)
        let out = try session.evaluate(images: input, masks: [.none, all], removal: .zero)
        let full = Array(out.asFloats[0..<40]), ablated = Array(out.asFloats[40..<80])
        #expect(full != ablated)
        let plain = try session.run(input)
        #expect(Tensor(shape: [4, 10], floats: full).maxAbsDifference(plain) < 1e-5)
    }

    /// A base coalition and the same coalition with one unit toggled, as the adaptive estimator
    /// values them: the removals they share run once per image in the prefix, and the result is the
    /// reference interpreter's for every mask (branches, squeeze-excite and concatenations included).
    @Test(arguments: Paths.fixtureNames)
    func masksSharingABaseMatchReference(name: String) throws {
        let (model, input, session, means) = try MaskTests.fixture(name)
        var rng = TestRandom(state: 23)
        let base = (0..<model.unitCount).filter { _ in rng.int(0..<3) == 0 }
        // Toggles in the later half of the layers, in unit order, so that the prefix holds shared removals.
        let lateUnits = model.convLayers[(model.convLayers.count / 2)...].flatMap { Array($0.units) }
        let toggled = (0..<5).map { _ in lateUnits[rng.int(0..<lateUnits.count)] }.sorted()
        let masks = [Mask(removing: base)] + toggled.map { u in
            Mask(removing: base.contains(u) ? base.filter { $0 != u } : base + [u])
        }
        let differing = Session.differingLayers(masks, model: model)
        #expect(differing == Set(toggled.map { model.unit(index: $0).layer }))
        let cut = GraphCut(model: model, specialization: try model.specialization(batch: 1), maskedLayers: differing)
        #expect(!cut.prefix.isEmpty, "\(name): the shared removals before the first toggle run in the prefix")
        let out = try session.evaluate(images: input, masks: masks, removal: .mean, means: means)
        let whole = try session.evaluate(images: input, masks: masks, removal: .mean, means: means, prefixCaching: false)
        #expect(out.maxAbsDifference(whole) < 1e-4, "\(name)")
        for (k, mask) in masks.enumerated() {
            let expected = try ReferenceInterpreter.run(model, input: input, mask: mask, removal: .mean, means: means)[0]
            let got = Tensor(shape: [2, 10], floats: Array(out.asFloats[(k * 20)..<((k + 1) * 20)]))
            #expect(got.maxAbsDifference(expected) < 1e-4, "\(name) mask \(k)")
        }
    }

    @Test func differingLayersAreThoseWhereMasksRemoveDifferentUnits() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let a = model.convLayers[1], b = model.convLayers[3]
        let base = [a.firstUnit, a.firstUnit + 1, b.firstUnit]
        #expect(Session.differingLayers([Mask(removing: base), Mask(removing: base)], model: model).isEmpty)
        #expect(Session.differingLayers([Mask(removing: base), Mask(removing: base + [b.firstUnit + 2])], model: model) == [3])
        // A layer one mask leaves whole differs too.
        #expect(Session.differingLayers([Mask(removing: base), Mask(removing: [b.firstUnit])], model: model) == [1])
        #expect(Session.differingLayers([.none, Mask(removing: base)], model: model) == [1, 3])
        #expect(Session.differingLayers([], model: model).isEmpty)
    }

    @Test func prefixCachingAgreesWithMasksEvaluatedAlone() throws {
        let model = try Model.load(path: Paths.fixture("mobilenetish"))
        let input = try NPY.read(path: Paths.fixtures + "/mobilenetish.input.npy")
        let session = Session(model: model, threads: 2, microBatch: 3)
        let masks = MaskTests.masks(model, count: 6, seed: 11)
        let together = try session.evaluate(images: input, masks: masks, removal: .bias)
        for (k, m) in masks.enumerated() {
            let alone = try session.evaluate(images: input, masks: [m], removal: .bias)
            let slice = Tensor(shape: [1, 4, 10], floats: Array(together.asFloats[(k * 40)..<((k + 1) * 40)]))
            #expect(slice.maxAbsDifference(alone) < 1e-5)
        }
    }

    @Test func cutKeepsBranchesThatBypassTheMaskedLayer() throws {
        // resnetish: l2.c2 is added to the shortcut l2.sc.0, which reads l1's output.
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let spec = try model.specialization(batch: 1)
        let layer = try model.layer(named: "l2.c2")
        let whole = GraphCut(model: model, specialization: spec, maskedLayers: [layer.index], splitting: false)
        let names = Set(whole.frontier.map { model.graph.valueNames[$0] })
        #expect(names.contains("/l2/Relu_output_0"))        // the masked conv's input
        #expect(names.contains("/l2/sc/sc.0/Conv_output_0")) // the shortcut, computed once
        let suffixOps = whole.suffix.map { model.graph.nodes[$0].info.name }
        #expect(suffixOps.first == "/l2/c2/Conv")
        #expect(!suffixOps.contains("/l2/sc/sc.0/Conv"))
        #expect(whole.split.isEmpty)
        let first = GraphCut(model: model, specialization: spec, maskedLayers: [0], splitting: false)
        #expect(first.prefix.isEmpty)
        #expect(first.frontier.map { model.graph.valueNames[$0] } == ["input"])
    }

    @Test func cutSplitsAMaskedLayerWhoseInputIsShared() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let spec = try model.specialization(batch: 1)
        let c2 = try model.layer(named: "l2.c2"), c1 = try model.layer(named: "l2.c1")
        let accumulator = try #require(spec.accumulators[c2.nodeIndex])
        let cut = GraphCut(model: model, specialization: spec, maskedLayers: [c2.index])
        // The product runs once per image; the suffix reads it and applies only the epilogue.
        #expect(cut.split == [c2.nodeIndex])
        #expect(cut.prefix.contains(c2.nodeIndex) && cut.suffix.first == c2.nodeIndex)
        #expect(cut.frontier.contains(accumulator))
        #expect(!cut.frontier.map { $0 < model.graph.valueNames.count ? model.graph.valueNames[$0] : "" }.contains("/l2/Relu_output_0"))
        #expect(cut.prefixParts == [c2.nodeIndex: .accumulation] && cut.suffixParts == [c2.nodeIndex: .epilogue])
        // A masked layer downstream of another runs whole: its input differs between masks.
        let both = GraphCut(model: model, specialization: spec, maskedLayers: [c1.index, c2.index])
        #expect(both.split == [c1.nodeIndex])
        let first = GraphCut(model: model, specialization: spec, maskedLayers: [0])
        #expect(first.prefix == [model.convLayers[0].nodeIndex])
        #expect(first.frontier == [spec.accumulators[model.convLayers[0].nodeIndex]])
    }

    @Test(arguments: Paths.fixtureNames)
    func splitLastLayerMatchesWholeEvaluation(name: String) throws {
        // Masks on the last conv layer only: its product is shared, its epilogue runs per mask.
        let (model, input, session, means) = try MaskTests.fixture(name)
        guard let last = model.convLayers.last else { return }
        var rng = TestRandom(state: 5)
        let masks = (0..<4).map { _ in Mask(removing: last.units.filter { _ in rng.int(0..<2) == 0 }) } + [.none]
        let split = try session.evaluate(images: input, masks: masks, removal: .mean, means: means)
        let whole = try session.evaluate(images: input, masks: masks, removal: .mean, means: means, prefixCaching: false)
        let cut = GraphCut(model: model, specialization: try model.specialization(batch: 1),
                           maskedLayers: Session.differingLayers(masks, model: model))
        #expect(cut.split == [last.nodeIndex], "\(name)")
        #expect(split.maxAbsDifference(whole) < 1e-5, "\(name)")
        // The masks matter: each output differs from the unmasked one.
        let per = split.asFloats.count / masks.count
        let unmasked = Array(split.asFloats[(4 * per)...])
        for k in 0..<4 {
            let out = Array(split.asFloats[(k * per)..<((k + 1) * per)])
            #expect(zip(out, unmasked).map { abs($0 - $1) }.max() ?? 0 > 1e-4, "\(name) mask \(k)")
        }
    }

    @Test(arguments: Paths.fixtureNames)
    func imageBatchesKeepOnlyWhatTheNextCallCanReuse(name: String) throws {
        // Calls alternate between two bases that differ before the toggled layer (so the kept
        // prefix of one must not serve the other) and repeat (so it must be reused); every result
        // equals the evaluation without a batch.
        let (model, input, session, means) = try MaskTests.fixture(name)
        guard model.convLayers.count >= 2, let last = model.convLayers.last else { return }
        let early = model.convLayers[0]
        var rng = TestRandom(state: 99)
        func call(base: [Int]) -> [Mask] {
            (0..<3).map { _ in Mask(removing: base + last.units.filter { _ in rng.int(0..<3) == 0 }) }
        }
        let bases = [[early.firstUnit], [early.firstUnit + 1, early.firstUnit + 2]]
        let batch = ImageBatch(input)
        let none = ImageBatch(input, cacheBytes: 0)
        for round in 0..<4 {
            let masks = call(base: bases[round % 2])
            let expected = try session.evaluate(images: input, masks: masks, removal: .mean, means: means)
            #expect(try session.evaluate(batch, masks: masks, removal: .mean, means: means).maxAbsDifference(expected) < 1e-6,
                    "\(name) round \(round)")
            #expect(try session.evaluate(none, masks: masks, removal: .mean, means: means).maxAbsDifference(expected) < 1e-6)
            #expect(batch.keptBytes > 0, "\(name)")
            #expect(none.keptBytes == 0)
        }
        // The same masks twice: the second call reads what the first kept.
        let masks = call(base: bases[0])
        let first = try session.evaluate(batch, masks: masks, removal: .mean, means: means)
        let kept = batch.keptBytes
        let second = try session.evaluate(batch, masks: masks, removal: .mean, means: means)
        #expect(first.asFloats == second.asFloats && batch.keptBytes == kept)
    }

    @Test func channelMeansMatchANaiveComputationAndAreCached() throws {
        let model = try Model.load(path: Paths.fixture("mobilenetish"))
        let input = try NPY.read(path: Paths.fixtures + "/mobilenetish.input.npy")
        let session = Session(model: model, threads: 2, microBatch: 3)
        let batches = [input.slice(0..<3), input.slice(3..<4)]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("means-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let means = try session.channelMeans(batches: batches, cacheDirectory: dir)
        let expected = try ReferenceInterpreter.convOutputMeans(model, input: input)
        #expect(means.values.count == model.unitCount)
        #expect(means.imageCount == 4)
        let diff = zip(means.values, expected).map { abs($0 - $1) }.max() ?? 1
        #expect(diff < 1e-4)
        let file = dir + "/" + ChannelMeans.fileName(modelFingerprint: model.fingerprint, dataFingerprint: means.dataFingerprint)
        #expect(FileManager.default.fileExists(atPath: file))
        let loaded = try ChannelMeans.load(path: file)
        #expect(loaded == means)
        try loaded.validate(for: model, dataFingerprint: ChannelMeans.dataFingerprint(batches))
        #expect(throws: EngineError.self) { try loaded.validate(for: model, dataFingerprint: "other data") }
        let other = try Model.load(path: Paths.fixture("resnetish"))
        #expect(throws: EngineError.self) { try loaded.validate(for: other) }
        #expect(throws: EngineError.self) { try session.evaluate(images: input, masks: [.none], removal: .mean) }
    }

    @Test(arguments: [Removal.zero, .bias, .mean])
    func prunedModelComputesWhatTheMaskComputes(removal: Removal) throws {
        let model = try Model.load(path: Paths.fixture("inceptionish"))
        let input = try NPY.read(path: Paths.fixtures + "/inceptionish.input.npy")
        let session = Session(model: model, threads: 1)
        let means = try session.channelMeans(batches: [input])
        let units = try model.units(parsing: "stem.0:1,b2.2:0-2,post.0:*")
        let masked = try session.evaluate(images: input, masks: [Mask(removing: units)], removal: removal, means: means)
        let prunedProto = try model.pruned(removing: units, removal: removal, means: means)
        let pruned = try Model(bytes: prunedProto.serialized())
        let out = try Session(model: pruned).run(input)
        #expect(out.maxAbsDifference(masked.reshaped([4, 10])) < 1e-5)
        #expect(pruned.unitCount == model.unitCount)
    }

    @Test(arguments: ["mobilenetish", "resnetish", "inceptionish"])
    func twoStageSessionsAgreeWithReference(name: String) throws {
        // A small split threshold makes the early/late stage split happen in these small models.
        let model = try Model.load(path: Paths.fixture(name))
        let input = try NPY.read(path: Paths.fixtures + "/\(name).input.npy").slice(0..<3)
        let expected = try NPY.read(path: Paths.fixtures + "/\(name).output.npy").slice(0..<3)
        let masks = MaskTests.masks(model, count: 3, seed: 5)
        let references = try masks.map { try ReferenceInterpreter.run(model, input: input, mask: $0, removal: .zero)[0] }
        var split = 0
        for (early, late, threshold) in [(1, 4, 1_100), (2, 3, 5_000)] {
            let session = Session(model: model, threads: 2, microBatch: late, earlyMicroBatch: early, stageSplitFloats: threshold)
            if try session.fullStages().count == 2 { split += 1 }
            #expect(try session.run(input).maxAbsDifference(expected) < 1e-4)
            let out = try session.evaluate(images: input, masks: masks, removal: .zero)
            for (k, r) in references.enumerated() {
                let got = Tensor(shape: [3, 10], floats: Array(out.asFloats[(k * 30)..<((k + 1) * 30)]))
                #expect(got.maxAbsDifference(r) < 1e-4)
            }
        }
        #expect(split > 0, "\(name): no threshold split the network in two stages")
    }

    @Test func smallPassesGiveTheSameResults() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let input = try NPY.read(path: Paths.fixtures + "/resnetish.input.npy")
        let expected = try NPY.read(path: Paths.fixtures + "/resnetish.output.npy")
        let masks = MaskTests.masks(model, count: 7, seed: 3) + [.none]
        let big = Session(model: model, threads: 2, microBatch: 4)
        let small = Session(model: model, threads: 2, microBatch: 2, earlyMicroBatch: 1, stageSplitFloats: 1_100,
                            imagesPerPass: 3, pairsPerPass: 5)
        #expect(try small.run(input).maxAbsDifference(expected) < 1e-4)
        let a = try big.evaluate(images: input, masks: masks, removal: .zero)
        let b = try small.evaluate(images: input, masks: masks, removal: .zero)
        #expect(a.shape == [8, 4, 10])
        #expect(a.maxAbsDifference(b) < 1e-5)
        let means = try big.channelMeans(batches: [input])
        let smallMeans = try small.channelMeans(batches: [input.slice(0..<1), input.slice(1..<4)])
        #expect(zip(means.values, smallMeans.values).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func masksFromBitsMatchMasksFromIndices() {
        var words = [UInt64](repeating: 0, count: 2)
        for i in [0, 5, 63, 64, 70] { words[i / 64] |= 1 << UInt64(i % 64) }
        #expect(Mask(removedBits: words, unitCount: 72) == Mask(removing: [70, 0, 5, 63, 64, 5]))
        #expect(Mask.none.isEmpty)
    }
}
