#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gauss-Legendre quadrature on [0, 1]: `m` nodes integrate every polynomial of degree below `2m`
/// exactly (up to rounding). Used to integrate the multilinear extension of a game, whose
/// derivative in one player is a polynomial of degree `n - 1`, so that Shapley values come out
/// exact without enumerating coalition sizes.
public struct GaussLegendre: Sendable {
    /// The nodes in (0, 1), increasing.
    public let nodes: [Double]
    /// The weights, summing to 1.
    public let weights: [Double]

    /// The rule with `count` nodes (Newton's method on the Legendre polynomial, started from
    /// Tricomi's approximation; accurate to about 1e-14 for a few thousand nodes).
    public init(count: Int) {
        precondition(count > 0, "a quadrature rule needs at least one node")
        var x = [Double](repeating: 0, count: count)
        var w = [Double](repeating: 0, count: count)
        let m = (count + 1) / 2
        let n = Double(count)
        for i in 0..<m {
            var z = cos(Double.pi * (Double(i) + 0.75) / (n + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = z
                if count == 1 { p1 = z; p0 = 1 } else {
                    for k in 2...count {
                        let pk = ((2 * Double(k) - 1) * z * p1 - (Double(k) - 1) * p0) / Double(k)
                        p0 = p1
                        p1 = pk
                    }
                }
                // p1 = P_n(z), p0 = P_{n-1}(z)
                derivative = n * (z * p1 - p0) / (z * z - 1)
                let step = p1 / derivative
                z -= step
                if abs(step) < 1e-16 { break }
            }
            if count == 1 { derivative = 1 }
            let weight = count == 1 ? 2.0 : 2 / ((1 - z * z) * derivative * derivative)
            // Map from [-1, 1] to [0, 1].
            x[i] = (1 - z) / 2
            x[count - 1 - i] = (1 + z) / 2
            w[i] = weight / 2
            w[count - 1 - i] = weight / 2
        }
        if count == 1 { x = [0.5]; w = [1] }
        nodes = x
        weights = w
    }
}
