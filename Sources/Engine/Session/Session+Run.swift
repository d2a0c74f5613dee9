extension Session {
    /// The first output (e.g. logits) for `input` of shape `[N] + model.itemShape`.
    public func run(_ input: Tensor) throws -> Tensor {
        guard let first = try runAll(input).first else { throw EngineError.unsupportedModel(reason: "no outputs") }
        return first
    }

    /// Every graph output for `input` of shape `[N] + model.itemShape`, in `model.outputNames` order.
    public func runAll(_ input: Tensor) throws -> [Tensor] {
        _ = try checkImages(input)
        let n = input.shape[0]
        let stages = try fullStages()
        let spec = try model.specialization(batch: n)
        var results = model.graph.outputs.map { o in [Float](repeating: 0, count: spec.facts[o]?.shape.reduce(1, *) ?? 0) }
        // Images go in passes so that activations handed between stages stay bounded.
        for group in Session.chunks(n, model.itemsAreIndependent ? imagesPerPass : n) {
            let store = try self.store(with: input, items: group)
            defer { recycle(store.buffers) }
            try execute(stages, items: group.count, images: group.count, pairs: false, store: store,
                        plainOutputs: Set(model.graph.outputs))
            for (i, o) in model.graph.outputs.enumerated() where spec.facts[o]?.constant == nil {
                let e = try store.entry(o)
                let start = group.lowerBound * e.itemFloats
                results[i].withUnsafeMutableBufferPointer { dst in
                    guard let d = dst.baseAddress else { return }
                    (d + start).update(from: e.buffer.base, count: group.count * e.itemFloats)
                }
            }
        }
        return try model.graph.outputs.enumerated().map { i, o in
            guard let facts = spec.facts[o] else { throw EngineError.unsupportedModel(reason: "output not computed") }
            return facts.constant ?? Tensor(shape: facts.shape, floats: results[i])
        }
    }

    /// The stages computing every output from the input.
    func fullStages() throws -> [Stage] {
        try stages(key: "full", nodes: try model.specialization(batch: 1).runtimeNodes, inputs: model.graph.inputs,
                   outputs: model.graph.outputs)
    }

    /// The float values of `images`, checked against the model's item shape.
    func checkImages(_ images: Tensor) throws -> [Float] {
        guard images.shape.count == model.itemShape.count + 1, Array(images.shape.dropFirst()) == model.itemShape,
              let values = images.floats else {
            throw EngineError.invalidInput(reason: "images of shape \(images.shape) (\(images.isFloat ? "float32" : "int64")); the model '\(model.inputName)' takes float32 [N, \(model.itemShape.map(String.init).joined(separator: ", "))]")
        }
        return values
    }

    /// `0..<n` in consecutive ranges of at most `size`.
    static func chunks(_ n: Int, _ size: Int) -> [Range<Int>] {
        stride(from: 0, to: n, by: size).map { $0..<min($0 + size, n) }
    }
}
