import Foundation
import ShapleyCore

/// What `nshap simulate` prints: the top-k with intervals, the cost, and how it compares with the
/// known answer.
struct SimulateOutput: Encodable {
    struct Row: Encodable {
        var rank: Int
        var player: Int
        var estimate: Double
        var lower: Double
        var upper: Double
        var marginals: Int
        var trueValue: Double?
        var inTrueTopK: Bool?
    }

    var game: String
    var players: Int
    var seed: UInt64
    var estimator: String
    var evaluations: Int
    var samples: Int
    var finished: Bool
    var activePlayers: Int
    var seconds: Double
    var precisionAtK: Double?
    var top: [Row]

    init(game: String, players: Int, seed: UInt64, report: EstimateReport, topK: Int, truth: [Int]?,
         referenceValues: [Double]?, seconds: Double) {
        self.game = game
        self.players = players
        self.seed = seed
        estimator = report.estimator
        evaluations = report.evaluations
        samples = report.samples
        finished = report.finished
        activePlayers = report.activePlayers
        self.seconds = seconds
        let ranked = report.topK.count >= topK ? Array(report.topK.prefix(topK)) : Array(report.ranking.prefix(topK))
        if let values = referenceValues {
            precisionAtK = TopKPrecision.precision(ranked, values: values, k: topK)
        } else if let truth {
            precisionAtK = TopKPrecision.precision(ranked, truth: truth, k: topK)
        }
        let truthSet = truth.map(Set.init)
        top = ranked.enumerated().map { rank, p in
            let e = report.players[p]
            return Row(rank: rank + 1, player: p, estimate: e.value, lower: e.lower, upper: e.upper, marginals: e.marginals,
                       trueValue: referenceValues?[p], inTrueTopK: truthSet.map { $0.contains(p) })
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        func f(_ x: Double) -> String {
            x.isFinite ? String(format: "%.6f", x) : (x > 0 ? "inf" : "-inf")
        }
        var lines = ["\(estimator) on \(game) with \(players) players, seed \(seed)",
                     "  rank  player      estimate  interval                     marginals  true"]
        for r in top {
            let truth = r.trueValue.map(f) ?? (r.inTrueTopK.map { $0 ? "in top-k" : "not in top-k" } ?? "")
            lines.append(String(format: "  %4d  %6d  %12@  [%@, %@]  %9d  %@", r.rank, r.player, f(r.estimate) as NSString,
                                f(r.lower) as NSString, f(r.upper) as NSString, r.marginals, truth as NSString))
        }
        lines.append("evaluations: \(evaluations)  samples: \(samples)  active players: \(activePlayers)  finished: \(finished)  time: \(String(format: "%.2f", seconds)) s")
        if let p = precisionAtK { lines.append("precision@\(top.count): \(String(format: "%.2f", p))") }
        return lines.joined(separator: "\n")
    }
}
