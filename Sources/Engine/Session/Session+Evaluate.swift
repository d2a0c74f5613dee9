extension Session {
    /// The first output (logits) for every (mask, image) pair: shape `[masks.count, N] + output item`.
    ///
    /// Each mask removes its units, replacing their channels according to `removal` (`means` are
    /// required for `.mean`). The part of the network where the masks do not differ (up to the
    /// earliest layer in which two masks remove different units, including branches that bypass it)
    /// runs once per image, with the removals the masks share there; only the rest runs per pair,
    /// in micro-batches that mix masks freely. So masks that share most of their removals, such as
    /// a base coalition and the same coalition with one filter toggled, pay per pair only for the
    /// network after the first filter they disagree on; where that layer's input is shared, its
    /// convolution runs once per image too and only its epilogue (masks, activation) per pair.
    /// `prefixCaching: false` runs every pair
    /// through the whole network instead, `splitting: false` keeps that layer's convolution per pair
    /// (same results; for comparisons).
    public func evaluate(images: Tensor, masks: [Mask], removal: Removal = .mean, means: ChannelMeans? = nil,
                         prefixCaching: Bool = true, splitting: Bool = true) throws -> Tensor {
        try evaluate(ImageBatch(images, cacheBytes: 0), masks: masks, removal: removal, means: means,
                     prefixCaching: prefixCaching, splitting: splitting)
    }

    /// `evaluate(images:masks:…)` on a batch that keeps the once-per-image work of a call for the
    /// next call with the same cut and shared removals (see `ImageBatch`): same results.
    public func evaluate(_ batch: ImageBatch, masks: [Mask], removal: Removal = .mean, means: ChannelMeans? = nil,
                         prefixCaching: Bool = true, splitting: Bool = true) throws -> Tensor {
        let images = batch.images
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
        let prepared = try masks.map { m in
            m.isEmpty ? nil : try PreparedMask(m, model: model, removal: removal, means: means, biases: biases)
        }
        let layers = prefixCaching ? Self.differingLayers(masks, model: model) : Set(model.convLayers.indices)
        let cut = GraphCut(model: model, specialization: try model.specialization(batch: 1), maskedLayers: layers,
                           splitting: prefixCaching && splitting)
        // Stages are cached by the nodes run per pair and the nodes split, which fix the cut (many
        // sets of differing layers share one: every layer downstream of the earliest adds nothing).
        let cutKey = cut.suffix.map(String.init).joined(separator: ",") + "/" + cut.split.map(String.init).joined(separator: ",")
        // What the prefix computes depends on the images, the session, the cut and the removals the
        // masks share in the layers it runs whole (units and the values that replace them).
        let keptKey = batch.cacheBytes > 0 ? prefixKey(cut: cut, cutKey: cutKey, shared: masks[0], removal: removal, means: means) : nil
        let prefix = try stages(key: "prefix:\(cutKey)", nodes: cut.prefix, inputs: model.graph.inputs, outputs: cut.frontier,
                                parts: cut.prefixParts)
        let suffixOutputs = cut.suffix.isEmpty ? [] : [output]
        let suffix = try stages(key: "suffix:\(cutKey)", nodes: cut.suffix, inputs: cut.frontier, outputs: suffixOutputs,
                                parts: cut.suffixParts)
        // In the prefix every mask removes the same units, so the first mask's removals stand for all.
        let sharedMasks: [PreparedMask?] = [prepared[0]]

        // Images and (mask, image) pairs go in groups so that the activations handed between
        // stages stay bounded however many masks and images a call brings.
        let outItem = outShape.reduce(1, *) / n
        var values = [Float](repeating: 0, count: k * n * outItem)
        for imageGroup in Session.chunks(n, model.itemsAreIndependent ? imagesPerPass : n) {
            let g = imageGroup.count
            // The prefix once per image (or kept from an earlier call).
            let shared: ValueStore
            var recycleShared = false
            if let keptKey, let kept = batch.store(session: self, key: keptKey, group: imageGroup.lowerBound) {
                shared = kept
            } else {
                shared = try store(with: images, items: imageGroup)
                try execute(prefix, items: g, images: g, pairs: false, store: shared, plainOutputs: [], masks: sharedMasks)
                recycleShared = !(keptKey.map { batch.keep(shared, session: self, key: $0, group: imageGroup.lowerBound) } ?? false)
            }
            defer { if recycleShared { recycle(shared.buffers) } }
            // The suffix once per (mask, image) pair.
            for maskGroup in Session.chunks(k, max(1, pairsPerPass / g)) {
                let store = shared.copy()
                try execute(suffix, items: maskGroup.count * g, images: g, pairs: true, store: store, plainOutputs: [output],
                            masks: Array(prepared[maskGroup]))
                let e = try store.entry(output)
                var block = Array(UnsafeBufferPointer(start: e.buffer.base, count: (e.perImage ? 1 : maskGroup.count) * g * outItem))
                if e.perImage && e.layout == .nhwc {
                    block = Transpose.nhwcToNCHW(block, shape: [g] + Array(outShape.dropFirst()))
                }
                for (j, m) in maskGroup.enumerated() {
                    let from = e.perImage ? 0 : j * g * outItem
                    values.replaceSubrange((m * n + imageGroup.lowerBound) * outItem..<(m * n + imageGroup.upperBound) * outItem,
                                           with: block[from..<(from + g * outItem)])
                }
                let kept = shared.buffers
                recycle(store.buffers.filter { b in !kept.contains { $0 === b } })
            }
        }
        return Tensor(shape: [k] + outShape, floats: values)
    }

    /// The key under which an `ImageBatch` keeps what the prefix of `cut` computed: the cut and the
    /// removals of `shared` in the layers the prefix runs whole, with their replacement values.
    private func prefixKey(cut: GraphCut, cutKey: String, shared: Mask, removal: Removal, means: ChannelMeans?) -> String {
        let prefixNodes = Set(cut.prefix).subtracting(cut.split)
        let removals = shared.removedByLayer(in: model).filter { prefixNodes.contains(model.convLayers[$0.key].nodeIndex) }
        let layers = removals.keys.sorted()
        var replacements = Hasher()
        for layer in layers {
            for u in removals[layer] ?? [] { replacements.combine(means?.values[u].bitPattern) }
        }
        return "\(removal)|\(cutKey)|" + layers.map { "\($0):\(removals[$0] ?? [])" }.joined(separator: ";")
            + "|\(replacements.finalize())"
    }

    /// The conv layers in which `masks` do not all remove the same units: the layers whose outputs
    /// must be computed per mask. Layers where every mask removes the same units (or none) are not
    /// among them.
    static func differingLayers(_ masks: [Mask], model: Model) -> Set<Int> {
        guard let first = masks.first else { return [] }
        let reference = first.removedByLayer(in: model)
        var differing = Set<Int>()
        for m in masks.dropFirst() where m != first {
            let other = m.removedByLayer(in: model)
            for (layer, units) in other where reference[layer] != units { differing.insert(layer) }
            for layer in reference.keys where other[layer] == nil { differing.insert(layer) }
        }
        return differing
    }
}
