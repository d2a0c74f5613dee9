public import Dataset
import Foundation

/// A metric measured on a set of images, beside the main one.
public struct MeasuredMetric: Sendable {
    /// The column name (`accuracy`, `clean accuracy`, ...).
    public var name: String
    /// The metric.
    public var metric: Metric
    /// The images it is measured on.
    public var set: EvaluationSet
}

/// One ablation curve: a metric after removing the first k players of a ranking, for each k.
public struct AblationCurve: Sendable, Codable, Hashable {
    /// The ranking's name (`random` for the random baseline).
    public var method: String
    /// The metric's column name.
    public var metric: String
    /// Numbers of players removed (0 first: nothing removed).
    public var sizes: [Int]
    /// The metric after each removal (for random: the mean over seeds).
    public var values: [Double]
    /// For random: the standard deviation over seeds; nil otherwise.
    public var spread: [Double]?
    /// For random: the number of seeds.
    public var seeds: Int?
}

/// Measures ablation curves on held-out images: for each ranking and each size k, the metrics
/// with the ranking's first k players removed; random rankings over several seeds give a baseline
/// with its spread.
public enum Ablation {
    /// The sizes used by default: 1, 2, 5, 10, 20, 50, 100 (those below the number of players).
    public static let defaultSizes = [1, 2, 5, 10, 20, 50, 100]

    /// Curves for every ranking and every metric of `metrics`, plus the random baseline over
    /// `randomSeeds` seeds; `playerUnits` maps players to the evaluator's suffix units.
    public static func run(evaluator: MaskedEvaluator, playerUnits: [Int], rankings: [Ranking], sizes: [Int],
                           randomSeeds: Int, metrics: [MeasuredMetric]) throws -> [AblationCurve] {
        let n = playerUnits.count
        let ks = [0] + Array(Set(sizes.filter { $0 > 0 && $0 <= n })).sorted()
        var orders = rankings.map { ($0.name, $0.players) }
        for seed in 0..<randomSeeds {
            var order = Array(0..<n)
            var rng = SplitMix64(seed: 0x5eed_0000 &+ UInt64(seed))
            rng.shuffle(&order)
            orders.append(("random#\(seed)", order))
        }
        var curves: [AblationCurve] = []
        for measured in metrics {
            // One engine call per metric: every (ranking, size) mask at once.
            var masks: [[Int]] = []
            for (_, order) in orders { for k in ks { masks.append(order.prefix(k).map { playerUnits[$0] }) } }
            let values = try evaluator.values(removing: masks, on: measured.set, metric: measured.metric)
            var randomRows: [[Double]] = []
            for (i, (name, _)) in orders.enumerated() {
                let row = Array(values[(i * ks.count)..<((i + 1) * ks.count)])
                if name.hasPrefix("random#") {
                    randomRows.append(row)
                } else {
                    curves.append(AblationCurve(method: name, metric: measured.name, sizes: ks, values: row, spread: nil, seeds: nil))
                }
            }
            if !randomRows.isEmpty {
                let count = Double(randomRows.count)
                let mean = ks.indices.map { j in randomRows.map { $0[j] }.reduce(0, +) / count }
                let spread = ks.indices.map { j in
                    (randomRows.map { ($0[j] - mean[j]) * ($0[j] - mean[j]) }.reduce(0, +) / max(count - 1, 1)).squareRoot()
                }
                curves.append(AblationCurve(method: "random", metric: measured.name, sizes: ks, values: mean, spread: spread,
                                            seeds: randomRows.count))
            }
        }
        return curves
    }

    /// The curves as CSV: `metric,method,removed,value,spread,seeds`.
    public static func csv(_ curves: [AblationCurve]) -> String {
        var lines = ["metric,method,removed,value,spread,seeds"]
        for c in curves {
            for (j, k) in c.sizes.enumerated() {
                let spread = c.spread.map { String(format: "%.6f", $0[j]) } ?? ""
                lines.append("\(c.metric),\(c.method),\(k),\(String(format: "%.6f", c.values[j])),\(spread),\(c.seeds.map(String.init) ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A line chart of the curves of `metric` (sizes on a log-like axis: k + 1).
    public static func chart(_ curves: [AblationCurve], metric: String, title: String) -> String {
        let chosen = curves.filter { $0.metric == metric }
        var chart = SVGChart(title: title, xLabel: "filters removed (k; plotted at k + 1, log scale)", yLabel: metric, logX: true)
        chart.width = 760
        return chart.lines(chosen.map { c in
            SVGChart.Series(label: c.seeds.map { "\(c.method) (\($0) seeds)" } ?? c.method,
                            points: zip(c.sizes, c.values).map { (x: Double($0.0 + 1), y: $0.1) }, band: c.spread)
        })
    }
}
