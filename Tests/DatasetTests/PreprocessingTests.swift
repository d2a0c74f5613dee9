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

@Suite struct SidecarTests {
    static func write(_ json: String) throws -> String {
        let root = try Fixtures.temporaryDirectory("sidecar")
        try Fixtures.write(Array(json.utf8), to: root + "/model.json")
        return root + "/model.json"
    }

    @Test func lite0SidecarAndItsLabels() throws {
        let sidecar = try Sidecar(contentsOf: Fixtures.shared + "/models/efficientnet-lite0.json")
        #expect(sidecar.classes == 1000 && sidecar.inputName == "input" && sidecar.outputName == "logits")
        let p = sidecar.preprocessing
        #expect(p.resize == .shortSide(256) && p.interpolation == .bicubic && p.scale == .divide(255))
        #expect(p.mean == [0.5, 0.5, 0.5] && p.std == [0.5, 0.5, 0.5] && p.channels == .rgb)
        let labels = try #require(try sidecar.classLabels())
        #expect(labels.count == 1000 && labels.names[0] == "tench" && labels.wnids[0] == "n01440764")
        #expect(Sidecar.path(forModel: "/m/efficientnet-lite0.onnx") == "/m/efficientnet-lite0.json")
    }

    @Test func inlineLabelsGrayAndSizes() throws {
        let path = try Self.write("""
            {"input": {"channels": "L", "size": [16, 12], "layout": "NHWC"},
             "preprocess": {"resize": 16, "interpolation": "bilinear", "scale": "x/255", "mean": [0], "std": 2},
             "output": {"classes": 2, "labels": ["no", "yes"]}}
            """)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let sidecar = try Sidecar(contentsOf: path)
        #expect(sidecar.preprocessing.shape == [16, 12, 1])
        #expect(sidecar.preprocessing.mean == [0] && sidecar.preprocessing.std == [2])
        #expect(try sidecar.classLabels()?.names == ["no", "yes"])
    }

    @Test(arguments: [
        #"{"input": {"channels": "RGB"}}"#,
        #"{"input": {"size": 8, "channels": "CMYK"}}"#,
        #"{"input": {"size": 8}, "preprocess": {"interpolation": "cubic"}}"#,
        #"{"input": {"size": 8}, "preprocess": {"center_crop": 7}}"#,
        #"{"input": {"size": 8}, "preprocess": {"scale": "x - 3"}}"#,
        #"{"input": {"size": 8}, "preprocess": {"mean": [1, 2]}}"#,
        #"{"input": {"size": 8}, "preprocess": {"std": [0]}}"#,
        #"{"input": {"size": 8}, "output": {"classes": 3, "labels": ["a"]}}"#,
        #"[1, 2]"#,
        #"{"input": "#,
    ])
    func invalidSidecarsAreExplained(_ json: String) throws {
        let path = try Self.write(json)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(throws: DatasetError.self) { _ = try Sidecar(contentsOf: path) }
    }
}

@Suite struct GeometryTests {
    static func ramp(width: Int, height: Int) -> Bitmap {
        var samples: [UInt8] = []
        for y in 0..<height { for x in 0..<width { samples += [UInt8(x), UInt8(y), UInt8(100)] } }
        return Bitmap(width: width, height: height, channels: 3, samples: samples)
    }

    /// Crop offsets round half to even: a 7-wide image cropped to 4 starts at round(1.5) = 2,
    /// a 9-wide one at round(2.5) = 2.
    @Test func centreCropRoundsHalfToEven() {
        for (width, left) in [(7, 2), (9, 2), (8, 2), (6, 1)] {
            let p = Preprocessing(size: (1, 4))
            let out = p.geometry(Self.ramp(width: width, height: 1))
            #expect(out[0, 0, 0] == UInt8(left), "width \(width)")
        }
    }

    @Test func smallImagesArePaddedWithZeros() {
        let p = Preprocessing(size: (4, 5))
        let out = p.geometry(Self.ramp(width: 2, height: 2))
        // torchvision pads left (5 - 2) / 2 = 1, top (4 - 2) / 2 = 1.
        #expect(out[0, 0, 2] == 0)
        #expect(out[1, 1, 2] == 100)
        #expect(out[2, 2, 2] == 100)
        #expect(out[3, 1, 2] == 0)
        #expect(out[1, 3, 2] == 0)
    }

    @Test func shortSideKeepsAspectWithTruncation() {
        let p = Preprocessing(size: (3, 3), resize: .shortSide(3), interpolation: .nearest)
        // 10 x 7: the short side 7 becomes 3, the long one int(3 * 10 / 7) = 4.
        let out = p.geometry(Self.ramp(width: 10, height: 7))
        #expect(out.width == 3 && out.height == 3)
        let q = Preprocessing(size: (4, 3), resize: .shortSide(3), interpolation: .nearest)
        let tall = q.geometry(Self.ramp(width: 7, height: 10))
        #expect(tall.width == 3 && tall.height == 4)
    }

    @Test func layoutChannelOrderAndNormalisation() {
        let image = Bitmap(width: 2, height: 1, channels: 3, samples: [255, 0, 51, 0, 255, 102])
        let rgb = Preprocessing(size: (1, 2), channels: .rgb, mean: [0, 0.5, 0], std: [1, 0.5, 2]).apply(to: image)
        #expect(rgb == [1, 0, -1, 1, 0.1, 0.2])
        let bgr = Preprocessing(size: (1, 2), channels: .bgr).apply(to: image)
        #expect(bgr == [0.2, 0.4, 0, 1, 1, 0])
        let nhwc = Preprocessing(size: (1, 2), layout: .nhwc).apply(to: image)
        #expect(nhwc == [1, 0, 0.2, 0, 1, 0.4])
        let gray = Preprocessing(size: (1, 2), channels: .gray, scale: .multiply(1)).apply(to: image)
        let first: Int = (255 * 19595 + 51 * 7471 + 0x8000) >> 16
        let second: Int = (255 * 38470 + 102 * 7471 + 0x8000) >> 16
        #expect(gray == [Float(first), Float(second)])
    }
}
