import Dataset
import Foundation
import NeuronShapley
import ShapleyCore

/// `walk`: the metric along random removal orders (every `step` removals), to see where the
/// network collapses, which decides how long truncated walks are.
enum Walk {
    static func run(_ o: Options) throws {
        var settings = GameSettings(model: o.require("model"), data: o.require("data"), metric: o.string("metric") ?? "accuracy",
                                    players: o.string("players") ?? "all")
        settings.maxValidation = o.int("max-validation")
        settings.cacheDirectory = o.string("cache-dir")
        settings.threads = o.int("threads") ?? 2
        let game = try NetworkGame(data: try GameData.load(settings))
        let n = game.playerCount, step = o.int("step") ?? max(1, n / 32)
        for seed in 0..<(o.int("walks") ?? 2) {
            var order = Array(0..<n)
            var rng = SplitMix64(seed: UInt64(100 + seed))
            rng.shuffle(&order)
            let sizes = Array(stride(from: 0, through: n, by: step))
            let coalitions = sizes.map { k in Coalition(playerCount: n, members: order.dropFirst(k)) }
            let values = try game.values(of: coalitions)
            print("walk \(seed): " + zip(sizes, values).map { "\($0.0):\(String(format: "%.2f", $0.1))" }.joined(separator: " "))
        }
    }
}
