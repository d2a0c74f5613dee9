extension Coalition {
    /// `Σ weights[i]` over the members, in exact integer arithmetic: summed over the members or
    /// subtracted over the non-members from `total`, whichever side is smaller (`total` must be the
    /// sum of all weights).
    @inlinable
    public func weightedSum(_ weights: [Int64], total: Int64) -> Int64 {
        precondition(weights.count == playerCount, "one weight per player")
        if count * 2 <= playerCount {
            var sum: Int64 = 0
            forEachMember { sum &+= weights[$0] }
            return sum
        } else {
            var sum = total
            forEachNonMember { sum &-= weights[$0] }
            return sum
        }
    }
}
