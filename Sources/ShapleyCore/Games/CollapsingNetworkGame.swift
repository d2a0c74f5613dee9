#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A synthetic stand-in for ablating the filters of a convolutional network: every player (filter)
/// carries an importance, and the value (accuracy) depends on the importance that remains.
///
/// `v(S) = c + (a − c) · y(S)^γ` with `y(S) = max(0, (x(S) − θ) / (1 − θ))`, capped at 1 and, when
/// ``Configuration/images`` is positive, rounded to a multiple of `1/images` like an accuracy
/// measured on that many images. `x(S)` is the fraction of the total importance the coalition keeps,
/// `a` the full network's value and `c` chance: the network falls to chance once the remaining
/// importance drops below `θ`, as real networks do after a fraction of their filters is removed.
/// Importances: a few dominant players carrying a given share, a long log-normal tail, a fraction of
/// harmful players (negative importance: removing them helps), and optional redundant pairs whose
/// importance counts once when either member is present.
///
/// Known answer. For two players `i`, `j` that are not in redundant pairs, `φᵢ − φⱼ` is a positive
/// combination of `v(S∪i) − v(S∪j)` over `S ⊆ N∖{i,j}`, and each term has the sign of `wᵢ − wⱼ`
/// because the value is a nondecreasing function of the kept importance. A pair member can only
/// rank below an unpaired player of larger importance by the same argument. Pairs are drawn only
/// among players ranked beyond ``provableRank``, so the top-K by importance is the true Shapley
/// top-K for every `K ≤ provableRank`, in order. (With rounding the inequalities are weak: a tie
/// would need no coalition to straddle a rounding step, which distinct importances never give in
/// practice.) Exact values for small games come from ``ExactShapley``.
///
/// Importances are fixed-point integers, so the value does not depend on the order in which a
/// coalition's importance is summed: walks and toggles are O(1) per coalition through
/// ``IncrementalGame``.
public struct CollapsingNetworkGame: IncrementalGame {
    /// The parameters of the game; the defaults mimic an ImageNet classifier on 500 images.
    public struct Configuration: Hashable, Sendable {
        /// The number of players (filters).
        public var playerCount: Int
        /// The seed from which importances are drawn.
        public var seed: UInt64
        /// The value of the full network (`a`), 0.75 by default.
        public var fullValue: Double = 0.75
        /// The value of a collapsed network (`c`, chance), 0.001 by default (1,000 classes).
        public var chance: Double = 0.001
        /// The number of dominant players, 10 by default (fewer if the game is small).
        public var dominantCount: Int = 10
        /// The share of the total importance the dominant players hold together, 0.25 by default.
        public var dominantShare: Double = 0.25
        /// The ratio between consecutive dominant importances, 0.85 by default.
        public var dominantDecay: Double = 0.85
        /// The log-normal spread (σ of the logarithm) of the tail's importances, 1 by default.
        public var tailSpread: Double = 1
        /// The fraction of tail players that are harmful, 0.05 by default.
        public var harmfulFraction: Double = 0.05
        /// The magnitude of a harmful player's importance relative to a normal one, 0.5 by default.
        public var harmfulScale: Double = 0.5
        /// The kept-importance fraction `θ` below which the network is at chance, 0.6 by default.
        public var collapseAt: Double = 0.6
        /// The shape `γ` of the decline (below 1: flat at first, then a sharp collapse), 0.5 by default.
        public var shape: Double = 0.5
        /// The number of images the accuracy is measured on (values are multiples of its inverse);
        /// 0 for a continuous value. 500 by default.
        public var images: Int = 500
        /// The fraction of the players ranked beyond ``provableRank`` that form redundant pairs,
        /// 0.1 by default.
        public var redundantFraction: Double = 0.1
        /// Redundant pairs are drawn only beyond this importance rank, which keeps the top-K known
        /// for `K ≤ provableRank`; 200 by default (half the players in smaller games).
        public var provableRank: Int = 200

        /// The default configuration for `playerCount` players and `seed`.
        public init(playerCount: Int, seed: UInt64) {
            self.playerCount = playerCount
            self.seed = seed
        }
    }

    /// The configuration the game was built from.
    public let configuration: Configuration
    /// Fixed-point importance of each player; pair members carry the pair's importance.
    public let weights: [Int64]
    /// For each player, the index of its redundant pair, or -1.
    public let pairOf: [Int32]
    /// The members of each redundant pair.
    public let pairs: [(Int32, Int32)]
    /// The importance of the full coalition (each pair counted once).
    public let totalWeight: Int64
    /// The rank up to which the true top-K is known (see the type's documentation).
    public let provableRank: Int

