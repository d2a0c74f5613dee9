extension Session {
    /// The first output (logits) for every (mask, image) pair: shape `[masks.count, N] + output item`.
    ///
    /// Each mask removes its units, replacing their channels according to `removal` (`means` are
    /// required for `.mean`). The part of the network where the masks do not differ (up to the
    /// earliest layer in which two masks remove different units, including branches that bypass it)
    /// runs once per image, with the removals the masks share there; only the rest runs per pair,
    /// in micro-batches that mix masks freely. So masks that share most of their removals, such as
    /// a base coalition and the same coalition with one filter toggled, pay per pair only for the
    /// network after the first filter they disagree on. `prefixCaching: false` runs every pair
    /// through the whole network instead (same results; for comparisons).
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
        let prepared = try masks.map { m in
            m.isEmpty ? nil : try PreparedMask(m, model: model, removal: removal, means: means, biases: biases)
        }
        let layers = prefixCaching ? Self.differingLayers(masks, model: model) : Set(model.convLayers.indices)
        let cut = GraphCut(model: model, specialization: try model.specialization(batch: 1), maskedLayers: layers)
        // Stages are cached by the nodes run per pair, which fix the cut (many sets of differing
        // layers share one: every layer downstream of the earliest adds nothing).
        let cutKey = cut.suffix.map(String.init).joined(separator: ",")
        let prefix = try stages(key: "prefix:\(cutKey)", nodes: cut.prefix, inputs: model.graph.inputs, outputs: cut.frontier)
        let suffixOutputs = cut.suffix.isEmpty ? [] : [output]
        let suffix = try stages(key: "suffix:\(cutKey)", nodes: cut.suffix, inputs: cut.frontier, outputs: suffixOutputs)
        // In the prefix every mask removes the same units, so the first mask's removals stand for all.
        let sharedMasks: [PreparedMask?] = [prepared[0]]

        // Images and (mask, image) pairs go in groups so that the activations handed between
        // stages stay bounded however many masks and images a call brings.
        let outItem = outShape.reduce(1, *) / n
        var values = [Float](repeating: 0, count: k * n * outItem)
        for imageGroup in Session.chunks(n, model.itemsAreIndependent ? imagesPerPass : n) {
            let g = imageGroup.count
            // The prefix once per image.
            let shared = try store(with: images, items: imageGroup)
            defer { recycle(shared.buffers) }
            try execute(prefix, items: g, images: g, pairs: false, store: shared, plainOutputs: [], masks: sharedMasks)
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
