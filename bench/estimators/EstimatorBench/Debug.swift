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
            print(round, evaluations, rep.activePlayers, rep.samples, String(format: "p=%.2f", p), trueVals.joined(separator: " "), "missing:", missing.joined(separator: " "))
        }
    }
}
