import Testing
@testable import Engine

@Suite struct UnitTests {
    @Test func stableNamesFollowTheModulePath() {
        #expect(ConvLayer.stableName(nodeName: "/blocks/blocks.0/blocks.0.0/conv_dw/Conv", outputName: "o") == "blocks.0.0.conv_dw")
        #expect(ConvLayer.stableName(nodeName: "/conv_stem/Conv", outputName: "o") == "conv_stem")
        #expect(ConvLayer.stableName(nodeName: "/l2/sc/sc.0/Conv", outputName: "o") == "l2.sc.0")
        #expect(ConvLayer.stableName(nodeName: "/stem/stem.0/Conv_1", outputName: "o") == "stem.0")
        #expect(ConvLayer.stableName(nodeName: "conv1", outputName: "o") == "conv1")
        #expect(ConvLayer.stableName(nodeName: "", outputName: "features:3") == "features_3")
    }

    @Test func fixtureLayersHaveReadableUniqueNames() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        #expect(model.convLayers.map(\.name) == ["stem.0", "l1.c1", "l1.c2", "l2.c1", "l2.c2", "l2.sc.0"])
        #expect(model.convLayers.map(\.channels) == [8, 8, 8, 16, 16, 16])
        #expect(model.unitCount == 72)
        #expect(model.convLayers[3].firstUnit == 24)
        #expect(model.convLayers[3].outputShape == [16, 8, 8])
    }

    @Test func addressesParseAndResolve() throws {
        let a = try UnitAddress.parse(" l2.c1:5 ")
        #expect(a == UnitAddress(layer: "l2.c1", channel: 5))
        #expect(a.description == "l2.c1:5")
        #expect(throws: EngineError.self) { try UnitAddress.parse("l2.c1") }
        #expect(throws: EngineError.self) { try UnitAddress.parse("l2.c1:x") }
        #expect(throws: EngineError.self) { try UnitAddress.parse(":3") }
        let model = try Model.load(path: Paths.fixture("resnetish"))
        let u = try model.unit(a)
        #expect(u.index == 29 && u.layer == 3 && u.channel == 5)
        #expect(model.unit(index: 29) == u)
        #expect(model.unit(index: 0).layer == 0)
        #expect(model.unit(index: 71) == Unit(layer: 5, channel: 15, index: 71))
        #expect(model.address(of: u) == a)
        let list = try model.units(parsing: "l1.c1:0-2, stem.0:7, l1.c1:1, l2.sc.0:*")
        #expect(list.map(\.index) == [7, 8, 9, 10] + Array(56..<72))
    }

    @Test func typosSuggestTheClosestLayers() throws {
        let model = try Model.load(path: Paths.fixture("resnetish"))
        do {
            _ = try model.unit(UnitAddress(layer: "l2.cl", channel: 0))
            Issue.record("expected an unknown layer")
        } catch let EngineError.unknownLayer(given, suggestions) {
            #expect(given == "l2.cl")
            #expect(suggestions.first == "l2.c1")
            #expect(suggestions.count == 3)
        }
        #expect(throws: EngineError.channelOutOfRange(layer: "l2.c1", channel: 16, channels: 16)) {
            try model.unit(UnitAddress(layer: "l2.c1", channel: 16))
        }
        #expect("kitten".editDistance(to: "sitting") == 3)
        #expect("".editDistance(to: "abc") == 3)
    }
}
