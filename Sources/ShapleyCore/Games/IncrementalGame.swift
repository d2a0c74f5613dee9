/// A game whose value is a function of a small summary of the coalition that can be updated one
/// player at a time, so that a walk over a permutation costs O(1) per coalition instead of O(n).
///
/// Contract: updating a summary by ``inserting(_:into:)`` and ``removing(_:from:)`` gives exactly
/// the summary that ``summary(of:)`` computes from scratch (integer arithmetic, not floating-point
/// sums), so `value(of: summary)` is bit-identical to `values(of: [coalition])` whichever way the
/// summary was reached. ``IncrementalEvaluator`` relies on this to return the same results as
/// ``WorkEvaluator``.
public protocol IncrementalGame: Game {
    /// What the value depends on (for example the total importance of the members).
    associatedtype Summary: Sendable

    /// The summary of `coalition`, computed from scratch.
    func summary(of coalition: Coalition) -> Summary
    /// Updates `summary` for `player` joining the coalition (the player was not a member).
    func inserting(_ player: Int, into summary: inout Summary)
    /// Updates `summary` for `player` leaving the coalition (the player was a member).
    func removing(_ player: Int, from summary: inout Summary)
    /// The value of a coalition with this summary.
    func value(of summary: Summary) -> Double
}

extension Coalition {
    /// Calls `body` with each member in increasing order, without building an array.
    @inlinable
    public func forEachMember(_ body: (Int) throws -> Void) rethrows {
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                try body(w << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    /// Calls `body` with each player that is not a member, in increasing order.
    @inlinable
    public func forEachNonMember(_ body: (Int) throws -> Void) rethrows {
        let tail = playerCount & 63
        for (w, word) in words.enumerated() {
            var bits = ~word
            if tail != 0 && w == words.count - 1 { bits &= (UInt64(1) << UInt64(tail)) - 1 }
            while bits != 0 {
                try body(w << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }
}
