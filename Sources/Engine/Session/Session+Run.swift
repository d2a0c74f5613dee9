extension Session {
    /// The first output (e.g. logits) for `input` of shape `[N] + model.itemShape`.
    public func run(_ input: Tensor) throws -> Tensor {
        guard let first = try runAll(input).first else { throw EngineError.unsupportedModel(reason: "no outputs") }
        return first
    }

    /// Every graph output for `input` of shape `[N] + model.itemShape`, in `model.outputNames` order.
    public func runAll(_ input: Tensor) throws -> [Tensor] {
        let values = try checkImages(input)
        let n = input.shape[0]
        let item = model.itemShape.reduce(1, *)
        let spec = try model.specialization(batch: 1)
        let outShapes = model.graph.outputs.map { o in Array((spec.facts[o]?.shape ?? [1]).dropFirst()) }
        let buffers = outShapes.map { SharedOutput(count: n * $0.reduce(1, *)) }
        let chunks = Session.chunks(n, microBatch)
        try parallel(chunks.count) { i, ws in
            let range = chunks[i]
            let plan = try self.fullPlan(batch: range.count)
            try ws.run(plan, prepare: { _, dst in
                values.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { dst.update(from: s + range.lowerBound * item, count: range.count * item) }
                }
            }, collect: { port, src in
                guard let k = self.model.graph.outputs.firstIndex(of: port.value) else { return }
                let per = port.itemFloats
                (buffers[k].base + range.lowerBound * per).update(from: src, count: range.count * per)
            })
        }
        return zip(outShapes, buffers).map { Tensor(shape: [n] + $0.0, floats: $0.1.array) }
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
