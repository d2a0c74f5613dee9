import Dataset
import Foundation
import NeuronShapley
import ShapleyCore

/// `pairs`: how alike the marginals of chosen players are on shared base coalitions, which decides
/// how many marginals it takes to order two of them. Each base has a size drawn uniformly from
/// 0...n and uniformly random members; it is valued alone and with each focus player's membership
/// flipped, giving one plain permutation marginal per focus player. Prints each player's mean and
/// standard deviation, the share of its variance left within size bins (what stratifying the
/// sizes cannot remove), and for each pair the correlation and the standard deviation of the
/// difference of their marginals on the same bases, against what independent bases would give.
/// `--complement` follows each base with its complement (an antithetic pair of bases: sizes `s` and
/// `n − s`).
enum Pairs {
    struct Output: Encodable {
        var focus: [String]
        var sizes: [Int]
        var marginals: [[Double]]
        /// Whether each even-numbered base is followed by its complement.
        var complement: Bool
        var playerCount: Int
    }

    static let sizeBins = 16

    static func run(_ o: Options) throws {
        var settings = GameSettings(model: o.require("model"), data: o.require("data"), metric: o.string("metric") ?? "accuracy",
                                    players: o.string("players") ?? "all")
        settings.maxValidation = o.int("max-validation")
        settings.threads = o.int("threads") ?? 2
        let data = try GameData.load(settings)
        let game = try NetworkGame(data: data)
        let n = game.playerCount
        let names = o.require("focus").split(separator: ",").map(String.init)
        let focus = try names.map { name in
            let units = try data.model.units(parsing: name)
            guard units.count == 1, let p = data.players.player(ofUnit: units[0].index) else {
                fail("--focus: \(name) is not one player of this game (players: \(settings.players)); give single filters as LAYER:C")
            }
            return p
        }
        let baseCount = o.int("bases") ?? 1000
        var rng = SplitMix64(seed: UInt64(o.int("seed") ?? 1))
        var marginals = [[Double]](repeating: [], count: focus.count)
        var sizes: [Int] = []
        let stride = focus.count + 1, perCall = o.int("batch") ?? 16
        let complement = o.flags.contains("complement")
        while sizes.count < baseCount {
            var batch: [Coalition] = []
            for _ in 0..<min(perCall, baseCount - sizes.count) {
                let size = Int(rng.next() % UInt64(n + 1))
                var order = Array(0..<n)
                rng.shuffle(&order)
                // With --complement each base is followed by its complement (the players it
                // leaves out), so that consecutive marginals are an antithetic pair.
                let members = complement ? [Array(order.prefix(size)), Array(order.dropFirst(size))] : [Array(order.prefix(size))]
                for m in members where sizes.count < baseCount {
                    let base = Coalition(playerCount: n, members: m)
                    batch.append(base)
                    for p in focus {
                        var c = base
                        c.toggle(p)
                        batch.append(c)
                    }
                    sizes.append(m.count)
                }
            }
            let values = try game.values(of: batch)
            for b in 0..<(batch.count / stride) {
                let base = batch[b * stride], v0 = values[b * stride]
                for (i, p) in focus.enumerated() {
                    let v = values[b * stride + 1 + i]
                    marginals[i].append(base.contains(p) ? v0 - v : v - v0)
                }
            }
        }
        summarise(names: names, sizes: sizes, marginals: marginals, playerCount: n)
        if let out = o.string("out") { writeJSON(Output(focus: names, sizes: sizes, marginals: marginals, complement: complement, playerCount: n), to: out) }
    }

    static func summarise(names: [String], sizes: [Int], marginals: [[Double]], playerCount n: Int) {
        let bin = sizes.map { min(sizeBins - 1, $0 * sizeBins / (n + 1)) }
        let stats = marginals.map { RunningStatistics($0) }
        print("\(sizes.count) bases (uniform sizes)")
        print("player | mean | s.d. | share of variance within size bins")
        for (i, name) in names.enumerated() {
            var byBin = [RunningStatistics](repeating: RunningStatistics(), count: sizeBins)
            for (b, x) in zip(bin, marginals[i]) { byBin[b].add(x) }
            let within = byBin.map { $0.variance * Double($0.count) }.reduce(0, +) / Double(sizes.count)
            print("\(name) | \(String(format: "%.4f", stats[i].mean)) | \(String(format: "%.4f", stats[i].variance.squareRoot())) | \(String(format: "%.2f", within / max(stats[i].variance, 1e-300)))")
        }
        print("pair | correlation | s.d. of the difference, same bases | independent bases")
        var correlations: [Double] = []
        for i in names.indices {
            for j in names.indices where j > i {
                let vi = stats[i].variance, vj = stats[j].variance
                let d = RunningStatistics(zip(marginals[i], marginals[j]).map { $0 - $1 }).variance
                let r = (vi + vj - d) / (2 * (vi * vj).squareRoot())
                correlations.append(r)
                print("\(names[i]) \(names[j]) | \(String(format: "%.2f", r)) | \(String(format: "%.4f", d.squareRoot())) | \(String(format: "%.4f", (vi + vj).squareRoot()))")
            }
        }
        print("median correlation \(String(format: "%.2f", median(correlations)))")
    }
}
