import Dataset
import Engine
import Foundation
@testable import NeuronShapley
import ShapleyCore
import Testing

/// The pooled affine readout after a layer of players gives the engine's logits for any removal,
/// and is used only where the network has that shape.
@Suite struct LinearReadoutTests {
    /// Random images for `model`.
    static func images(_ model: Model, count: Int, seed: UInt64) -> Tensor {
        var random = SplitMix64(seed: seed)
        return Tensor(shape: [count] + model.itemShape,
                      floats: (0..<(count * model.itemShape.reduce(1, *))).map { _ in Float(random.next() % 2000) / 1000 - 1 })
    }

    /// The readout of `layer`'s filters in a fixture, or nil; and the suffix, its session, means
    /// and frontier to check it against.
    static func readout(fixture: String, layer: String, removal: Removal) throws
        -> (LinearReadout?, PooledHead?, Session, ChannelMeans?, Tensor, [Int]) {
        let path = Paths.fixtures + "/\(fixture).onnx"
        try #require(FileManager.default.fileExists(atPath: path), "fixture \(path) is missing")
        let model = try Model.load(path: path)
        let conv = try #require(model.convLayers.first { $0.name == layer }, "\(model.convLayers.map(\.name))")
        let cut = try ModelCut(model: model, players: Array(conv.units))
        let frontier = try cut.frontier(images(model, count: 6, seed: 5), session: nil)
        let session = Session(model: cut.suffix, threads: 2)
        let means = removal == .mean ? try session.channelMeans(batches: [frontier]) : nil
        let players = try cut.suffixUnits(Array(conv.units))
        let head = try PooledHead(suffix: cut.suffix, players: players, removal: removal, means: means, threads: 2, microBatch: 4)
        return (try head?.readout(frontier), head, session, means, frontier, players)
    }

    @Test(arguments: [("resnetish", "l2.c2", Removal.mean), ("resnetish", "l2.sc.0", .zero),
                      ("mobilenetish", "head.0", .mean), ("mobilenetish", "head.0", .bias)])
    func readoutGivesTheEnginesLogits(fixture: String, layer: String, removal: Removal) throws {
        let (found, head, session, means, frontier, players) = try Self.readout(fixture: fixture, layer: layer, removal: removal)
        let readout = try #require(found, "\(fixture) \(layer): no readout")
        let pooled = try #require(head)
        #expect(readout.channels == players.count && readout.images == 6)
        var random = SplitMix64(seed: 9)
        // Few, half and most of the channels removed (both ways of summing), none and all.
        var masks: [[Int]] = [[], players, [players[1]], [players[0], players[players.count - 1]]]
        for share in [0.2, 0.5, 0.8] {
            masks.append(players.filter { _ in Double(random.next() % 1000) / 1000 < share })
        }
        let expected = try session.evaluate(images: frontier, masks: masks.map { Mask(removing: $0) }, removal: removal, means: means).asFloats
        let per = readout.images * readout.classes
        for (m, removed) in masks.enumerated() {
            let channels = try #require(pooled.channels(removed))
            let got = readout.logits(removing: channels)
            let want = Array(expected[(m * per)..<((m + 1) * per)])
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            let spread = want.map(abs).max() ?? 0
            #expect(got.count == want.count && worst <= 1e-4 * max(1, spread), "\(fixture) \(layer) mask \(m): off by \(worst)")
        }
        #expect(readout.closureError() <= 1e-4 * max(1, expected.map(abs).max() ?? 0))
        #expect(pooled.channels([players[0], 10_000]) == nil)
    }

    /// Layers whose channels are mixed before the pool (squeeze-excite, a further conv, a concat),
    /// or reach a head that is not a pooled affine one, are evaluated by the engine.
    @Test(arguments: [("vggish", "f.7"), ("resnetish", "l1.c1"), ("mobilenetish", "b.2.proj.0"), ("denseish", nil as String?),
                      ("inceptionish", nil)])
    func noReadoutWhereTheNetworkMixesChannels(fixture: String, layer: String?) throws {
        let path = Paths.fixtures + "/\(fixture).onnx"
        let model = try Model.load(path: path)
        // Without a layer named: the last conv layer (concatenated with other branches before the pool).
        let name = layer ?? model.convLayers[model.convLayers.count - 1].name
        #expect(try Self.readout(fixture: fixture, layer: name, removal: .zero).1 == nil, "\(fixture) \(name)")
    }

    /// Settings saved before the choice existed (a run directory's `settings.json`) read back with
    /// the readout on; a choice made is kept.
    @Test func savedSettingsKeepTheChoiceAndOlderOnesDecode() throws {
        var settings = demoSettings(players: "conv4")
        settings.linearReadout = false
        let saved = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(GameSettings.self, from: saved).linearReadout == false)
        var object = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        #expect(object.count > 1)
        object = object.filter { !$0.key.lowercased().contains("readout") }
        let older = try JSONDecoder().decode(GameSettings.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(older.linearReadout && older.players == "conv4")
    }

    /// In the game, values with the readout are those of the engine's run of the rest of the network.
    @Test func gameValuesWithAndWithoutTheReadoutAgree() throws {
        let data = try GameData.load(demoSettings(metric: "logprob", players: "conv4", maxValidation: 40))
        let fast = try NetworkGame(data: data)
        let slow = try NetworkGame(data: data.with(linearReadout: false))
        #expect(fast.evaluator.linearReadout && !slow.evaluator.linearReadout)
        let n = fast.playerCount
        var random = SplitMix64(seed: 4)
        var coalitions = [Coalition(full: n), Coalition(empty: n)]
        for size in [1, n / 3, n / 2, n - 2] {
            var c = Coalition(empty: n)
            while c.count < size { c.insert(Int(random.next() % UInt64(n))) }
            coalitions.append(c)
        }
        let a = try fast.values(of: coalitions), b = try slow.values(of: coalitions)
        for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-4, "\(a) vs \(b)") }
        // Two layers: no readout.
        let both = try NetworkGame(data: try GameData.load(demoSettings(players: "conv3,conv4")))
        #expect(!both.evaluator.linearReadout)
    }
}
