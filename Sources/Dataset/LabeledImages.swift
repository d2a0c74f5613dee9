/// A data set held in memory as one float tensor `[N, ...imageShape]`, ready for a model, with
/// the labels, names and side information the value functions need.
public struct LabeledImages: Sendable {
    /// A file that was left out, and why.
    public struct Skipped: Sendable, Equatable {
        /// The file's name relative to the data set.
        public let name: String
        /// Why it was left out (the decoder's message).
        public let reason: String
    }

    /// The preprocessed images, `count * elementsPerImage` floats in image order.
    public var inputs: [Float]
    /// The shape of one image, e.g. `[C, H, W]`.
    public var imageShape: [Int]
    /// Each image's name (its path relative to the data set).
    public var names: [String]
    /// Each image's class, when the data set is labelled.
    public var labels: [Int]?
    /// Each image's group, for the subgroup and gap metrics (nil where the group file is silent).
    public var groups: [String?]?
    /// Each image's attack target class, for the attack-success metric.
    public var targets: [Int]?
    /// The files that could not be used.
    public var skipped: [Skipped]
    /// SHA-256 over the names, bytes and labels of every file read (skipped ones included), in
    /// order: equal fingerprints mean equal data.
    public var fingerprint: String

    /// A data set from its parts; `inputs.count` must be `names.count` times the image size.
    public init(inputs: [Float], imageShape: [Int], names: [String], labels: [Int]? = nil,
                groups: [String?]? = nil, targets: [Int]? = nil, skipped: [Skipped] = [], fingerprint: String = "") {
        precondition(inputs.count == names.count * imageShape.reduce(1, *), "one image per name")
        precondition(labels == nil || labels?.count == names.count, "one label per image")
        precondition(groups == nil || groups?.count == names.count, "one group per image")
        precondition(targets == nil || targets?.count == names.count, "one target per image")
        self.inputs = inputs
        self.imageShape = imageShape
        self.names = names
        self.labels = labels
        self.groups = groups
        self.targets = targets
        self.skipped = skipped
        self.fingerprint = fingerprint
    }

    /// The number of images.
    public var count: Int { names.count }

    /// The number of files left out.
    public var skippedCount: Int { skipped.count }

    /// Floats per image.
    public var elementsPerImage: Int { imageShape.reduce(1, *) }

    /// The shape of the whole tensor, `[N] + imageShape`.
    public var shape: [Int] { [count] + imageShape }

    /// The floats of image `i`.
    public func image(_ i: Int) -> ArraySlice<Float> {
        inputs[(i * elementsPerImage)..<((i + 1) * elementsPerImage)]
    }

    /// The images at `indices`, in that order, with their side information (fingerprint kept).
    public func subset(_ indices: [Int]) -> LabeledImages {
        let size = elementsPerImage
        var floats: [Float] = []
        floats.reserveCapacity(indices.count * size)
        for i in indices { floats.append(contentsOf: image(i)) }
        return LabeledImages(inputs: floats, imageShape: imageShape, names: indices.map { names[$0] },
                             labels: labels.map { l in indices.map { l[$0] } },
                             groups: groups.map { g in indices.map { g[$0] } },
                             targets: targets.map { t in indices.map { t[$0] } },
                             skipped: skipped, fingerprint: fingerprint)
    }

    /// Assigns groups from a table (see `ImageTable` for how names are matched).
    /// - Throws: `DatasetError.invalidTable` when the table names none of the images.
    public mutating func assignGroups(_ table: ImageTable) throws(DatasetError) {
        let values = table.values(for: names)
        guard values.contains(where: { $0 != nil }) else {
            throw .invalidTable(path: table.path, line: 0,
                                reason: "names none of the \(count) images (e.g. '\(names.first ?? "")'); key rows by relative path or file name")
        }
        groups = values
    }

    /// Assigns attack targets from a table whose values are class indices, WordNet IDs or names.
    /// - Throws: `DatasetError.invalidTable` when an image has no target or a value names no class.
    public mutating func assignTargets(_ table: ImageTable, classes: ClassLabels? = nil) throws(DatasetError) {
        var out: [Int] = []
        for (name, value) in zip(names, table.values(for: names)) {
            guard let value else {
                throw .invalidTable(path: table.path, line: 0, reason: "no target label for image '\(name)'; give every image a row")
            }
            if let classes, let i = classes.index(of: value) {
                out.append(i)
            } else if let i = Int(value), i >= 0 {
                out.append(i)
            } else {
                throw .invalidTable(path: table.path, line: 0, reason: "target '\(value)' of '\(name)' is not a class")
            }
        }
        targets = out
    }

    /// The images of class `target` plus as many images of other classes (the class-specific
    /// metric's data set), chosen with `seed`; all other-class images when there are fewer.
    /// Indices are returned in ascending order.
    public func classBalancedIndices(target: Int, seed: UInt64) -> [Int] {
        guard let labels else { return [] }
        let own = labels.indices.filter { labels[$0] == target }
        var others = labels.indices.filter { labels[$0] != target }
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&others)
        return (own + others.prefix(own.count)).sorted()
    }
}
