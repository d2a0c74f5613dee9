import Foundation

/// A value function: what the game measures on a set of images from the model's logits.
///
/// Every metric but the gap is a mean over images of a per-image score; `MetricTally` accumulates
/// scores batch by batch, so a data set can be evaluated in any number of batches, in any order.
///
/// | metric | per-image score | needs | chance level | higher is better |
/// | --- | --- | --- | --- | --- |
/// | `accuracy` | top-1 prediction equals the label | labels | 1/K | yes |
/// | `classAccuracy(c)` | a class-`c` image predicted as `c`; any other image predicted as anything but `c` | labels | 1/2 | yes |
/// | `logProbability` | log-softmax of the true class | labels | -ln K | yes |
/// | `trueClassLogit` | logit of the true class | labels | none | yes |
/// | `agreement` | top-1 equals the unablated model's top-1 | reference predictions | 1/K | yes |
/// | `subgroupAccuracy(g)` | accuracy over the images of group `g` only | labels, groups | 1/K | yes |
/// | `accuracyGap(a, b)` | accuracy on group `a` minus accuracy on group `b` | labels, groups | 0 | no |
/// | `attackSuccess` | top-1 equals the image's attack target | targets | 1/K | no |
///
/// The chance level is the metric's expected value for a model whose outputs carry no
/// information (uniform random top-1, uniform probabilities): where the value of a coalition
/// settles as more filters are removed, so truncated estimators stop there. For `classAccuracy`
/// it assumes the paper's balanced data set (`LabeledImages.classBalancedIndices`): as many
/// other-class images as class images. The true-class logit has no model-free chance level.
/// "Higher is better" says whether a larger value means the model does its job better: the gap
/// and the attack's success are harms, so removing the filters with the largest values helps.
public enum Metric: Sendable, Hashable, CustomStringConvertible {
    /// Top-1 accuracy.
    case accuracy
    /// The original's binary metric for one class.
    case classAccuracy(Int)
    /// Mean log-probability of the true class.
    case logProbability
    /// Mean logit of the true class.
    case trueClassLogit
    /// Agreement with the unablated model's top-1 (no labels needed).
    case agreement
    /// Accuracy on one group of images.
    case subgroupAccuracy(String)
    /// Accuracy on the first group minus accuracy on the second.
    case accuracyGap(String, String)
    /// Fraction of adversarial images classified as their target.
    case attackSuccess

    /// Parses `accuracy`, `class:N`, `logprob`, `logit`, `agreement`, `subgroup:NAME`,
    /// `gap:A,B` or `attack`; `class:` also takes a WordNet ID or class name when `classes` is given.
    public init(parsing text: String, classes: ClassLabels? = nil) throws(DatasetError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first?.lowercased() ?? ""
        let argument = parts.count > 1 ? parts[1] : nil
        func fail(_ reason: String) -> DatasetError { .invalidMetric(text, reason: reason) }
        switch (name, argument) {
        case ("accuracy", nil), ("top1", nil): self = .accuracy
        case ("logprob", nil): self = .logProbability
        case ("logit", nil): self = .trueClassLogit
        case ("agreement", nil): self = .agreement
        case ("attack", nil): self = .attackSuccess
        case ("class", let value?):
            if let i = Int(value), i >= 0 {
                self = .classAccuracy(i)
            } else if let i = classes?.index(of: value) {
                self = .classAccuracy(i)
            } else {
                throw fail("'\(value)' is not a class index\(classes == nil ? "" : ", WordNet ID or class name"); write class:N")
            }
        case ("subgroup", let group?) where !group.isEmpty:
            self = .subgroupAccuracy(group)
        case ("gap", let groups?):
            let pair = groups.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty, pair[0] != pair[1] else {
                throw fail("write gap:A,B with two different group names")
            }
            self = .accuracyGap(pair[0], pair[1])
        default:
            throw fail("use accuracy, class:N, logprob, logit, agreement, subgroup:GROUP, gap:A,B or attack")
        }
    }

    /// The text form `init(parsing:)` reads back.
    public var description: String {
        switch self {
        case .accuracy: return "accuracy"
        case .classAccuracy(let c): return "class:\(c)"
        case .logProbability: return "logprob"
        case .trueClassLogit: return "logit"
        case .agreement: return "agreement"
        case .subgroupAccuracy(let g): return "subgroup:\(g)"
        case .accuracyGap(let a, let b): return "gap:\(a),\(b)"
        case .attackSuccess: return "attack"
        }
    }

    /// Whether a larger value means the model does its job better (see the table above).
    public var higherIsBetter: Bool {
        switch self {
        case .accuracyGap, .attackSuccess: return false
        default: return true
        }
    }

