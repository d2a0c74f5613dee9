import Foundation

extension Metric {
    /// The metric's smooth counterpart: each image's hit replaced by the log-probability of the
    /// event the hit counts, aggregated as the metric is (a mean, or for the gap a difference of
    /// two group means). Removing a filter often changes no image's top-1, so many removals tie on
    /// a counting metric; the smooth counterpart still moves, in the same direction, and orders
    /// them (the run's leave-one-out ranking breaks its ties so).
    ///
    /// | metric | per-image smooth score |
    /// | --- | --- |
    /// | `accuracy`, `subgroupAccuracy`, `accuracyGap` | log-softmax of the label |
    /// | `classAccuracy(c)` | a class-`c` image: log p(c); any other image: log(1 − p(c)) |
    /// | `agreement` | log-softmax of the unablated model's top-1 |
    /// | `attackSuccess` | log-softmax of the attack's target |
    /// | `logProbability`, `trueClassLogit` | the metric's own score (already smooth) |
    ///
    /// It serves as an order among ties, not as a game of its own: an image the model gets wrong
    /// with confidence weighs far more in it than in the metric.
    public func smoothTally(logits: [Float], classes: Int, context: MetricContext) -> MetricTally {
        precondition(classes > 0 && logits.count % classes == 0, "logits are [N x classes]")
        var tally = MetricTally()
        logits.withUnsafeBufferPointer { buffer in
            for image in 0..<(logits.count / classes) {
                // A missing or out-of-range class (which the metric's validation refuses) scores -inf.
                func known(_ label: Int?, _ score: (Int) -> Double) -> Double {
                    guard let label, label >= 0, label < classes else { return -.infinity }
                    return score(label)
                }
                func logP(_ label: Int?) -> Double {
                    known(label) { Logits.logProbability(buffer, row: image, classes: classes, label: $0) }
                }
                let label = context.labels?[image]
                switch self {
                case .accuracy, .logProbability:
                    tally.add(logP(label))
                case .trueClassLogit:
                    tally.add(known(label) { Double(buffer[image * classes + $0]) })
                case .classAccuracy(let c):
                    tally.add(label == c ? logP(c) : Logits.logComplementProbability(buffer, row: image, classes: classes, label: c))
                case .agreement:
                    tally.add(logP(context.reference?[image]))
                case .subgroupAccuracy(let g):
                    if context.groups?[image] == g { tally.add(logP(label)) }
                case .accuracyGap(let a, let b):
                    let group = context.groups?[image]
                    if group == a { tally.add(logP(label)) }
                    if group == b { tally.add(logP(label), second: true) }
                case .attackSuccess:
                    tally.add(logP(context.targets?[image]))
                }
            }
        }
        return tally
    }

    /// The smooth counterpart's value on a whole set of logits (see ``smoothTally(logits:classes:context:)``).
    public func smoothValue(logits: [Float], classes: Int, context: MetricContext) -> Double {
        smoothTally(logits: logits, classes: classes, context: context).value(for: self)
    }
}
