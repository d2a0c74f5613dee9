import Dataset
import Foundation
import Testing

@Suite struct MetricTests {
    // Four images, three classes. Top-1 per row: 0, 2, 1, 1 (row 3 ties 1 and 2: the lower wins).
    static let logits: [Float] = [
        2, 1, 0,
        0, 1, 3,
        1, 5, 2,
        0, 4, 4,
    ]
    static let labels = [0, 1, 1, 2]

    @Test func top1AndTopK() {
        #expect(Logits.top1(Self.logits, classes: 3) == [0, 2, 1, 1])
        #expect(Logits.topKAccuracy(Self.logits, classes: 3, labels: Self.labels, k: 1) == 0.5)
        #expect(Logits.topKAccuracy(Self.logits, classes: 3, labels: Self.labels, k: 2) == 1)
        #expect(Logits.top1([Float.nan, 1, 0], classes: 3) == [1])
    }

    @Test func accuracyLogProbabilityAndLogit() throws {
        let context = MetricContext(labels: Self.labels)
        #expect(Metric.accuracy.value(logits: Self.logits, classes: 3, context: context) == 0.5)
        let logit = Metric.trueClassLogit.value(logits: Self.logits, classes: 3, context: context)
        let expectedLogit: Double = (2 + 1 + 5 + 4) / 4
        #expect(logit == expectedLogit)
        var expected = 0.0
        for (r, label) in Self.labels.enumerated() {
            let row: [Double] = Self.logits[(3 * r)..<(3 * r + 3)].map { Double($0) }
            let total: Double = row.map { exp($0) }.reduce(0, +)
            expected += row[label] - log(total)
        }
        let logprob = Metric.logProbability.value(logits: Self.logits, classes: 3, context: context)
        #expect(abs(logprob - expected / 4) < 1e-12)
    }

    /// The binary metric for class 1: rows 1 and 2 are class-1 images (row 2 predicted 1: right,
    /// row 1 predicted 2: wrong); rows 0 and 3 are others (row 0 predicted 0: right, row 3
    /// predicted 1: wrong).
    @Test func classSpecificAccuracy() {
        let context = MetricContext(labels: Self.labels)
        #expect(Metric.classAccuracy(1).value(logits: Self.logits, classes: 3, context: context) == 0.5)
        #expect(Metric.classAccuracy(0).value(logits: Self.logits, classes: 3, context: context) == 1)
    }

    @Test func classBalancedSelection() {
        let images = LabeledImages(inputs: [Float](repeating: 0, count: 10), imageShape: [1],
                                   names: (0..<10).map { "i\($0)" }, labels: [3, 1, 3, 0, 2, 2, 1, 0, 1, 2])
        let picked = images.classBalancedIndices(target: 3, seed: 9)
        #expect(picked.count == 4)
        #expect(picked.filter { images.labels?[$0] == 3 } == [0, 2])
        #expect(picked == images.classBalancedIndices(target: 3, seed: 9))
    }

    @Test func agreementNeedsNoLabels() {
        let reference = [0, 2, 2, 1]
        let context = MetricContext(reference: reference)
        #expect(Metric.agreement.value(logits: Self.logits, classes: 3, context: context) == 0.75)
    }

