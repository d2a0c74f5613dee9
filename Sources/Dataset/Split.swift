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
