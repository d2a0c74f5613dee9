import Foundation
import Testing

/// `nshap eval` as a process on the embedded demo: the engine and the data pipeline together must
/// reproduce the accuracies ONNX Runtime and PyTorch measured when the demo was made (recorded in
/// its sidecar), skip and count a corrupt file, and refuse unlabelled data with a reason.
@Suite struct EvalCommandTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Sources/NeuronShapley/Resources/demo"
    /// The 10 filters tools/demo/make_demo.py removed for its recorded "without top 10" accuracy.
    static let topTen = "conv3:18,conv4:16,conv3:58,conv3:25,conv3:38,conv3:19,conv3:0,conv4:49,conv3:37,conv4:41"

    struct Report: Decodable {
        let images: Int, skipped: Int, top1: Double, top5: Double, removed: [String]
    }

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: demo + "/digits-cnn.json"))
        let sidecar = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(sidecar?["reference"] as? [String: Any])
    }

    static func run(_ group: ProcessGroup, _ name: String, _ arguments: [String]) async throws -> (Int32?, Spawned) {
        let process = try group.nshap(name, ["eval", demo + "/digits-cnn.onnx"] + arguments)
        return (await process.wait(timeout: .seconds(120)), process)
    }

    @Test func demoAccuracyWithAndWithoutItsTopFilters() async throws {
        let reference = try Self.reference()
        let group = try ProcessGroup("eval-demo")
        defer { group.cleanUp() }
        // The demo images plus a cut-short PNG and a text file in a class folder.
        try FileManager.default.copyItem(atPath: Self.demo + "/images", toPath: group.path("images"))
        let png = try Data(contentsOf: URL(fileURLWithPath: group.path("images/3/") + (try FileManager.default
            .contentsOfDirectory(atPath: group.path("images/3")).sorted()[0])))
        try png.prefix(png.count / 2).write(to: URL(fileURLWithPath: group.path("images/3/cut.png")))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: group.path("images/5/notes.dat")))

        let (status, plain) = try await Self.run(group, "plain", ["--data", group.path("images"), "--json"])
        #expect(status == 0, "\(plain.transcript)")
        let full = try JSONDecoder().decode(Report.self, from: Data(plain.standardOutput.utf8))
        #expect(full.images == 450 && full.skipped == 2)
        let expected = try #require(reference["test top-1 (onnxruntime)"] as? Double)
        #expect(abs(full.top1 - expected) < 1e-4, "top-1 \(full.top1), ONNX Runtime \(expected)")

        let (status2, ablated) = try await Self.run(group, "ablated", ["--data", Self.demo + "/images", "--remove", Self.topTen, "--json"])
        #expect(status2 == 0, "\(ablated.transcript)")
        let without = try JSONDecoder().decode(Report.self, from: Data(ablated.standardOutput.utf8))
        let expectedWithout = try #require(reference["test top-1 without the 10 filters of largest Taylor score (mean removal)"] as? Double)
        #expect(without.removed.count == 10)
        #expect(abs(without.top1 - expectedWithout) < 1e-4, "top-1 \(without.top1), PyTorch \(expectedWithout)")
    }

    @Test func unlabelledDataAndMissingSidecarAreRefused() async throws {
        let group = try ProcessGroup("eval-refusals")
        defer { group.cleanUp() }
        let (status, single) = try await Self.run(group, "single", ["--data", Self.demo + "/images/0/" + (try FileManager.default
            .contentsOfDirectory(atPath: Self.demo + "/images/0").sorted()[0])])
        #expect(status != 0 && single.standardError.contains("no labels"), "\(single.transcript)")
        try FileManager.default.copyItem(atPath: Self.demo + "/digits-cnn.onnx", toPath: group.path("bare.onnx"))
        let bare = try group.nshap("bare", ["eval", group.path("bare.onnx"), "--data", Self.demo + "/images"])
        #expect(await bare.wait(timeout: .seconds(60)) != 0)
        #expect(bare.standardError.contains("sidecar"), "\(bare.transcript)")
    }
}
