import Foundation
import Testing
@testable import Engine

/// EfficientNet-Lite0 against ONNX Runtime's logits for 8 ImageNet images.
@Suite struct Lite0Tests {
    @Test func logitsMatchOnnxRuntime() throws {
        let model = try Model.load(path: Paths.lite0)
        let input = try NPY.read(path: Paths.lite0Reference + "/input.npy")
        let expected = try NPY.read(path: Paths.lite0Reference + "/logits.npy")
        let session = Session(model: model, threads: 2, microBatch: 4)
        let out = try session.run(input)
        #expect(out.shape == [8, 1000])
        #expect(out.maxAbsDifference(expected) < 1e-3)
        // Same top-1 as the reference run (index.json: 842 for the hammerhead image).
        let top1 = (0..<8).map { i in (0..<1000).max { out.asFloats[i * 1000 + $0] < out.asFloats[i * 1000 + $1] } ?? -1 }
        #expect(top1 == [0, 2, 842, 6, 8, 10, 12, 14])
    }

    @Test func layersAndUnitsMatchTheSidecar() throws {
        let model = try Model.load(path: Paths.lite0)
        #expect(model.convLayers.count == 49)
        #expect(model.unitCount == 21_008)
        #expect(model.itemShape == [3, 224, 224])
        #expect(model.convLayers.first?.name == "conv_stem")
        #expect(model.convLayers.first?.outputShape == [32, 112, 112])
        #expect(model.convLayers[1].name == "blocks.0.0.conv_dw")
        #expect(model.convLayers[1].groups == 32)
        #expect(model.convLayers.last?.name == "conv_head")
        #expect(model.convLayers.last?.outputShape == [1280, 7, 7])
        #expect(Set(model.convLayers.map(\.name)).count == 49)
    }
}
