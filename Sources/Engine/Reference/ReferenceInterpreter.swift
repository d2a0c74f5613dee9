/// Runs a model node by node with the operators' reference implementations (NCHW, no fusion,
/// no layouts, no buffer reuse): the ground truth the execution plans are tested against.
enum ReferenceInterpreter {
    /// Every graph output for `input`, with the channels of `mask` (if any) replaced after each
    /// masked Conv, exactly as `Session.evaluate` specifies.
    static func run(_ model: Model, input: Tensor, mask: Mask? = nil, removal: Removal = .zero,
                    means: ChannelMeans? = nil, biases: [[Float]]? = nil) throws -> [Tensor] {
        let graph = model.graph
        let allBiases = biases ?? model.convLayers.map { l in
            let node = graph.nodes[l.nodeIndex]
            if node.inputs.count > 2, let b = node.inputs[2], let t = graph.initializers[b] { return t.asFloats }
            return [Float](repeating: 0, count: l.channels)
        }
        let prepared = try mask.map { try PreparedMask($0, model: model, removal: removal, means: means, biases: allBiases) }
        var values: [Int: Tensor] = graph.initializers
        guard let inputID = graph.inputs.first else { throw EngineError.unsupportedModel(reason: "no input") }
        values[inputID] = input
        for (k, node) in graph.nodes.enumerated() {
            let inputs = try node.inputs.map { v -> Tensor? in
                guard let v else { return nil }
                guard let t = values[v] else { throw node.info.invalid("input \(graph.valueNames[v]) missing") }
                return t
            }
            var outputs = try node.op.reference(inputs, node: node.info)
            if let layer = model.layersByNode[k], let o = prepared?.overrides[layer.index] {
                let y = outputs[0]
                let c = y.shape[1], inner = y.shape.dropFirst(2).reduce(1, *)
                let bias = allBiases[layer.index]
                var v = y.asFloats
                for i in v.indices {
                    let ch = (i / inner) % c
                    v[i] = o.scale[ch] == 0 ? o.shift[ch] : (v[i] - bias[ch]) * o.scale[ch] + o.shift[ch]
                }
                outputs[0] = Tensor(shape: y.shape, floats: v)
            }
            for (o, t) in zip(node.outputs, outputs) { values[o] = t }
        }
        return try graph.outputs.map { o in
            guard let t = values[o] else { throw EngineError.unsupportedModel(reason: "output not computed") }
            return t
        }
    }

    /// The mean of every conv output channel over `input` (images and positions), by unit: the
    /// reference for `Session.channelMeans`.
    static func convOutputMeans(_ model: Model, input: Tensor) throws -> [Float] {
        var means = [Float](repeating: 0, count: model.unitCount)
        var values: [Int: Tensor] = model.graph.initializers
        guard let inputID = model.graph.inputs.first else { throw EngineError.unsupportedModel(reason: "no input") }
        values[inputID] = input
        for (k, node) in model.graph.nodes.enumerated() {
            let outputs = try node.op.reference(node.inputs.map { $0.flatMap { values[$0] } }, node: node.info)
            for (o, t) in zip(node.outputs, outputs) { values[o] = t }
            guard let layer = model.layersByNode[k] else { continue }
            let y = outputs[0]
            let c = y.shape[1], inner = y.shape.dropFirst(2).reduce(1, *)
            var sums = [Double](repeating: 0, count: c)
            for (i, v) in y.asFloats.enumerated() { sums[(i / inner) % c] += Double(v) }
            let n = Double(y.count / c)
            for ch in 0..<c { means[layer.firstUnit + ch] = Float(sums[ch] / n) }
        }
        return means
    }
}
