/// Running sums of per-image scores, mergeable across batches (`+`). The gap keeps a second sum
/// for its second group.
public struct MetricTally: Sendable, Equatable {
    /// Sum of scores (first group for the gap).
    public var sum = 0.0
    /// Number of scored images (first group for the gap).
    public var count = 0
    /// Sum of scores of the gap's second group.
    public var secondSum = 0.0
    /// Number of scored images of the gap's second group.
    public var secondCount = 0

    /// An empty tally.
    public init() {}

    /// Adds one image's score.
    public mutating func add(_ score: Double, second: Bool = false) {
        if second {
            secondSum += score
            secondCount += 1
        } else {
            sum += score
            count += 1
        }
    }

    /// Two tallies merged.
    public static func + (a: MetricTally, b: MetricTally) -> MetricTally {
        var out = a
        out.sum += b.sum
        out.count += b.count
        out.secondSum += b.secondSum
        out.secondCount += b.secondCount
        return out
    }

    /// The metric's value: the mean score, or for the gap the difference of the two means;
    /// NaN when no image was scored.
    public func value(for metric: Metric) -> Double {
        let first = count > 0 ? sum / Double(count) : .nan
        if case .accuracyGap = metric {
            let second = secondCount > 0 ? secondSum / Double(secondCount) : .nan
            return first - second
        }
        return first
    }
}
