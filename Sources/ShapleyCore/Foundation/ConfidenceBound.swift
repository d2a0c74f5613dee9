#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A rule that turns running statistics into a two-sided confidence interval for the mean.
public enum ConfidenceBound: Hashable, Sendable, Codable {
    /// The normal (central-limit) interval `mean ± z · sd/√n`. Asymptotic: with few observations or
    /// heavy tails it under-covers. `z = 1.96` is a 95% interval.
    case normal(z: Double)
    /// The empirical Bernstein interval of Audibert, Munos & Szepesvári (2009) for observations in
    /// a range of width `range`, holding with probability at least `1 - delta` for each player:
    /// `mean ± (√(2·V·ln(3/δ)/n) + 3·R·ln(3/δ)/n)` with `V` the biased sample variance.
    /// Valid at every sample size, conservative in practice.
    case empiricalBernstein(delta: Double, range: Double)
    /// The empirical Bernstein interval of Maurer & Pontil (2009, Theorem 4), as the original Neuron
    /// Shapley code uses it: `mean ± (√(2·V·ln(2/δ)/n) + 7·R·ln(2/δ)/(3·(n−1)))` with `V` the
    /// unbiased sample variance; infinite with fewer than two observations.
    case maurerPontil(delta: Double, range: Double)

    /// The half-width of the interval for `stats` (infinite with no observations).
    public func halfWidth(_ stats: RunningStatistics) -> Double {
        guard stats.count > 0 else { return .infinity }
        let n = Double(stats.count)
        switch self {
        case .normal(let z):
            guard stats.count > 1 else { return .infinity }
            return z * stats.standardError
        case .empiricalBernstein(let delta, let range):
            let l = log(3 / delta)
            return (2 * stats.populationVariance * l / n).squareRoot() + 3 * range * l / n
        case .maurerPontil(let delta, let range):
            guard stats.count > 1 else { return .infinity }
            let l = log(2 / delta)
            return (2 * stats.variance * l / n).squareRoot() + 7 * range * l / (3 * (n - 1))
        }
    }

    /// The interval `[lower, upper]` for the mean of `stats`.
    public func interval(_ stats: RunningStatistics) -> ClosedRange<Double> {
        let h = halfWidth(stats)
        if h.isInfinite { return -Double.infinity...Double.infinity }
        return (stats.mean - h)...(stats.mean + h)
    }

    /// The z value of a two-sided normal interval with coverage `level` (for example 0.95 → 1.96).
    public static func z(coverage level: Double) -> Double {
        precondition(level > 0 && level < 1, "coverage must be in (0, 1)")
        return inverseNormalCDF(0.5 + level / 2)
    }

    /// The standard normal quantile (Acklam's rational approximation refined by one Newton step;
    /// absolute error below 1e-12).
    public static func inverseNormalCDF(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "p must be in (0, 1)")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r+a[5])*q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r+1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