    /// The game for `configuration`.
    public init(_ configuration: Configuration) throws {
        let n = configuration.playerCount
        guard n >= 2 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(n)", expected: "at least 2 players")
        }
        func check(_ ok: Bool, _ name: String, _ value: Double, _ expected: String) throws {
            if !ok { throw ShapleyError.invalidOption(name: name, value: "\(value)", expected: expected) }
        }
        let c = configuration
        try check(c.collapseAt >= 0 && c.collapseAt < 1, "collapse point", c.collapseAt, "a fraction in [0, 1)")
        try check(c.dominantShare >= 0 && c.dominantShare < 1, "dominant share", c.dominantShare, "a fraction in [0, 1)")
        try check(c.harmfulFraction >= 0 && c.harmfulFraction <= 0.5, "harmful fraction", c.harmfulFraction, "a fraction in [0, 0.5]")
        try check(c.redundantFraction >= 0 && c.redundantFraction <= 1, "redundant fraction", c.redundantFraction, "a fraction in [0, 1]")
        try check(c.shape > 0, "shape", c.shape, "a positive exponent")
        try check(c.fullValue > c.chance, "full value", c.fullValue, "a value above chance (\(c.chance))")
        try check(c.images >= 0, "images", Double(c.images), "a non-negative count")
        self.configuration = c
        (weights, pairOf, pairs, provableRank) = Self.draw(c)
        var total: Int64 = 0
        for (i, w) in weights.enumerated() where pairOf[i] < 0 { total += w }
        for (a, _) in pairs { total += weights[Int(a)] }
        totalWeight = total
    }

    /// The game with the default configuration for `playerCount` players and `seed`.
    public init(playerCount: Int, seed: UInt64) throws {
        try self.init(Configuration(playerCount: playerCount, seed: seed))
    }

    public var playerCount: Int { weights.count }

    public var chanceLevel: Double? { configuration.chance }

    /// The true top-`k` players, best first (valid for `k ≤ provableRank`).
    public func trueTopK(_ k: Int) -> [Int] {
        precondition(k >= 0 && k <= provableRank, "the top-k is known for k ≤ \(provableRank)")
        return Array(importanceRanking.prefix(k))
    }

    /// Players by decreasing importance (ties by index); the Shapley ranking up to ``provableRank``.
    public var importanceRanking: [Int] {
        weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
    }

    /// The kept importance and, for each redundant pair, how many members are present.
    public struct Summary: Sendable {
        /// The kept importance (pairs counted once when any member is present).
        public var kept: Int64
        /// Members present per pair.
        public var pairMembers: [UInt8]
    }

    public func summary(of coalition: Coalition) -> Summary {
        precondition(coalition.playerCount == playerCount, "coalition has \(coalition.playerCount) players, game has \(playerCount)")
        var s = Summary(kept: 0, pairMembers: [UInt8](repeating: 0, count: pairs.count))
        if coalition.count * 2 <= playerCount {
            coalition.forEachMember { inserting($0, into: &s) }
        } else {
            s.kept = totalWeight
            for p in s.pairMembers.indices { s.pairMembers[p] = 2 }
            coalition.forEachNonMember { removing($0, from: &s) }
        }
        return s
    }

    public func inserting(_ player: Int, into s: inout Summary) {
        let p = Int(pairOf[player])
        if p < 0 { s.kept += weights[player]; return }
        if s.pairMembers[p] == 0 { s.kept += weights[player] }
        s.pairMembers[p] += 1
    }

    public func removing(_ player: Int, from s: inout Summary) {
        let p = Int(pairOf[player])
        if p < 0 { s.kept -= weights[player]; return }
        s.pairMembers[p] -= 1
        if s.pairMembers[p] == 0 { s.kept -= weights[player] }
    }

    public func value(of s: Summary) -> Double {
        let c = configuration
        let x = Double(s.kept) / Double(totalWeight)
        let y = max(0, (x - c.collapseAt) / (1 - c.collapseAt))
        var v = min(1, c.chance + (c.fullValue - c.chance) * pow(y, c.shape))
        if c.images > 0 { v = (v * Double(c.images)).rounded() / Double(c.images) }
        return v
    }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { value(of: summary(of: $0)) }
    }
}
