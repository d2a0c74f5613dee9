extension Session {
    /// The first output (e.g. logits) for `input` of shape `[N] + model.itemShape`.
    public func run(_ input: Tensor) throws -> Tensor {
        guard let first = try runAll(input).first else { throw EngineError.unsupportedModel(reason: "no outputs") }
        return first
    }

    /// Every graph output for `input` of shape `[N] + model.itemShape`, in `model.outputNames` order.
    public func runAll(_ input: Tensor) throws -> [Tensor] {
        let store = try self.store(with: input)
        defer { recycle(store.buffers) }
        let n = input.shape[0]
        try execute(try fullStages(), items: n, images: n, pairs: false, store: store,
                    plainOutputs: Set(model.graph.outputs))
        return try outputs(store, items: n)
    }

    /// The stages computing every output from the input.
    func fullStages() throws -> [Stage] {
        try stages(key: "full", nodes: try model.specialization(batch: 1).runtimeNodes, inputs: model.graph.inputs,
                   outputs: model.graph.outputs)
    }

    /// The graph outputs held in `store` for `items` items (constant outputs repeated).
    func outputs(_ store: ValueStore, items: Int) throws -> [Tensor] {
        let spec = try model.specialization(batch: items)
        return try model.graph.outputs.map { o in
            guard let facts = spec.facts[o] else { throw EngineError.unsupportedModel(reason: "output not computed") }
            if let c = facts.constant { return c }
            let e = try store.entry(o)
            return Tensor(shape: facts.shape, floats: Array(UnsafeBufferPointer(start: e.buffer.base, count: items * e.itemFloats)))
        }
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
