/// A set of removed units (global unit indices), applied to one evaluation.
public struct Mask: Hashable, Sendable, CustomStringConvertible {
    /// The removed units, sorted, without duplicates.
    public let removed: [Int]

    /// A mask removing `units` (global indices).
    public init<S: Sequence>(removing units: S) where S.Element == Int {
        removed = Array(Set(units)).sorted()
    }

    /// A mask removing `units`.
    public init(removing units: [Unit]) {
        self.init(removing: units.map(\.index))
    }

    /// A mask removing the units whose bits are set in `words` (bit `i % 64` of word `i / 64` is
    /// unit `i`), e.g. the complement of a coalition.
    public init(removedBits words: [UInt64], unitCount: Int) {
        var r: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            var x = word
            while x != 0 {
                let i = w * 64 + x.trailingZeroBitCount
                if i < unitCount { r.append(i) }
                x &= x - 1
            }
        }
        removed = r
    }

    /// The mask removing nothing.
    public static let none = Mask(removing: [Int]())

    /// Whether nothing is removed.
    public var isEmpty: Bool { removed.isEmpty }

    /// A short summary.
    public var description: String { "Mask(\(removed.count) removed)" }

    /// The removed units grouped by conv layer (index into `model.convLayers`). `removed` is sorted,
    /// so each layer's units are one run of it. Every unit must exist in `model`.
    func removedByLayer(in model: Model) -> [Int: ArraySlice<Int>] {
        var runs: [Int: ArraySlice<Int>] = [:]
        var start = 0
        while start < removed.count {
            let layer = model.unit(index: removed[start]).layer
            let limit = model.convLayers[layer].firstUnit + model.convLayers[layer].channels
            var end = start + 1
            while end < removed.count && removed[end] < limit { end += 1 }
            runs[layer] = removed[start..<end]
            start = end
        }
        return runs
    }
}
