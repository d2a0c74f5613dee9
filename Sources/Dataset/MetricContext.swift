/// What a metric may need beyond the logits, per image of the evaluated set.
public struct MetricContext: Sendable, Equatable {
    /// True classes.
    public var labels: [Int]?
    /// Group names (nil for images in no group).
    public var groups: [String?]?
    /// Attack target classes.
    public var targets: [Int]?
    /// The unablated model's top-1 predictions, for `agreement`.
    public var reference: [Int]?

    /// A context from its parts.
    public init(labels: [Int]? = nil, groups: [String?]? = nil, targets: [Int]? = nil, reference: [Int]? = nil) {
        self.labels = labels
        self.groups = groups
        self.targets = targets
        self.reference = reference
    }

    /// The context of a data set, with the unablated model's predictions when known.
    public init(images: LabeledImages, reference: [Int]? = nil) {
        self.init(labels: images.labels, groups: images.groups, targets: images.targets, reference: reference)
    }
}
