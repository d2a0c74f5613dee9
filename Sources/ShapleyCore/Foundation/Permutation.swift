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

    /// The lowest of the two bits of a sample index that rotate the order by quarters:
    /// `order(seed:index: i | r << rotationShift, ...)` is `order(seed:index: i, ...)` rotated left
    /// by `r·⌊n/4⌋` positions (`r` in 0...3). Four walks along the four rotations of one order start
    /// every player in the first quarter of exactly one of them: walks that are cut short (their
    /// value collapsed) still reach every player, each walk on its own a uniformly random order.
    public static let rotationShift: UInt64 = 45

    /// The sample index of order `index` rotated by `quarters` quarters (0...3).
    public static func rotated(_ index: UInt64, quarters: Int) -> UInt64 {
        precondition((0...3).contains(quarters), "quarters must be in 0...3")
        return (index & ~(3 << rotationShift)) | UInt64(quarters) << rotationShift
    }

    /// The order of sample `index` over players `0..<playerCount` (Fisher-Yates on stream
    /// `(seed, index)`). Sample indices below 2^45 are supported; bits 45-46 rotate the order
    /// (``rotated(_:quarters:)``) and then bit 47 (``reversedBit``) reverses it.
    ///
    /// The draws are exactly those of `RandomStream(seed: seed, index: index, purpose: 0)` and its
    /// `uniform(below:)`, taken two 64-bit draws per Philox block without the general stream's
    /// bookkeeping (the order of 20,000 players is rebuilt for every sample, so this is hot).
    public static func order(seed: UInt64, index: UInt64, playerCount: Int) -> [Int32] {
        let n = max(0, playerCount)
        var order = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i) }
            count = n
        }
        var draws = PairedDraws(key: seed, stream: index & ~(reversedBit | 3 << rotationShift))
        order.withUnsafeMutableBufferPointer { buffer in
            var i = n - 1
            while i > 0 {
                buffer.swapAt(i, Int(draws.uniform(below: UInt64(i + 1))))
                i -= 1
            }
        }
        let quarters = Int((index >> rotationShift) & 3)
        if quarters > 0 && n > 0 {
            let shift = quarters * (n / 4)
            order = Array(order[shift...] + order[..<shift])
        }
        if index & reversedBit != 0 { order.reverse() }
        return order
    }

    /// Each player's position in `order` (the inverse permutation): `positions(of: order)[order[p]] == p`.
    public static func positions(of order: [Int32]) -> [Int32] {
        var position = [Int32](repeating: 0, count: order.count)
        for (p, player) in order.enumerated() { position[Int(player)] = Int32(p) }
        return position
    }

    /// The 64-bit draws of a ``RandomStream`` (high word first, then low word), two per block.
    struct PairedDraws {
        let key: UInt64
        let stream: UInt64
        var block: UInt64 = 0
        var words: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        var half = 2 // 0: first pair next, 1: second pair next, 2: block spent

        init(key: UInt64, stream: UInt64) {
            self.key = key
            self.stream = stream
        }

        @inline(__always)
        mutating func next() -> UInt64 {
            if half == 2 {
                words = RandomStream.philox(key: key, counter: (block, stream))
                block &+= 1
                half = 0
            }
            defer { half += 1 }
            return half == 0 ? UInt64(words.0) << 32 | UInt64(words.1) : UInt64(words.2) << 32 | UInt64(words.3)
        }

        /// Lemire's multiply-and-reject, as ``RandomStream/uniform(below:)``.
        @inline(__always)
        mutating func uniform(below bound: UInt64) -> UInt64 {
            var m = next().multipliedFullWidth(by: bound)
            if m.low < bound {
                let threshold = (0 &- bound) % bound
                while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
            }
            return m.high
        }
    }

    /// The coalition left after removing the first `removed` players of `order` from the full set.
    public static func coalition(order: [Int32], removed: Int) -> Coalition {
        precondition(removed >= 0 && removed <= order.count, "removed must be in 0...\(order.count)")
        var c = Coalition(full: order.count)
        for p in order[0..<removed] { c.remove(Int(p)) }
        return c
    }
}
