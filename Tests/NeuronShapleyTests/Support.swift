import Foundation
import NeuronShapley

/// Locations of test material, relative to the repository root.
enum Paths {
    /// The repository root, derived from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The embedded demo as committed.
    static let demo = root + "/Sources/NeuronShapley/Resources/demo"
    static let demoModel = demo + "/digits-cnn.onnx"
    static let demoImages = demo + "/images"
    /// The demo's use-case material.
    static let examples = root + "/examples/digits"
    /// ONNX fixtures shared with the engine's tests.
    static let fixtures = root + "/../shared/models/fixtures"

    /// A fresh temporary directory.
    static func temporaryDirectory(_ tag: String) -> String {
        let path = NSTemporaryDirectory() + "nshap-tests-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Demo game settings with few validation images, for fast tests.
func demoSettings(metric: String = "accuracy", players: String = "all", maxValidation: Int = 40) -> GameSettings {
    var s = GameSettings(model: Paths.demoModel, data: Paths.demoImages, metric: metric, players: players)
    s.maxValidation = maxValidation
    s.threads = 2
    return s
}
