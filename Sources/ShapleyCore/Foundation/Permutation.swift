/// Orders of players drawn from a run's counter-based stream: sample `index` of run `seed` always
/// yields the same order, on any machine and in any process.
public enum Permutation {
    /// The order of sample `index` over players `0..<playerCount` (Fisher-Yates on stream
    /// `(seed, index)`). Sample indices below 2^48 are supported.
    public static func order(seed: UInt64, index: UInt64, playerCount: Int) -> [Int32] {
        var order = (0..<Int32(playerCount)).map { $0 }
        var stream = RandomStream(seed: seed, index: index, purpose: 0)
        if playerCount > 1 {
            for i in stride(from: playerCount - 1, to: 0, by: -1) {
                let j = stream.uniform(below: i + 1)
                order.swapAt(i, j)
            }
        }
        return order
    }

    /// The coalition left after removing the first `removed` players of `order` from the full set.
    public static func coalition(order: [Int32], removed: Int) -> Coalition {
        precondition(removed >= 0 && removed <= order.count, "removed must be in 0...\(order.count)")
        var c = Coalition(full: order.count)
        for p in order[0..<removed] { c.remove(Int(p)) }
        return c
    }
}
