import Foundation
import Testing
@testable import Engine

/// One-operator models with ONNX Runtime's outputs, made by tools/make_engine_op_fixtures.py.
@Suite struct OpFixtureTests {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("OpFixtures").path
    }()

    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(OpFixtureTests.names.count >= 18)
    }

    @Test(arguments: OpFixtureTests.names)
    func matchesOnnxRuntime(name: String) throws {
        let model = try Model.load(path: OpFixtureTests.directory + "/\(name).onnx")
        let input = try NPY.read(path: OpFixtureTests.directory + "/\(name).input.npy")
        let expected = try NPY.read(path: OpFixtureTests.directory + "/\(name).output.npy")
        for micro in [1, 2] {
            let out = try Session(model: model, threads: 1, microBatch: micro, earlyMicroBatch: micro).run(input)
            #expect(out.shape == expected.shape)
            #expect(out.maxAbsDifference(expected) < 1e-4, "\(name), micro-batch \(micro)")
        }
        #expect(try ReferenceInterpreter.run(model, input: input)[0].maxAbsDifference(expected) < 1e-4)
    }

    @Test func modelsThatMixItemsRunInOnePiece() throws {
        let model = try Model.load(path: OpFixtureTests.directory + "/reshape_squeeze_unsqueeze.onnx")
        #expect(!model.itemsAreIndependent)
        let lite = try Model.load(path: Paths.fixture("resnetish"))
        #expect(lite.itemsAreIndependent)
    }
}
