/// Count, mean and variance of a stream of observations, updated one at a time (Welford) or merged
/// from partial results computed elsewhere (Chan, Golub & LeVeque's pairwise formula).
///
/// Both updates are numerically stable: the sum of squared deviations is never formed as a
/// difference of large sums. Merging is exact in real arithmetic and associative up to rounding;
/// callers that need bit-identical results fold partial results in a fixed order.
public struct RunningStatistics: Hashable, Sendable, Codable {
    /// The number of observations.
    public private(set) var count: Int = 0
    /// Their mean (0 when there are none).
    public private(set) var mean: Double = 0
    /// The sum of squared deviations from the mean.
    public private(set) var sumOfSquares: Double = 0
    /// The smallest observation (+infinity when there are none).
    public private(set) var minimum: Double = .infinity
    /// The largest observation (-infinity when there are none).
    public private(set) var maximum: Double = -.infinity

    /// No observations.
    public init() {}

    /// Statistics of `values`.
    public init<S: Sequence>(_ values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    /// Adds one observation.
    public mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        sumOfSquares += delta * (x - mean)
        minimum = Swift.min(minimum, x)
        maximum = Swift.max(maximum, x)
    }

    /// Merges statistics computed on another, disjoint set of observations.
    public mutating func merge(_ other: RunningStatistics) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let n = Double(count), m = Double(other.count), total = n + m
        let delta = other.mean - mean
        mean += delta * m / total
        sumOfSquares += other.sumOfSquares + delta * delta * n * m / total
        count += other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// The unbiased sample variance (0 with fewer than two observations).
    public var variance: Double { count > 1 ? sumOfSquares / Double(count - 1) : 0 }

    /// The biased (maximum-likelihood) variance, as used by empirical Bernstein bounds.
    public var populationVariance: Double { count > 0 ? sumOfSquares / Double(count) : 0 }

    /// The standard error of the mean (0 with fewer than two observations).
    public var standardError: Double { count > 1 ? (variance / Double(count)).squareRoot() : 0 }
}
