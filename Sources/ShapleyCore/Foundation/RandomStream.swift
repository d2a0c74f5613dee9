/// A counter-based random stream: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy
/// as 1, 2, 3", SC 2011) keyed by a run seed and a stream index.
///
/// Draw `j` of stream `(seed, index)` is a pure function of the three numbers, so any sample of a
/// run can be recomputed by any process, in any order: this is what makes distributed runs give the
/// same estimates whatever the number of workers. Streams with different indices are independent
/// for all practical purposes (Philox passes BigCrush for every key and counter).
public struct RandomStream: RandomNumberGenerator, Sendable {
    /// The run seed (the Philox key).
    public let seed: UInt64
    /// The stream index, typically the sample index (the high half of the Philox counter).
    public let index: UInt64
    private var block: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    /// The stream `index` of run `seed`, positioned at its first draw.
    public init(seed: UInt64, index: UInt64) {
        self.seed = seed
        self.index = index
    }

    /// A stream for a sub-purpose of a sample (for example the coalition size versus the order),
    /// derived without collisions for `purpose < 2^16` and `index < 2^48`.
    public init(seed: UInt64, index: UInt64, purpose: UInt16) {
        self.init(seed: seed, index: index ^ (UInt64(purpose) << 48))
    }

    /// The raw Philox-4x32-10 block for a key and a 128-bit counter.
    @inlinable
    public static func philox(key: UInt64, counter: (UInt64, UInt64)) -> (UInt32, UInt32, UInt32, UInt32) {
        let m0: UInt64 = 0xD251_1F53, m1: UInt64 = 0xCD9E_8D57
        let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        var c0 = UInt32(truncatingIfNeeded: counter.0), c1 = UInt32(truncatingIfNeeded: counter.0 >> 32)
        var c2 = UInt32(truncatingIfNeeded: counter.1), c3 = UInt32(truncatingIfNeeded: counter.1 >> 32)
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = m0 &* UInt64(c0), p1 = m1 &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if used == 4 {
            buffer = Self.philox(key: seed, counter: (block, index))
            block &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let hi = UInt64(next32())
        return hi << 32 | UInt64(next32())
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject method).
    public mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "the bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
