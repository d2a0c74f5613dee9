import Foundation

/// Helpers over a row-major logits matrix `[N x classes]`.
///
/// Ties go to the lowest class index (as `numpy.argmax`); NaN entries never win.
public enum Logits {
    /// The top-1 class of row `row`.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>, row: Int, classes: Int) -> Int {
        let base = row * classes
        var best = 0
        var bestValue = -Float.infinity
        var found = false
        for c in 0..<classes {
            let v = logits[base + c]
            if v.isNaN { continue }
            if !found || v > bestValue {
                best = c
                bestValue = v
                found = true
            }
        }
        return best
    }

    /// The top-1 class of every row.
    public static func top1(_ logits: [Float], classes: Int) -> [Int] {
        precondition(classes > 0 && logits.count % classes == 0, "logits are [N x classes]")
        return logits.withUnsafeBufferPointer { buffer in
            (0..<(logits.count / classes)).map { argmax(buffer, row: $0, classes: classes) }
        }
    }

    /// Whether `label` is among the `k` largest entries of row `row`: fewer than `k` entries are
    /// larger than the label's, or equal to it with a lower index (the same tie rule as `argmax`).
    public static func isInTopK(_ logits: UnsafeBufferPointer<Float>, row: Int, classes: Int, label: Int, k: Int) -> Bool {
        let base = row * classes
        let target = logits[base + label]
        if target.isNaN { return false }
        var ahead = 0
        for c in 0..<classes where c != label {
            let v = logits[base + c]
            if v > target || (v == target && c < label) { ahead += 1 }
            if ahead >= k { return false }
        }
        return true
    }

    /// The fraction of rows whose label is in their top `k`.
    public static func topKAccuracy(_ logits: [Float], classes: Int, labels: [Int], k: Int) -> Double {
        precondition(logits.count == labels.count * classes, "one label per row")
        guard !labels.isEmpty else { return .nan }
        let hits = logits.withUnsafeBufferPointer { buffer in
            labels.indices.filter { isInTopK(buffer, row: $0, classes: classes, label: labels[$0], k: k) }.count
        }
        return Double(hits) / Double(labels.count)
    }

    /// The log-softmax of entry `label` of row `row`, computed in double precision.
    public static func logProbability(_ logits: UnsafeBufferPointer<Float>, row: Int, classes: Int, label: Int) -> Double {
        let base = row * classes
        var maximum = -Double.infinity
        for c in 0..<classes { maximum = max(maximum, Double(logits[base + c])) }
        var total = 0.0
        for c in 0..<classes { total += exp(Double(logits[base + c]) - maximum) }
        return Double(logits[base + label]) - maximum - log(total)
    }

    /// The log of one minus the softmax probability of entry `label` of row `row`: the
    /// log-probability that the top-1 is anything but `label`, in double precision. Computed as
    /// the log-sum-exp of the other entries minus that of all, so it stays finite when `label`
    /// takes nearly all the probability; `-infinity` for a single class.
    public static func logComplementProbability(_ logits: UnsafeBufferPointer<Float>, row: Int, classes: Int, label: Int) -> Double {
        let base = row * classes
        var maximum = -Double.infinity, othersMaximum = -Double.infinity
        for c in 0..<classes {
            let v = Double(logits[base + c])
            maximum = max(maximum, v)
            if c != label { othersMaximum = max(othersMaximum, v) }
        }
        guard othersMaximum > -Double.infinity else { return -.infinity }
        var total = 0.0, others = 0.0
        for c in 0..<classes {
            let v = Double(logits[base + c])
            total += exp(v - maximum)
            if c != label { others += exp(v - othersMaximum) }
        }
        return (othersMaximum + log(others)) - (maximum + log(total))
    }
}
