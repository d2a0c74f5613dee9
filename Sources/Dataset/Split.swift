/// A deterministic split of a data set into a validation part (where values are estimated) and a
/// test part (where they are checked).
///
/// Stratified: the classes are visited in an order shuffled by `seed`, each class's images in an
/// order shuffled by `seed`, and the k-th image of that sequence goes to validation when
/// `floor((k + 1) * f) > floor(k * f)`. The validation part then holds `floor(n * f)` images and
/// every class is divided in proportion, within one image, even when classes have one image each.
/// The shuffles use SplitMix64, so a seed gives the same split on every platform and release.
public struct Split: Sendable, Equatable {
    /// Indices of the validation images, ascending.
    public let validation: [Int]
    /// Indices of the test images, ascending.
    public let test: [Int]

    /// Splits `count` images (with `labels` when known) so that about `validationFraction` of them
    /// land in the validation part.
    public init(count: Int, labels: [Int]? = nil, validationFraction: Double, seed: UInt64) {
        precondition(validationFraction >= 0 && validationFraction <= 1, "the fraction is within [0, 1]")
        precondition(labels == nil || labels?.count == count, "one label per image")
        var rng = SplitMix64(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for i in 0..<count { byClass[labels?[i] ?? 0, default: []].append(i) }
        var classes = byClass.keys.sorted()
        rng.shuffle(&classes)
        var sequence: [Int] = []
        sequence.reserveCapacity(count)
        for c in classes {
            var members = byClass[c] ?? []
            rng.shuffle(&members)
            sequence += members
        }
        var validation: [Int] = [], test: [Int] = []
        for (k, index) in sequence.enumerated() {
            let before = Int((Double(k) * validationFraction).rounded(.down))
            let after = Int((Double(k + 1) * validationFraction).rounded(.down))
            if after > before { validation.append(index) } else { test.append(index) }
        }
        self.validation = validation.sorted()
        self.test = test.sorted()
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is fixed by its seed on
/// every platform, for shuffles that must be reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher-Yates shuffle written out here, rather than the standard library's, whose algorithm
    /// may change between releases. The modulo bias is below 2^-40 for arrays under 2^24 elements.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            array.swapAt(i, j)
        }
    }
}
