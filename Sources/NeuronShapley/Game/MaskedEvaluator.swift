public import Dataset
public import Engine
import Foundation

/// A part of the images ready for masked evaluation: their cut activations (see ``ModelCut``) and
/// what the metric needs to score them.
public struct EvaluationSet: Sendable {
    /// Indices of the images in ``GameData/images``.
    public let indices: [Int]
    /// The cut activations, `[N] + suffix.itemShape`.
    public var frontier: Tensor { batch.images }
    /// Labels, groups, targets and the unablated model's predictions.
    public let context: MetricContext
    /// The metric's value with nothing removed.
    public let fullValue: Double
    /// The cut activations, keeping the engine's once-per-image work between calls.
    let batch: ImageBatch
    /// The logits of these images for any removal of the players' layer, when it has a pooled
    /// affine readout (see ``MaskedEvaluator/linearReadout``).
    let readout: LinearReadout?

    init(indices: [Int], frontier: Tensor, context: MetricContext, fullValue: Double, readout: LinearReadout?) {
        self.indices = indices
        self.context = context
        self.fullValue = fullValue
        self.readout = readout
        batch = ImageBatch(frontier)
    }

    /// The number of images.
    public var count: Int { indices.count }
}

/// Values metrics of the network with sets of filters removed, on the suffix of a ``ModelCut``.
///
/// Thread-safe: the session is, and everything else is immutable.
public final class MaskedEvaluator: Sendable {
    /// The cut (full, prefix and suffix models).
    public let cut: ModelCut
    /// The session running the suffix.
    public let session: Session
    /// How removed filters are replaced.
    public let removal: Removal
    /// Channel means of the suffix's units (for `Removal.mean`), nil otherwise.
    public let means: ChannelMeans?
    /// The number of classes of the model's output.
    public let classCount: Int
    /// Masks evaluated per call to the engine, to bound memory.
    public let masksPerCall: Int
    /// The validation images' cut activations, computed once for the means and the game.
    private let validationFrontier: (indices: [Int], frontier: Tensor)
    /// The pool and affine head after the players' layer, when every player is in one layer whose
    /// channels reach the logits only through per-channel operations, a global average pool and an
    /// affine head (as a network's last conv layer usually does): the logits of a removal then
    /// follow from each channel's pooled value with and without it, without running the rest of
    /// the network per evaluation (same logits up to rounding). Nil otherwise, or when turned off.
    let pooledHead: PooledHead?

    /// Whether evaluations use the pooled affine readout after the players' layer.
    public var linearReadout: Bool { pooledHead != nil }

    /// An evaluator for `players` (global unit indices of `data.model`) whose channel means (for
    /// mean removal) come from the validation images; they are cached in `settings.cacheDirectory`.
    /// The engine runs `threads` threads (by default the settings' thread count).
    public init(data: GameData, players: [Int], threads: Int? = nil) throws {
        let settings = data.settings
        let threads = max(1, threads ?? settings.threads)
        cut = try ModelCut(model: data.model, players: players)
        session = Session(model: cut.suffix, threads: threads, microBatch: settings.microBatch)
        removal = settings.removal
        classCount = data.classCount
        masksPerCall = 64
        let images = Tensor(shape: [data.validation.count] + data.model.itemShape,
                            floats: data.images.subset(data.validation).inputs)
        let prefix = cut.prefix.map { Session(model: $0, threads: threads, microBatch: settings.microBatch) }
        let frontier = try cut.frontier(images, session: prefix)
        validationFrontier = (data.validation, frontier)
        if settings.removal == .mean {
            var cache = settings.cacheDirectory
            if let dir = cache, (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) == nil {
                cache = nil
            }
            means = try session.channelMeans(batches: [frontier], cacheDirectory: cache)
        } else {
            means = nil
        }
        pooledHead = settings.linearReadout
            ? try PooledHead(suffix: cut.suffix, players: try cut.suffixUnits(players), removal: removal, means: means,
                             threads: threads, microBatch: settings.microBatch)
            : nil
    }

    /// The cut activations and metric context of `indices` (into `data.images`), with the
    /// unablated predictions for the agreement metric.
    public func prepare(_ data: GameData, indices: [Int], metric: Metric) throws -> EvaluationSet {
        let part = data.images.subset(indices)
        let frontier: Tensor
        if indices == validationFrontier.indices {
            frontier = validationFrontier.frontier
        } else {
            let images = Tensor(shape: [indices.count] + data.model.itemShape, floats: part.inputs)
            let prefix = cut.prefix.map { Session(model: $0, threads: session.threads, microBatch: session.microBatch) }
            frontier = try cut.frontier(images, session: prefix)
        }
        let logits = try session.run(frontier).asFloats
        let reference = Logits.top1(logits, classes: classCount)
        let context = MetricContext(images: part, reference: reference)
        let full = metric.value(logits: logits, classes: classCount, context: context)
        return EvaluationSet(indices: indices, frontier: frontier, context: context, fullValue: full,
                             readout: try pooledHead?.readout(frontier))
    }

    /// Calls `body` with the index into `removed` and the logits (`set.count * classCount`) of
    /// each list of `removed` suffix units taken out, in order, a call of ``masksPerCall`` masks
    /// at a time: memory stays bounded however many lists there are.
    public func forEachLogits(removing removed: [[Int]], on set: EvaluationSet,
                              _ body: (Int, [Float]) throws -> Void) throws {
        var start = 0
        let per = set.count * classCount
        if let readout = set.readout, let head = pooledHead, readout.classes == classCount {
            let channels = removed.map { head.channels($0) }
            if channels.allSatisfy({ $0 != nil }) {
                for (m, c) in channels.enumerated() { try body(m, readout.logits(removing: c ?? [])) }
                return
            }
        }
        while start < removed.count {
            let end = min(start + masksPerCall, removed.count)
            let masks = removed[start..<end].map { Mask(removing: $0) }
            let all = try session.evaluate(set.batch, masks: masks, removal: removal, means: means).asFloats
            for m in 0..<masks.count { try body(start + m, Array(all[(m * per)..<((m + 1) * per)])) }
            start = end
        }
    }

    /// The metric on `set` with each list of `removed` suffix units taken out.
    public func values(removing removed: [[Int]], on set: EvaluationSet, metric: Metric) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(removed.count)
        try forEachLogits(removing: removed, on: set) { _, logits in
            out.append(metric.value(logits: logits, classes: classCount, context: set.context))
        }
        return out
    }

    /// The metric on `set` with each list of `removed` full-model units taken out.
    public func values(removingUnits removed: [[Int]], on set: EvaluationSet, metric: Metric) throws -> [Double] {
        try values(removing: removed.map { try cut.suffixUnits($0) }, on: set, metric: metric)
    }
}
