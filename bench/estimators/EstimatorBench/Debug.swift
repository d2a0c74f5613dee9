import ShapleyCore
import Foundation

func debugRun(n: Int, k: Int, budget: Int, seed: UInt64, every: Int) throws {
    let game = try CollapsingNetworkGame(playerCount: n, seed: seed)
    var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed &* 7919)
    c.topK = k
    c.budget = Budget(maxEvaluations: budget)
    var e = try AdaptiveTopK(c)
    var evaluator = IncrementalEvaluator(game: game)
    let truth = game.trueTopK(k)
    var evaluations = 0
    var round = 0
    while !e.isFinished {
        let units = e.nextWork(limit: .max)
        for u in units { let r = try evaluator.evaluate(u); evaluations += r.values.count; _ = try e.ingest(r) }
        round += 1
        if round % every == 0 || e.isFinished {
            let rep = e.report()
            let p = TopKPrecision.precision(rep.ranking, truth: truth, k: k)
            let trueVals = truth.prefix(4).map { String(format: "%.4f±%.4f(%d)", rep.players[$0].value, rep.players[$0].upper - rep.players[$0].value, rep.players[$0].marginals) }
            let missing = truth.filter { !rep.ranking.prefix(k).contains($0) }.prefix(3).map { String(format: "%d:%.4f[%.4f,%.4f](%d)", $0, rep.players[$0].value, rep.players[$0].lower, rep.players[$0].upper, rep.players[$0].marginals) }
            let sorted = (0..<n).sorted { e.screenScore[$0] > e.screenScore[$1] }
            var rankOf = [Int](repeating: 0, count: n)
            for (r, p) in sorted.enumerated() { rankOf[p] = r }
            print("screen ranks of truth:", truth.map { rankOf[$0] })
            print(round, evaluations, rep.activePlayers, rep.samples, String(format: "p=%.2f", p), trueVals.joined(separator: " "), "missing:", missing.joined(separator: " "))
        }
    }
}

/// `EstimatorBench tune N K SEEDS BUDGET-PER-PLAYER key=value…`: the adaptive estimator's
/// evaluations to precision@K >= 0.9 over seeds with configuration overrides (for tuning).
func tuneRun(n: Int, k: Int, seeds: Int, budget: Int, overrides: [String]) throws {
    let jobs = (1...UInt64(seeds)).map { seed in
        { @Sendable () throws -> (Int?, Int) in
            let game = try CollapsingNetworkGame(playerCount: n, seed: seed)
            var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed &* 7919)
            c.topK = k
            c.budget = Budget(maxEvaluations: budget * n)
            for o in overrides {
                let kv = o.split(separator: "=").map(String.init)
                let v = Double(kv[1])!
                switch kv[0] {
                case "minObs": c.minObservations = Int(v)
                case "walks": c.walksPerRound = Int(v)
                case "bases": c.basesPerRound = Int(v)
                case "minWalks": c.minScreeningWalks = Int(v)
                case "maxWalks": c.maxScreeningWalks = Int(v)
                case "g": c.groupSize = Int(v)
                case "prior": c.priorWeight = v
                case "eps": c.defensiveShare = v
                case "res": c.resolution = v
                case "delta": c.delta = v
                case "bins": c.sizeBins = Int(v)
                case "leaders": c.leaderCount = Int(v)
                case "trunc": c.truncationTolerance = v > 0 ? v : nil
                case "patience": c.truncationPatience = Int(v)
                default: fatalError("unknown \(kv[0])")
                }
            }
            var e = try AdaptiveTopK(c)
            let t = try Trace.run(&e, game: game, ks: [k], settle: nil)
            return (t.evaluationsToReach(0.9, index: 0), t.points.last?.evaluations ?? 0)
        }
    }
    let r = try parallel(jobs, threads: 2)
    let reach = r.map { Double($0.0 ?? $0.1) }.sorted()
    print(overrides.joined(separator: " "), "reach", reach.map { Int($0) }, "median", Int(reach[reach.count / 2]), "stops", r.map(\.1))
}

/// `EstimatorBench debug-voting N K SEED`: the adaptive estimator's rounds on a weighted voting game.
func debugVoting(n: Int, k: Int, seed: UInt64) throws {
    let game = try WeightedVotingGame(playerCount: n, seed: seed)
    let values = game.exactShapleyValues()
    var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed &* 7919)
    c.topK = k
    c.budget = Budget(maxEvaluations: 400 * n)
    var e = try AdaptiveTopK(c)
    var evaluator = IncrementalEvaluator(game: game)
    var evaluations = 0, round = 0
    while !e.isFinished {
        let units = e.nextWork(limit: .max)
        if units.isEmpty { print("no units, not finished"); break }
        for u in units { let r = try evaluator.evaluate(u); evaluations += r.values.count; _ = try e.ingest(r) }
        round += 1
        let rep = e.report()
        let p = TopKPrecision.precision(rep.ranking, values: values, k: k, tolerance: 1e-9)
        let measured = rep.players.filter { $0.marginals > 0 }
        let zeroWidth = measured.filter { $0.upper - $0.lower <= 0 }.count
        let infinite = rep.players.filter { !$0.upper.isFinite }.count
        print(round, evaluations, "active", rep.activePlayers, "samples", rep.samples, "measured", measured.count,
              "zero-width", zeroWidth, "unbounded", infinite, String(format: "p %.2f", p), "finished", rep.finished,
              "top", rep.topK.prefix(3).map { String(format: "%.4f[%.4f,%.4f](%d)", rep.players[$0].value, rep.players[$0].lower, rep.players[$0].upper, rep.players[$0].marginals) })
    }
    let top = TopKPrecision.ranking(of: values)
    print("true k-th", values[top[k - 1]], "k+1-th", values[top[k]], "max", values[top[0]])
}

/// `EstimatorBench debug-walk N SEED`: the group drops of one screening walk around the true leaders.
func debugWalk(n: Int, seed: UInt64) throws {
    let game = try CollapsingNetworkGame(playerCount: n, seed: seed)
    let truth = game.trueTopK(10)
    let g = min(128, max(4, Int(Double(n).squareRoot().rounded())))
    let s = Permutation.rotated(0, quarters: 0)
    let order = Permutation.order(seed: seed &* 7919, index: s, playerCount: n)
    var evaluator = IncrementalEvaluator(game: game)
    let specs: [CoalitionSpec] = stride(from: 0, through: n, by: g).map { .prefix(sample: s, removed: Int32($0), toggle: nil) }
    let r = try evaluator.evaluate(WorkUnit(id: 1, seed: seed &* 7919, playerCount: n, coalitions: specs))
    var line: [String] = []
    for j in 0..<(r.values.count - 1) {
        let members = order[(j * g)..<min(n, (j + 1) * g)]
        let lead = members.contains { truth.contains(Int($0)) } ? "*" : ""
        line.append(String(format: "%@%.3f@%.3f", lead, r.values[j] - r.values[j + 1], r.values[j]))
        if r.values[j] < 0.01 { break }
    }
    print(line.joined(separator: " "))
}
