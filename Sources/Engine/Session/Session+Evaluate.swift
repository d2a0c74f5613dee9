extension Session {
    /// The first output (logits) for every (mask, image) pair: shape `[masks.count, N] + output item`.
    ///
    /// Each mask removes its units, replacing their channels according to `removal` (`means` are
    /// required for `.mean`). The part of the network that no mask touches (up to the earliest
    /// masked layer, including branches that bypass it) runs once per image; only the rest runs per
    /// pair, in micro-batches that mix masks freely. `prefixCaching: false` runs every pair through
    /// the whole network instead (same results; for comparisons).
    public func evaluate(images: Tensor, masks: [Mask], removal: Removal = .mean, means: ChannelMeans? = nil,
                         prefixCaching: Bool = true) throws -> Tensor {
        if removal == .mean {
            guard let means else {
                throw EngineError.channelMeansMismatch(reason: "removal 'mean' needs channel means; compute them with Session.channelMeans(batches:)")
            }
            try means.validate(for: model)
        }
        let n = images.shape[0], k = masks.count
        guard let output = model.graph.outputs.first else { throw EngineError.unsupportedModel(reason: "no outputs") }
        guard n > 0, k > 0 else { return Tensor(shape: [k, n] + model.outputItemShape, floats: []) }
        let outShape = try model.specialization(batch: n).facts[output]?.shape ?? [n] + model.outputItemShape
        if !model.itemsAreIndependent && k > 1 {
            // Items cannot be regrouped into (mask, image) pairs: one mask at a time.
            var values: [Float] = []
            for m in masks { values += try evaluate(images: images, masks: [m], removal: removal, means: means).asFloats }
            return Tensor(shape: [k] + outShape, floats: values)
        }
        let store = try self.store(with: images)
        defer { recycle(store.buffers) }
        let prepared = try masks.map { m in
            m.isEmpty ? nil : try PreparedMask(m, model: model, removal: removal, means: means, biases: biases)
        }
        let layers = prefixCaching ? Set(prepared.compactMap { $0 }.flatMap { $0.overrides.keys }) : Set(model.convLayers.indices)
        let cutKey = layers.sorted().map(String.init).joined(separator: ",")
        let cut = GraphCut(model: model, specialization: try model.specialization(batch: 1), maskedLayers: layers)

        // The prefix once per image, the suffix once per (mask, image) pair.
        let prefix = try stages(key: "prefix:\(cutKey)", nodes: cut.prefix, inputs: model.graph.inputs, outputs: cut.frontier)
        try execute(prefix, items: n, images: n, pairs: false, store: store, plainOutputs: [])
        let suffixOutputs = cut.suffix.isEmpty ? [] : [output]
        let suffix = try stages(key: "suffix:\(cutKey)", nodes: cut.suffix, inputs: cut.frontier, outputs: suffixOutputs)
        try execute(suffix, items: k * n, images: n, pairs: true, store: store, plainOutputs: [output], masks: prepared)

        let outItem = outShape.reduce(1, *) / n
        let e = try store.entry(output)
        var values = [Float](repeating: 0, count: k * n * outItem)
        if e.perImage {
            // No mask reaches the output: every mask gets the unmasked result.
            let plain = e.layout == .plain ? Array(UnsafeBufferPointer(start: e.buffer.base, count: n * outItem))
                : Transpose.nhwcToNCHW(Array(UnsafeBufferPointer(start: e.buffer.base, count: n * outItem)), shape: outShape)
            for m in 0..<k { values.replaceSubrange((m * n * outItem)..<((m + 1) * n * outItem), with: plain) }
        } else {
            values = Array(UnsafeBufferPointer(start: e.buffer.base, count: k * n * outItem))
        }
        return Tensor(shape: [k] + outShape, floats: values)
    }
}
