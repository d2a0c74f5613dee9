/// Orders of players drawn from a run's counter-based stream: sample `index` of run `seed` always
/// yields the same order, on any machine and in any process.
public enum Permutation {
    /// The bit of a sample index that asks for the reversed order of the sample named by the other
    /// bits: `order(seed:index: i | reversedBit, ...)` is `order(seed:index: i, ...)` reversed.
    /// This is the antithetic partner of a permutation walk, expressible as a plain sample index so
    /// that workers rebuild it from the seed like any other sample.
    public static let reversedBit: UInt64 = 1 << 47

    /// The sample index of the reversed order of sample `index` (and back again).
    public static func antithetic(of index: UInt64) -> UInt64 { index ^ reversedBit }

    /// The order of sample `index` over players `0..<playerCount` (Fisher-Yates on stream
    /// `(seed, index)`). Sample indices below 2^47 are supported; bit 47 (``reversedBit``) reverses
    /// the order of the sample named by the lower bits.
    public static func order(seed: UInt64, index: UInt64, playerCount: Int) -> [Int32] {
        var order = (0..<Int32(playerCount)).map { $0 }
        var stream = RandomStream(seed: seed, index: index & ~reversedBit, purpose: 0)
        if playerCount > 1 {
            for i in stride(from: playerCount - 1, to: 0, by: -1) {
                let j = stream.uniform(below: i + 1)
                order.swapAt(i, j)
            }
        }
        if index & reversedBit != 0 { order.reverse() }
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
