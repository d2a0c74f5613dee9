/// A proposal distribution over base-coalition sizes `0...n` for importance sampling of marginal
/// contributions, learned from the squared marginals seen in each size bin.
///
/// Background: if a base coalition `B` has a size `s` drawn uniformly from `0...n` and is then
/// uniform among coalitions of that size, the marginal of `i` against it (`v(B∪i) − v(B)` when
/// `i ∉ B`, `v(B) − v(B∖i)` when `i ∈ B`) is an unbiased sample of `φᵢ`. Drawing `s` from `q`
/// instead and weighting by `ω(s) = 1/((n+1)·q(s))` keeps it unbiased for every `q` that never
/// vanishes. The variance is smallest for `q(s) ∝ √E[m²|s]`: sizes where marginals are zero (a
/// collapsed network, or a saturated one) get few samples. The proposal here is piecewise
/// constant over ``binCount`` bins, `q ∝ (1−ε)·L_h·√M_h + ε·uniform` with `M_h` the mean squared
/// marginal seen in bin `h` and `ε` the ``defensiveShare``, which bounds every weight by `1/ε`.
public struct SizeProposal: Hashable, Sendable {
    /// The number of players.
    public let playerCount: Int
    /// Bin boundaries: bin `h` holds sizes `lower[h]..<lower[h+1]` (the last bin ends at `n + 1`).
    public let lower: [Int]
    /// The probability of each bin.
    public private(set) var probabilities: [Double]
    /// The share of the uniform proposal mixed in, which bounds the weights by `1/ε`.
    public let defensiveShare: Double
    private var squares: [Double]
    private var counts: [Double]

    /// A uniform proposal over `0...playerCount` in `binCount` bins of (nearly) equal width.
    public init(playerCount: Int, binCount: Int = 32, defensiveShare: Double = 0.15) {
        let sizes = playerCount + 1
        let bins = max(1, min(binCount, sizes))
        self.playerCount = playerCount
        self.lower = (0...bins).map { $0 * sizes / bins }
        self.defensiveShare = defensiveShare
        self.probabilities = (0..<bins).map { Double((($0 + 1) * sizes / bins) - ($0 * sizes / bins)) / Double(sizes) }
        self.squares = Array(repeating: 0, count: bins)
        self.counts = Array(repeating: 0, count: bins)
    }

    /// The number of bins.
    public var binCount: Int { probabilities.count }

    /// The number of sizes in bin `h`.
    public func width(_ h: Int) -> Int { lower[h + 1] - lower[h] }

    /// The bin holding size `s`.
    public func bin(of s: Int) -> Int {
        var lo = 0, hi = binCount - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lower[mid] <= s { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// A size drawn from the proposal with `stream`.
    public func draw(_ stream: inout RandomStream) -> Int {
        var u = stream.unit()
        var h = 0
        while h < binCount - 1 && u >= probabilities[h] {
            u -= probabilities[h]
            h += 1
        }
        return lower[h] + stream.uniform(below: max(1, width(h)))
    }

    /// The size at quantile `u ∈ [0, 1)` of the proposal (its inverse distribution function): a
    /// uniform `u` gives a size distributed as ``draw(_:)`` does; evenly spread `u`s give sizes
    /// stratified over the proposal.
    public func size(atQuantile u: Double) -> Int {
        var rest = min(max(u, 0), 1)
        var h = 0
        while h < binCount - 1 && rest >= probabilities[h] {
            rest -= probabilities[h]
            h += 1
        }
        let within = probabilities[h] > 0 ? rest / probabilities[h] : 0
        return lower[h] + min(width(h) - 1, max(0, Int(within * Double(width(h)))))
    }

    /// The importance weight `1/((n+1)·q(s))` of size `s`.
    public func weight(of s: Int) -> Double {
        let h = bin(of: s)
        return Double(width(h)) / (Double(playerCount + 1) * probabilities[h])
    }

    /// Records a squared marginal seen at size `s` (unweighted).
    public mutating func record(square: Double, at s: Int, count: Double = 1) {
        let h = bin(of: s)
        squares[h] += square
        counts[h] += count
    }

    /// Recomputes the bin probabilities from the recorded squares. Bins never sampled borrow the
    /// largest mean square seen (so they are explored, not starved).
    public mutating func update() {
        let seen = (0..<binCount).filter { counts[$0] > 0 }
        guard !seen.isEmpty else { return }
        let maxMean = seen.map { squares[$0] / counts[$0] }.max() ?? 0
        var raw = (0..<binCount).map { h -> Double in
            let m = counts[h] > 0 ? squares[h] / counts[h] : maxMean
            return Double(width(h)) * m.squareRoot()
        }
        let total = raw.reduce(0, +)
        let sizes = Double(playerCount + 1)
        if total > 0 {
            for h in raw.indices { raw[h] = (1 - defensiveShare) * raw[h] / total + defensiveShare * Double(width(h)) / sizes }
        } else {
            for h in raw.indices { raw[h] = Double(width(h)) / sizes }
        }
        probabilities = raw
    }
}
