import Dataset
import Engine
import Foundation
import NeuronShapley
import ShapleyCore

/// `cost`: what one evaluation of the network game costs for several player sets, with the
/// prefix computed once (the game as the workers play it) and, for comparison, on the whole model.
enum Cost {
    static func run(_ o: Options) throws {
        let sets = o.strings("players").isEmpty ? ["all"] : o.strings("players")
        let threads = o.int("threads") ?? 1
        let batch = o.int("batch") ?? 16
        let repeats = o.int("repeats") ?? 3
        print("players | filters | cut after | suffix conv layers | set-up s | s per evaluation (median of \(repeats) batches of \(batch)) | ms per (evaluation x image)")
        for spec in sets {
            var settings = GameSettings(model: o.require("model"), data: o.require("data"), players: spec)
            settings.maxValidation = o.int("max-validation")
            settings.threads = threads
            settings.microBatch = o.int("micro-batch") ?? settings.microBatch
            let clock = ContinuousClock(), start = clock.now
            let game = try NetworkGame(data: try GameData.load(settings))
            let setup = seconds(since: start)
            var rng = SplitMix64(seed: 7)
            var times: [Double] = []
            for _ in 0..<repeats {
                let coalitions = (0..<batch).map { _ in
                    Coalition(playerCount: game.playerCount, members: (0..<game.playerCount).filter { _ in rng.next() % 2 == 0 })
                }
                let t = clock.now
                _ = try game.values(of: coalitions)
                times.append(seconds(since: t) / Double(batch))
            }
            let per = median(times)
            let cut = game.evaluator.cut
            print("\(spec) | \(game.playerCount) | \(cut.cutValue) | \(cut.suffix.convLayers.count) | \(String(format: "%.1f", setup)) | \(String(format: "%.3f", per)) | \(String(format: "%.2f", per * 1000 / Double(game.validation.count)))")
        }
    }
}
