import Dataset
import Engine
import Foundation
import NeuronShapley
import ShapleyCore

/// `cost`: what one evaluation of the network game costs for several player sets, with the
/// prefix computed once (the game as the workers play it). Where the players' layer has a pooled
/// affine readout, the same coalitions are also timed with the rest of the network run per
/// evaluation (`--no-linear-readout`), batch after batch alternately, and the ratio printed.
///
/// Coalitions: `--sizes half` (default) keeps each player with probability 1/2; `--sizes uniform`
/// draws the size uniformly first, as the estimators' bases spread over sizes.
enum Cost {
    static func run(_ o: Options) throws {
        let sets = o.strings("players").isEmpty ? ["all"] : o.strings("players")
        let threads = o.int("threads") ?? 1
        let batch = o.int("batch") ?? 16
        let repeats = o.int("repeats") ?? 3
        let uniform = o.string("sizes") == "uniform"
        print("players | filters | cut after | suffix conv layers | set-up s | s per evaluation (median of \(repeats) batches of \(batch)) | ms per (evaluation x image) | without the readout: s per evaluation | ratio")
        for spec in sets {
            var settings = GameSettings(model: o.require("model"), data: o.require("data"), players: spec)
            settings.maxValidation = o.int("max-validation")
            settings.threads = threads
            settings.microBatch = o.int("micro-batch") ?? settings.microBatch
            settings.linearReadout = !o.flags.contains("no-linear-readout")
            let clock = ContinuousClock(), start = clock.now
            let data = try GameData.load(settings)
            let game = try NetworkGame(data: data)
            let setup = seconds(since: start)
            // The same game without the readout, when it has one.
            let plain = game.evaluator.linearReadout ? try NetworkGame(data: data.with(linearReadout: false)) : nil
            var rng = SplitMix64(seed: 7)
            var times: [Double] = [], plainTimes: [Double] = []
            for _ in 0..<repeats {
                let n = game.playerCount
                let coalitions = (0..<batch).map { _ in
                    if uniform {
                        var members = Array(0..<n)
                        let size = Int(rng.next() % UInt64(n + 1))
                        for i in 0..<size { members.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
                        return Coalition(playerCount: n, members: members.prefix(size))
                    }
                    return Coalition(playerCount: n, members: (0..<n).filter { _ in rng.next() % 2 == 0 })
                }
                var t = clock.now
                let values = try game.values(of: coalitions)
                times.append(seconds(since: t) / Double(batch))
                if let plain {
                    t = clock.now
                    let reference = try plain.values(of: coalitions)
                    plainTimes.append(seconds(since: t) / Double(batch))
                    let worst = zip(values, reference).map { abs($0 - $1) }.max() ?? 0
                    if worst > 1e-3 { fail("\(spec): the readout's values differ from the engine's by \(worst)") }
                }
            }
            let per = median(times)
            let cut = game.evaluator.cut
            let versus = plainTimes.isEmpty ? "- | -" : String(format: "%.4f | %.1fx", median(plainTimes), median(plainTimes) / per)
            print("\(spec) | \(game.playerCount) | \(cut.cutValue) | \(cut.suffix.convLayers.count) | \(String(format: "%.1f", setup)) | \(String(format: "%.4f", per)) | \(String(format: "%.3f", per * 1000 / Double(game.validation.count))) | \(versus)")
        }
    }
}
