import Synchronization

extension Session {
    /// The first output (logits) for every (mask, image) pair: shape `[masks.count, N] + output item`.
    ///
    /// Each mask removes its units, replacing their channels according to `removal` (`means` are
    /// required for `.mean`). The part of the network that no mask touches (up to the earliest
    /// masked layer, including branches that bypass it) runs once per image; only the rest runs per
    /// pair, in micro-batches that mix masks freely.
    public func evaluate(images: Tensor, masks: [Mask], removal: Removal = .mean, means: ChannelMeans? = nil) throws -> Tensor {
        let values = try checkImages(images)
        if removal == .mean {
            guard let means else {
                throw EngineError.channelMeansMismatch(reason: "removal 'mean' needs channel means; compute them with Session.channelMeans(batches:)")
            }
            try means.validate(for: model)
        }
        let n = images.shape[0], k = masks.count
        let outItem = model.outputItemShape.reduce(1, *)
        guard n > 0, k > 0 else { return Tensor(shape: [k, n] + model.outputItemShape, floats: []) }
        let prepared = try masks.map { m in
            m.isEmpty ? nil : try PreparedMask(m, model: model, removal: removal, means: means, biases: biases)
        }
        let layers = Set(prepared.compactMap { $0 }.flatMap { $0.overrides.keys })
        let cutKey = layers.sorted().map(String.init).joined(separator: ",")
        let spec = try model.specialization(batch: 1)
        let cut = GraphCut(model: model, specialization: spec, maskedLayers: layers)
        guard let output = model.graph.outputs.first else { throw EngineError.unsupportedModel(reason: "no outputs") }

        // 1. The prefix, once per image.
        let item = model.itemShape.reduce(1, *)
        let frontierShapes = cut.frontier.map { Array((spec.facts[$0]?.shape ?? [1]).dropFirst()) }
        let frontier = frontierShapes.map { SharedOutput(count: n * $0.reduce(1, *)) }
        let imageChunks = Session.chunks(n, microBatch)
        let input = model.graph.inputs.map { ($0, Layout.plain) }
        let prefixNodes = cut.prefix, frontierValues = cut.frontier
        let layouts = SharedLayouts()
        try parallel(imageChunks.count) { c, ws in
            let range = imageChunks[c]
            let plan = try self.plan(key: "prefix:\(cutKey)", batch: range.count, nodes: prefixNodes, inputs: input,
                                     outputs: frontierValues.map { ($0, false) })
            layouts.record(plan.outputs)
            try ws.run(plan, prepare: { _, dst in
                values.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { dst.update(from: s + range.lowerBound * item, count: range.count * item) }
                }
            }, collect: { port, src in
                guard let f = frontierValues.firstIndex(of: port.value) else { return }
                let per = port.itemFloats
                (frontier[f].base + range.lowerBound * per).update(from: src, count: range.count * per)
            })
        }

        // 2. The suffix, per (mask, image) pair, mask-major.
        let suffixInputs = frontierValues.map { ($0, layouts.layout(of: $0)) }
        let result = SharedOutput(count: k * n * outItem)
        let pairChunks = Session.chunks(k * n, microBatch)
        let suffixNodes = cut.suffix
        try parallel(pairChunks.count) { c, ws in
            let range = pairChunks[c]
            let plan = try self.plan(key: "suffix:\(cutKey)", batch: range.count, nodes: suffixNodes, inputs: suffixInputs,
                                     outputs: [(output, true)])
            let items = range.map { prepared[$0 / n] }
            try ws.run(plan, masks: MicroBatchMasks(items: items), prepare: { port, dst in
                guard let f = frontierValues.firstIndex(of: port.value) else { return }
                let per = port.itemFloats
                for (j, pair) in range.enumerated() {
                    (dst + j * per).update(from: frontier[f].base + (pair % n) * per, count: per)
                }
            }, collect: { port, src in
                guard port.value == output else { return }
                (result.base + range.lowerBound * outItem).update(from: src, count: range.count * outItem)
            })
        }
        return Tensor(shape: [k, n] + model.outputItemShape, floats: result.array)
    }
}

/// The physical layouts of frontier values, as the prefix plan produced them (every plan of one
/// cut produces the same layouts, so which worker records first does not matter).
final class SharedLayouts: Sendable {
    private let layouts = Mutex<[Int: Layout]>([:])

    func record(_ ports: [ExecutionPlan.Port]) {
        layouts.withLock { for p in ports { $0[p.value] = p.layout } }
    }

    func layout(of value: Int) -> Layout {
        layouts.withLock { $0[value] ?? .plain }
    }
}
