extension Session {
    /// Runs `stages` over `items` items, reading their inputs from and writing their outputs to
    /// `store`. Items are images when `pairs` is false, otherwise (mask, image) pairs in mask-major
    /// order over `images` images; `masks[k]` is the mask of pairs `k * images ..< (k + 1) * images`.
    func execute(_ stages: [Stage], items: Int, images: Int, pairs: Bool, store: ValueStore, plainOutputs: Set<Int>,
                 masks: [PreparedMask?]? = nil, statistics: StatisticsSink? = nil, profile: ProfileSink? = nil) throws {
        for stage in stages where !stage.nodes.isEmpty {
            // Items of a model that mixes them are computed in one piece (see `Model.itemsAreIndependent`).
            let chunks = Session.chunks(items, model.itemsAreIndependent ? stage.microBatch : max(items, 1))
            guard let firstChunk = chunks.first else { return }
            let inputs = try stage.inputs.map { ($0, try store.entry($0).layout) }
            let outputs = stage.outputs.map { ($0, plainOutputs.contains($0)) }
            @Sendable func plan(_ batch: Int) throws -> ExecutionPlan {
                try self.plan(key: stage.key, batch: batch, nodes: stage.nodes, inputs: inputs, outputs: outputs, parts: stage.parts)
            }
            let first = try plan(firstChunk.count)
            for port in first.outputs where !store.contains(port.value) {
                store.set(port.value, ValueStore.Entry(buffer: buffer(items * port.itemFloats), itemFloats: port.itemFloats,
                                                       layout: port.layout, perImage: !pairs))
            }
            let sources = try stage.inputs.map { try store.entry($0) }
            let targets = try stage.outputs.map { try store.entry($0) }
            let units = model.unitCount
            try parallel(chunks.count) { c, ws in
                let range = chunks[c]
                let p = c == 0 ? first : try plan(range.count)
                let chunkMasks = masks.map { m in MicroBatchMasks(items: range.map { m[$0 / images] }) }
                var sums: UnsafeMutablePointer<Double>?
                if statistics != nil {
                    sums = .allocate(capacity: max(units, 1))
                    sums?.initialize(repeating: 0, count: max(units, 1))
                }
                defer { sums?.deallocate() }
                try ws.run(p, masks: chunkMasks, statistics: sums, profile: profile, prepare: { port, dst in
                    guard let i = stage.inputs.firstIndex(of: port.value) else { return }
                    let e = sources[i], per = e.itemFloats
                    if !e.perImage || !pairs {
                        (dst).update(from: e.buffer.base + range.lowerBound * per, count: range.count * per)
                    } else {
                        for (j, item) in range.enumerated() {
                            (dst + j * per).update(from: e.buffer.base + (item % images) * per, count: per)
                        }
                    }
                }, collect: { port, src in
                    guard let i = stage.outputs.firstIndex(of: port.value) else { return }
                    let per = targets[i].itemFloats
                    (targets[i].buffer.base + range.lowerBound * per).update(from: src, count: range.count * per)
                })
                if let sums, let statistics { statistics.add(sums) }
            }
        }
    }

    /// A store holding `images` (or the images `items` of them) as the graph input.
    func store(with images: Tensor, items: Range<Int>? = nil) throws -> ValueStore {
        let values = try checkImages(images)
        guard let input = model.graph.inputs.first else { throw EngineError.unsupportedModel(reason: "the graph has no input") }
        let per = model.itemShape.reduce(1, *)
        let range = items ?? 0..<images.shape[0]
        let buffer = self.buffer(range.count * per)
        values.withUnsafeBufferPointer {
            if let s = $0.baseAddress { buffer.base.update(from: s + range.lowerBound * per, count: range.count * per) }
        }
        let store = ValueStore()
        store.set(input, ValueStore.Entry(buffer: buffer, itemFloats: model.itemShape.reduce(1, *), layout: .plain, perImage: true))
        return store
    }

    /// The stages computing `outputs` from `inputs` with `nodes`.
    func stages(key: String, nodes: [Int], inputs: [Int], outputs: [Int], parts: [Int: ConvPart] = [:]) throws -> [Stage] {
        Stage.split(key: key, model: model, specialization: try model.specialization(batch: 1), nodes: nodes, inputs: inputs,
                    outputs: outputs, parts: parts, early: earlyMicroBatch, late: microBatch, threshold: stageSplitFloats)
    }
}