    /// The value for an uninformative model with `classes` outputs; nil for the true-class logit.
    public func chanceLevel(classes: Int) -> Double? {
        precondition(classes > 0, "a model has at least one class")
        let k = Double(classes)
        switch self {
        case .accuracy, .agreement, .subgroupAccuracy, .attackSuccess: return 1 / k
        case .classAccuracy: return 0.5
        case .logProbability: return -Foundation.log(k)
        case .trueClassLogit: return nil
        case .accuracyGap: return 0
        }
    }

    /// Checks what can be checked before any image is seen: a class metric's class is one of the
    /// model's `classes`.
    /// - Throws: `DatasetError.invalidMetric` naming the classes that would work.
    public func validate(classes: Int) throws(DatasetError) {
        if case .classAccuracy(let c) = self, c < 0 || c >= classes {
            throw .invalidMetric(description, reason: "class \(c) is outside the model's \(classes) classes; give a class index from 0 to \(classes - 1)")
        }
    }

    /// Checks that `context` holds what the metric needs for `count` images with `classes` outputs.
    /// - Throws: `DatasetError.invalidMetric` saying what is missing and how to provide it.
    public func validate(_ context: MetricContext, count: Int, classes: Int) throws(DatasetError) {
        func fail(_ reason: String) -> DatasetError { .invalidMetric(description, reason: reason) }
        switch self {
        case .accuracy, .classAccuracy, .logProbability, .trueClassLogit, .subgroupAccuracy, .accuracyGap:
            guard let labels = context.labels, labels.count == count else {
                throw fail("needs labelled images: use class folders or a label mapping")
            }
            if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
                throw fail("label \(bad) is outside the model's \(classes) classes")
            }
        case .agreement:
            guard context.reference?.count == count else {
                throw fail("needs the unablated model's predictions for all \(count) images")
            }
        case .attackSuccess:
            guard let targets = context.targets, targets.count == count else {
                throw fail("needs a target label for every image: give a file mapping image to target (nshap: --targets FILE)")
            }
            if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
                throw fail("target \(bad) is outside the model's \(classes) classes")
            }
        }
        try validate(classes: classes)
        var needed: [String] = []
        if case .subgroupAccuracy(let g) = self { needed = [g] }
        if case .accuracyGap(let a, let b) = self { needed = [a, b] }
        for group in needed {
            guard let groups = context.groups, groups.count == count else {
                throw fail("needs a group for the images: give a file mapping image to group (nshap: --groups FILE)")
            }
            guard groups.contains(group) else {
                let known = Set(groups.compactMap { $0 }).sorted().prefix(10).joined(separator: ", ")
                throw fail("no image is in group '\(group)'; the groups are: \(known)")
            }
        }
    }

    /// Accumulates the scores of a batch: row `r` of `logits` (`[rows x classes]`) is image
    /// `images[r]` of the context (images `0..<rows` when `images` is nil).
    public func tally(logits: [Float], classes: Int, context: MetricContext, images: [Int]? = nil) -> MetricTally {
        precondition(classes > 0 && logits.count % classes == 0, "logits are [N x classes]")
        let rows = logits.count / classes
        precondition(images == nil || images?.count == rows, "one image index per row")
        var tally = MetricTally()
        logits.withUnsafeBufferPointer { buffer in
            for r in 0..<rows {
                let i = images?[r] ?? r
                score(buffer, row: r, image: i, classes: classes, context: context, into: &tally)
            }
        }
        return tally
    }

    /// The metric's value on a whole set of logits (`[N x classes]`, row `i` is image `i`).
    public func value(logits: [Float], classes: Int, context: MetricContext) -> Double {
        tally(logits: logits, classes: classes, context: context).value(for: self)
    }

    private func score(_ logits: UnsafeBufferPointer<Float>, row: Int, image: Int, classes: Int,
                       context: MetricContext, into tally: inout MetricTally) {
        func label() -> Int { context.labels?[image] ?? -1 }
        func predicted() -> Int { Logits.argmax(logits, row: row, classes: classes) }
        func hit(_ yes: Bool) -> Double { yes ? 1 : 0 }
        switch self {
        case .accuracy:
            tally.add(hit(predicted() == label()))
        case .classAccuracy(let c):
            let p = predicted()
            tally.add(hit(label() == c ? p == c : p != c))
        case .logProbability:
            tally.add(Logits.logProbability(logits, row: row, classes: classes, label: label()))
        case .trueClassLogit:
            tally.add(Double(logits[row * classes + label()]))
        case .agreement:
            tally.add(hit(predicted() == (context.reference?[image] ?? -1)))
        case .subgroupAccuracy(let g):
            if context.groups?[image] == g { tally.add(hit(predicted() == label())) }
        case .accuracyGap(let a, let b):
            let group = context.groups?[image]
            if group == a { tally.add(hit(predicted() == label())) }
            if group == b { tally.add(hit(predicted() == label()), second: true) }
        case .attackSuccess:
            tally.add(hit(predicted() == (context.targets?[image] ?? -1)))
        }
    }
}
