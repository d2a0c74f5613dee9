import Foundation
import Testing
@testable import Engine

/// Every fixture model against ONNX Runtime's outputs stored beside it.
@Suite struct FixtureTests {
    @Test(arguments: Paths.fixtureNames)
    func fastPlanMatchesOnnxRuntime(name: String) throws {
        let model = try Model.load(path: Paths.fixture(name))
        let input = try NPY.read(path: Paths.fixtures + "/\(name).input.npy")
        let expected = try NPY.read(path: Paths.fixtures + "/\(name).output.npy")
        for (threads, micro) in [(1, 1), (2, 3), (1, 8)] {
            let session = Session(model: model, threads: threads, microBatch: micro)
            let out = try session.run(input)
            let diff = out.maxAbsDifference(expected)
            #expect(diff < 1e-4, "\(name) threads \(threads) micro-batch \(micro): max difference \(diff)")
        }
    }

    @Test(arguments: Paths.fixtureNames)
    func referenceInterpreterMatchesOnnxRuntime(name: String) throws {
        let model = try Model.load(path: Paths.fixture(name))
        let input = try NPY.read(path: Paths.fixtures + "/\(name).input.npy")
        let expected = try NPY.read(path: Paths.fixtures + "/\(name).output.npy")
        let out = try ReferenceInterpreter.run(model, input: input)[0]
        #expect(out.maxAbsDifference(expected) < 1e-4)
    }

    @Test func everyFixtureOperatorIsCovered() throws {
        let index = try #require(FileManager.default.contents(atPath: Paths.fixtures + "/index.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: index) as? [String: [String: Any]])
        var ops = Set<String>()
        for (_, entry) in json { ops.formUnion((entry["ops"] as? [String: Any])?.keys ?? [:].keys) }
        #expect(ops.count > 15)
        for op in ops { #expect(OperatorRegistry.factories[op] != nil, "\(op) is not registered") }
    }

    @Test func unsupportedOperatorFailsAtLoadNamingOpAndNode() throws {
        let nodes = [ModelBuilder.node("Relu", ["x"], ["r"]), ModelBuilder.node("NonMaxSuppression", ["r"], ["y"], name: "nms_1")]
        let proto = ModelBuilder.model(inputShape: [1, 3, 4, 4], nodes: nodes, initializers: [:], outputs: ["y"])
        do {
            _ = try Model(proto: proto)
            Issue.record("loading should fail")
        } catch let e as EngineError {
            guard case .unsupportedOperator(let op, _, let node, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(op == "NonMaxSuppression")
            #expect(node == "nms_1")
            #expect(e.description.contains("NonMaxSuppression") && e.description.contains("nms_1"))
        }
    }

    @Test func shapeErrorsFailAtLoad() throws {
        let w = Tensor(shape: [4, 5, 3, 3], repeating: 0.1)
        let nodes = [ModelBuilder.node("Conv", ["x", "w"], ["y"], name: "bad_conv")]
        let proto = ModelBuilder.model(inputShape: [1, 3, 8, 8], nodes: nodes, initializers: ["w": w], outputs: ["y"])
        #expect(throws: EngineError.self) { try Model(proto: proto) }
    }

    @Test func foldsShapeArithmetic() throws {
        // inceptionish computes its Reshape target from Shape -> Gather -> Unsqueeze -> Concat.
        let model = try Model.load(path: Paths.fixture("inceptionish"))
        let spec = try model.specialization(batch: 3)
        let ops = spec.runtimeNodes.map { model.graph.nodes[$0].info.opType }
        #expect(!ops.contains("Shape") && !ops.contains("Gather") && !ops.contains("Unsqueeze"))
        #expect(ops.contains("Reshape"))
    }
}
