public import Dataset
import Foundation

/// Leave-one-out values: how much the metric drops when one player alone is removed, the simplest
/// of the paper's baselines (one evaluation per player).
///
/// On a counting metric, such as accuracy on a few dozen validation images, most single removals
/// change no image's top-1, so most players tie (usually at zero). Ordering the tied ones by their
/// place in the network would make the baseline's top filters arbitrary; instead they are ordered
/// by the drop of the metric's smooth counterpart (``Metric/smoothValue(logits:classes:context:)``,
/// for accuracy the mean log-probability of the true class), measured by the same evaluations.
/// The primary order is still the metric's own drop.
public struct LeaveOneOut: Sendable {
    /// The metric with nothing removed, and its smooth counterpart.
    public var full: (value: Double, smooth: Double)
    /// Per player: the metric's drop (`full − value` with the player removed).
    public var drops: [Double]
    /// Per player: the smooth counterpart's drop.
    public var smoothDrops: [Double]

    /// Measures every player of `playerUnits` (suffix units of `evaluator`) on `set`, calling
    /// `progress` with the number measured so far after each call to the engine.
    public static func measure(evaluator: MaskedEvaluator, playerUnits: [Int], on set: EvaluationSet, metric: Metric,
                               progress: (Int) -> Void = { _ in }) throws -> LeaveOneOut {
        let classes = evaluator.classCount
        var values: [(value: Double, smooth: Double)] = []
        values.reserveCapacity(playerUnits.count + 1)
        try evaluator.forEachLogits(removing: [[]] + playerUnits.map { [$0] }, on: set) { index, logits in
            values.append((metric.value(logits: logits, classes: classes, context: set.context),
                           metric.smoothValue(logits: logits, classes: classes, context: set.context)))
            if index > 0, index % evaluator.masksPerCall == 0 || index == playerUnits.count { progress(index) }
        }
        let full = values[0]
        let rest = values.dropFirst()
        return LeaveOneOut(full: full, drops: rest.map { full.value - $0.value }, smoothDrops: rest.map { full.smooth - $0.smooth })
    }

    /// Players by their drop, ties by their smooth drop.
    public var ranking: Ranking {
        Ranking.byScore(drops, tieBreak: smoothDrops, name: "leave-one-out",
                        meaning: "drop of the validation metric when the filter alone is removed; ties by the drop of its smooth counterpart")
    }

    /// How many distinct drops the players have, and how many players drop nothing: with few
    /// validation images, a counting metric gives most players the same few drops.
    public var ties: (distinct: Int, zero: Int) {
        (Set(drops).count, drops.filter { $0 == 0 }.count)
    }
}
