#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The glove game: players `0..<left` hold a left glove, the others a right glove, and a coalition
/// is worth the number of pairs it can form, `min(#left, #right)`.
///
/// A left glove adds a pair exactly when the coalition it joins holds more right than left gloves,
/// so its Shapley value is `Σ_{a<b} C(L−1,a)·C(R,b) / (n·C(n−1,a+b))` over `a` left and `b` right
/// gloves already present (and symmetrically for right gloves): ``exactShapleyValues()`` sums it in
/// `O(L·R)` with log-binomials.
public struct GloveGame: IncrementalGame {
    /// The number of left gloves (players `0..<left`).
    public let left: Int
    /// The number of right gloves (players `left..<left+right`).
    public let right: Int

    /// A game with `left` left gloves and `right` right gloves.
    public init(left: Int, right: Int) throws {
        guard left >= 0, right >= 0, left + right >= 1 else {
            throw ShapleyError.invalidOption(name: "gloves", value: "\(left) left, \(right) right",
                                             expected: "non-negative counts with at least one glove")
        }
        self.left = left
        self.right = right
    }

    public var playerCount: Int { left + right }

    /// (left gloves, right gloves) in the coalition.
    public struct Counts: Hashable, Sendable {
        /// Left gloves present.
        public var left: Int
        /// Right gloves present.
        public var right: Int
    }

    public func summary(of coalition: Coalition) -> Counts {
        var l = 0
        coalition.forEachMember { if $0 < left { l += 1 } }
        return Counts(left: l, right: coalition.count - l)
    }

    public func inserting(_ player: Int, into summary: inout Counts) {
        if player < left { summary.left += 1 } else { summary.right += 1 }
    }

    public func removing(_ player: Int, from summary: inout Counts) {
        if player < left { summary.left -= 1 } else { summary.right -= 1 }
    }

    public func value(of summary: Counts) -> Double { Double(min(summary.left, summary.right)) }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { value(of: summary(of: $0)) }
    }

    /// The exact Shapley values (see the type's documentation).
    public func exactShapleyValues() -> [Double] {
        let l = Self.pivotalValue(own: left, other: right)
        let r = Self.pivotalValue(own: right, other: left)
        return (0..<playerCount).map { $0 < left ? l : r }
    }

    /// The Shapley value of one glove among `own` gloves of its kind and `other` of the other kind.
    static func pivotalValue(own: Int, other: Int) -> Double {
        guard own > 0 else { return 0 }
        let n = own + other
        func logChoose(_ a: Int, _ b: Int) -> Double {
            lgamma(Double(a + 1)) - lgamma(Double(b + 1)) - lgamma(Double(a - b + 1))
        }
        var sum = 0.0
        for a in 0..<own {
            guard a + 1 <= other else { break }
            for b in (a + 1)...other {
                sum += exp(logChoose(own - 1, a) + logChoose(other, b) - logChoose(n - 1, a + b))
            }
        }
        return sum / Double(n)
    }
}
