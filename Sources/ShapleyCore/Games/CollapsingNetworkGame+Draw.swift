#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CollapsingNetworkGame {
    /// Fixed-point scale: the positive importance of all players sums to about 2^40, far from
    /// overflow for any number of players and fine enough for any realistic importance ratio.
    static let fixedPointTotal = 1099511627776.0

    /// Draws importances, harmful players and redundant pairs from the configuration's seed.
    static func draw(_ c: Configuration) -> (weights: [Int64], pairOf: [Int32], pairs: [(Int32, Int32)], provable: Int) {
        let n = c.playerCount
        var stream = RandomStream(seed: c.seed, index: 0, purpose: 0x636e)
        let dominant = max(0, min(c.dominantCount, n / 10))
        var raw = [Double](repeating: 0, count: n)
        var tailPositive = 0.0
        for i in dominant..<n {
            // Box-Muller: a standard normal from two uniforms.
            let u1 = max(stream.unit(), 0x1p-60), u2 = stream.unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            var w = exp(c.tailSpread * z)
            if stream.unit() < c.harmfulFraction { w = -c.harmfulScale * w } else { tailPositive += w }
            raw[i] = w
        }
        let dominantTotal = tailPositive * c.dominantShare / (1 - c.dominantShare)
        if dominant > 0 {
            let norm = c.dominantDecay == 1 ? Double(dominant)
                : (1 - pow(c.dominantDecay, Double(dominant))) / (1 - c.dominantDecay)
            for j in 0..<dominant { raw[j] = dominantTotal * pow(c.dominantDecay, Double(j)) / norm }
        }
        // Scatter the importances over player indices, so that rank says nothing about index.
        for i in stride(from: n - 1, to: 0, by: -1) { raw.swapAt(i, stream.uniform(below: i + 1)) }
        let scale = fixedPointTotal / (tailPositive + dominantTotal)
        var weights = raw.map { Int64(($0 * scale).rounded()) }

        let provable = min(c.provableRank, n / 2)
        let ranked = weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
        var candidates = ranked.dropFirst(provable).filter { weights[$0] > 0 }
        for i in stride(from: candidates.count - 1, to: 0, by: -1) { candidates.swapAt(i, stream.uniform(below: i + 1)) }
        let pairCount = Int(c.redundantFraction * Double(candidates.count)) / 2
        var pairOf = [Int32](repeating: -1, count: n)
        var pairs: [(Int32, Int32)] = []
        for p in 0..<pairCount {
            let a = candidates[2 * p], b = candidates[2 * p + 1]
            let w = max(weights[a], weights[b])
            weights[a] = w
            weights[b] = w
            pairOf[a] = Int32(p)
            pairOf[b] = Int32(p)
            pairs.append((Int32(a), Int32(b)))
        }
        return (weights, pairOf, pairs, provable)
    }
}
