import Dataset
import Foundation
import Testing

@Suite struct PreprocessingTests {
    /// The eight reference inputs of EfficientNet-Lite0 were made by PIL + torchvision from the
    /// JPEGs listed in index.json; decoding and preprocessing here must reproduce them.
    @Test func lite0ReferenceInputs() throws {
        let models = Fixtures.shared + "/models"
        let sidecar = try Sidecar(contentsOf: models + "/efficientnet-lite0.json")
        let pre = sidecar.preprocessing
        #expect(pre.shape == [3, 224, 224])
        let reference = try NPYArray(contentsOf: models + "/efficientnet-lite0-reference/input.npy")
        #expect(reference.shape == [8, 3, 224, 224])
        let index = try JSONSerialization.jsonObject(
            with: Data(Fixtures.read(models + "/efficientnet-lite0-reference/index.json"))) as? [String: Any]
        let files = try #require(index?["files"] as? [String])
        let expected = reference.floats
        var maxDiff: Float = 0, sumDiff: Double = 0
        for (i, file) in files.enumerated() {
            let bitmap = try ImageDecoder().decode(Fixtures.read(Fixtures.shared + "/" + file), name: file)
            let input = pre.apply(to: bitmap)
            let slice = expected[(i * pre.elementCount)..<((i + 1) * pre.elementCount)]
            for (a, b) in zip(input, slice) {
                let d = abs(a - b)
                maxDiff = max(maxDiff, d)
                sumDiff += Double(d)
            }
        }
        let meanDiff = sumDiff / Double(expected.count)
        print("lite0 reference inputs: max abs diff \(maxDiff), mean abs diff \(meanDiff)")
        #expect(maxDiff <= 1e-6)
        #expect(meanDiff <= 1e-7)
    }
}