    /// Rows 0, 1 in "a" (row 0 right, row 1 wrong: 1/2) and a row in no group ignored; then
    /// rows 0, 4 in "a" (both right: 1) and rows 1, 2, 3 in "b" (only row 2 right: 1/3).
    @Test func subgroupAndGap() throws {
        let logits = Self.logits + [9, 0, 0]
        let context = MetricContext(labels: Self.labels + [0], groups: ["a", "a", "b", "b", nil])
        #expect(Metric.subgroupAccuracy("a").value(logits: logits, classes: 3, context: context) == 0.5)
        let skewed = MetricContext(labels: Self.labels + [0], groups: ["a", "b", "b", "b", "a"])
        #expect(Metric.subgroupAccuracy("a").value(logits: logits, classes: 3, context: skewed) == 1)
        let gap = Metric.accuracyGap("a", "b").value(logits: logits, classes: 3, context: skewed)
        let expectedGap: Double = 1 - 1.0 / 3
        #expect(abs(gap - expectedGap) < 1e-12)
        #expect(throws: DatasetError.self) {
            try Metric.subgroupAccuracy("c").validate(skewed, count: 5, classes: 3)
        }
    }

    @Test func attackSuccess() {
        let context = MetricContext(labels: Self.labels, targets: [1, 2, 1, 1])
        #expect(Metric.attackSuccess.value(logits: Self.logits, classes: 3, context: context) == 0.75)
    }

    /// Tallies over batches in any order equal the tally of the whole.
    @Test func talliesMergeAcrossBatches() {
        let context = MetricContext(labels: Self.labels + [0], groups: ["a", "b", "b", "b", "a"])
        let logits = Self.logits + [9, 0, 0]
        for metric in [Metric.accuracy, .logProbability, .accuracyGap("a", "b"), .classAccuracy(2)] {
            let whole = metric.value(logits: logits, classes: 3, context: context)
            let first = metric.tally(logits: Array(logits[9..<15]), classes: 3, context: context, images: [3, 4])
            let second = metric.tally(logits: Array(logits[0..<9]), classes: 3, context: context, images: [0, 1, 2])
            #expect(abs((first + second).value(for: metric) - whole) < 1e-12, "\(metric)")
        }
    }

    /// The log-probability of the event each hit counts, row by row, against softmax in plain
    /// double arithmetic.
    @Test func smoothCounterpartsScoreTheCountedEvent() {
        func p(_ r: Int, _ c: Int) -> Double {
            let row = Self.logits[(3 * r)..<(3 * r + 3)].map { exp(Double($0)) }
            return row[c] / row.reduce(0, +)
        }
        func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }
        let context = MetricContext(labels: Self.labels, groups: ["a", "b", "b", "a"], targets: [2, 2, 0, 1], reference: [0, 2, 1, 1])
        let trueClass = (0..<4).map { log(p($0, Self.labels[$0])) }.reduce(0, +) / 4
        #expect(near(Metric.accuracy.smoothValue(logits: Self.logits, classes: 3, context: context), trueClass))
        #expect(near(Metric.logProbability.smoothValue(logits: Self.logits, classes: 3, context: context),
                     Metric.logProbability.value(logits: Self.logits, classes: 3, context: context)))
        #expect(Metric.trueClassLogit.smoothValue(logits: Self.logits, classes: 3, context: context)
                == Metric.trueClassLogit.value(logits: Self.logits, classes: 3, context: context))
        // Class 1: rows 1 and 2 are class-1 images (log p(1)), rows 0 and 3 others (log(1 − p(1))).
        let class1 = (log(p(1, 1)) + log(p(2, 1)) + log(1 - p(0, 1)) + log(1 - p(3, 1))) / 4
        #expect(near(Metric.classAccuracy(1).smoothValue(logits: Self.logits, classes: 3, context: context), class1))
        let agreement = (log(p(0, 0)) + log(p(1, 2)) + log(p(2, 1)) + log(p(3, 1))) / 4
        #expect(near(Metric.agreement.smoothValue(logits: Self.logits, classes: 3, context: context), agreement))
        let attack = (log(p(0, 2)) + log(p(1, 2)) + log(p(2, 0)) + log(p(3, 1))) / 4
        #expect(near(Metric.attackSuccess.smoothValue(logits: Self.logits, classes: 3, context: context), attack))
        let a = (log(p(0, 0)) + log(p(3, 2))) / 2, b = (log(p(1, 1)) + log(p(2, 1))) / 2
        #expect(near(Metric.subgroupAccuracy("b").smoothValue(logits: Self.logits, classes: 3, context: context), b))
        #expect(near(Metric.accuracyGap("a", "b").smoothValue(logits: Self.logits, classes: 3, context: context), a - b))
    }

    /// log(1 − p) stays finite and accurate where p rounds to 1 in double precision.
    @Test func complementProbabilityOfAConfidentRow() {
        let confident: [Float] = [60, 0, 0]
        confident.withUnsafeBufferPointer { buffer in
            let value = Logits.logComplementProbability(buffer, row: 0, classes: 3, label: 0)
            #expect(value.isFinite && abs(value - (log(2.0) - 60)) < 1e-9)
            let other = Logits.logComplementProbability(buffer, row: 0, classes: 3, label: 1)
            #expect(abs(other - log(1 - 1 / (exp(60.0) + 2))) < 1e-12)
        }
        [Float(1)].withUnsafeBufferPointer { buffer in
            #expect(Logits.logComplementProbability(buffer, row: 0, classes: 1, label: 0) == -.infinity)
        }
    }

    @Test func parsingRoundTripsAndExplainsMistakes() throws {
        let all: [Metric] = [.accuracy, .classAccuracy(7), .logProbability, .trueClassLogit, .agreement,
                             .subgroupAccuracy("women"), .accuracyGap("men", "women"), .attackSuccess]
        for metric in all { #expect(try Metric(parsing: metric.description) == metric) }
        let classes = ClassLabels(names: ["cat", "dog"], wnids: ["n1", "n2"])
        #expect(try Metric(parsing: "class:dog", classes: classes) == .classAccuracy(1))
        #expect(try Metric(parsing: "class:n1", classes: classes) == .classAccuracy(0))
        for bad in ["acc", "class:", "class:zebra", "gap:a", "gap:a,a", "subgroup:", ""] {
            #expect(throws: DatasetError.self, "\(bad)") { _ = try Metric(parsing: bad, classes: classes) }
        }
    }

    @Test func chanceLevelsAndDirections() {
        #expect(Metric.accuracy.chanceLevel(classes: 10) == 0.1)
        #expect(Metric.classAccuracy(3).chanceLevel(classes: 10) == 0.5)
        #expect(Metric.logProbability.chanceLevel(classes: 10) == -log(10.0))
        #expect(Metric.trueClassLogit.chanceLevel(classes: 10) == nil)
        #expect(Metric.accuracyGap("a", "b").chanceLevel(classes: 10) == 0)
        #expect(!Metric.attackSuccess.higherIsBetter && !Metric.accuracyGap("a", "b").higherIsBetter)
        #expect(Metric.accuracy.higherIsBetter && Metric.agreement.higherIsBetter)
    }

    @Test func validationNamesWhatIsMissing() throws {
        #expect(throws: DatasetError.self) { try Metric.accuracy.validate(MetricContext(), count: 4, classes: 3) }
        #expect(throws: DatasetError.self) { try Metric.accuracy.validate(MetricContext(labels: [0, 1, 5, 0]), count: 4, classes: 3) }
        #expect(throws: DatasetError.self) { try Metric.agreement.validate(MetricContext(labels: Self.labels), count: 4, classes: 3) }
        #expect(throws: DatasetError.self) { try Metric.attackSuccess.validate(MetricContext(labels: Self.labels), count: 4, classes: 3) }
        #expect(throws: DatasetError.self) { try Metric.classAccuracy(3).validate(MetricContext(labels: Self.labels), count: 4, classes: 3) }
        try Metric.accuracy.validate(MetricContext(labels: Self.labels), count: 4, classes: 3)
    }

    /// Group and target tables are matched by relative path, file name or stem.
    @Test func groupAndTargetTablesAttachToImages() throws {
        var images = LabeledImages(inputs: [0, 0, 0], imageShape: [1], names: ["a/x1.png", "a/x2.png", "b/y.jpg"], labels: [0, 0, 1])
        try images.assignGroups(ImageTable(rows: [("a/x1.png", "women"), ("y", "men")]))
        #expect(images.groups == ["women", nil, "men"])
        #expect(throws: DatasetError.self) { try images.assignGroups(ImageTable(rows: [("zzz", "g")])) }
        let classes = ClassLabels(names: ["cat", "dog"])
        try images.assignTargets(ImageTable(rows: [("x1.png", "dog"), ("x2", "1"), ("b/y.jpg", "cat")]), classes: classes)
        #expect(images.targets == [1, 1, 0])
        #expect(throws: DatasetError.self) { try images.assignTargets(ImageTable(rows: [("x1.png", "1")])) }
        #expect(throws: DatasetError.self) {
            try images.assignTargets(ImageTable(rows: [("x1.png", "1"), ("x2", "1"), ("y", "zebra")]), classes: classes)
        }
        let kept = images.subset([2, 0])
        #expect(kept.names == ["b/y.jpg", "a/x1.png"] && kept.groups == ["men", "women"] && kept.targets == [0, 1])
    }
}
