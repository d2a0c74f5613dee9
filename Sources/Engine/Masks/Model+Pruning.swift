extension Model {
    /// A copy of the model with `units` removed for good: each removed filter's weights are zeroed
    /// and its bias set to the removal constant (a bias initializer is added to a Conv without
    /// one), so the rewritten model computes what `Session.evaluate` computes with the same mask.
    /// Weights or biases shared with other nodes are copied first, so only the pruned layers change.
    public func pruned(removing units: [Unit], removal: Removal, means: ChannelMeans? = nil) throws -> ModelProto {
        if removal == .mean {
            guard let means else {
                throw EngineError.channelMeansMismatch(reason: "removal 'mean' needs channel means")
            }
            try means.validate(for: self)
        }
        var proto = self.proto
        guard var graph = proto.graph else { throw EngineError.unsupportedModel(reason: "the model has no graph") }
        var initializerIndex: [String: Int] = [:]
        for (i, t) in graph.initializer.enumerated() { if let n = t.name { initializerIndex[n] = i } }
        var uses: [String: Int] = [:]
        for n in graph.node { for i in n.input { uses[i, default: 0] += 1 } }
        var taken = Set(graph.initializer.compactMap(\.name)).union(graph.node.flatMap(\.output))
        func freshName(_ base: String) -> String {
            var name = base, k = 1
            while taken.contains(name) { k += 1; name = "\(base)_\(k)" }
            taken.insert(name)
            return name
        }
        let byLayer = Dictionary(grouping: units, by: \.layer)
        for (layerIndex, layerUnits) in byLayer.sorted(by: { $0.key < $1.key }) {
            let layer = convLayers[layerIndex]
            let nodeIndex = graph.node.indices.first { k in
                graph.node[k].output.first == layer.outputName && graph.node[k].opType == "Conv"
            }
            guard let k = nodeIndex, graph.node[k].input.count >= 2,
                  let wi = initializerIndex[graph.node[k].input[1]] else {
                throw EngineError.unsupportedModel(reason: "layer '\(layer.name)' has no weight initializer to prune")
            }
            // Weights: [Cout, Cin/g, kh, kw]; zero the removed output channels.
            var weights = try Tensor(proto: graph.initializer[wi])
            let per = weights.count / max(layer.channels, 1)
            var w = weights.asFloats
            for u in layerUnits { for i in 0..<per { w[u.channel * per + i] = 0 } }
            weights = Tensor(shape: weights.shape, floats: w)
            let weightName = graph.node[k].input[1]
            if (uses[weightName] ?? 0) > 1 {
                let name = freshName(weightName + "_pruned")
                graph.initializer.append(weights.proto(name: name))
                graph.node[k].input[1] = name
            } else {
                var t = weights.proto(name: weightName)
                t.docString = graph.initializer[wi].docString
                graph.initializer[wi] = t
            }
            // Bias: the removal constant for removed channels.
            var bias = [Float](repeating: 0, count: layer.channels)
            var biasName: String?
            if graph.node[k].input.count > 2, !graph.node[k].input[2].isEmpty {
                let name = graph.node[k].input[2]
                guard let bi = initializerIndex[name] else {
                    throw EngineError.unsupportedModel(reason: "layer '\(layer.name)' has a computed bias")
                }
                bias = try Tensor(proto: graph.initializer[bi]).asFloats
                biasName = name
            }
            for u in layerUnits {
                switch removal {
                case .zero: bias[u.channel] = 0
                case .bias: break
                case .mean: bias[u.channel] = means?.values[u.index] ?? 0
                }
            }
            let biasTensor = Tensor(shape: [layer.channels], floats: bias)
            if let name = biasName, (uses[name] ?? 0) <= 1, let bi = initializerIndex[name] {
                graph.initializer[bi] = biasTensor.proto(name: name)
            } else {
                let name = freshName((biasName ?? layer.outputName) + "_bias_pruned")
                graph.initializer.append(biasTensor.proto(name: name))
                if graph.node[k].input.count > 2 { graph.node[k].input[2] = name } else { graph.node[k].input.append(name) }
            }
        }
        proto.graph = graph
        return proto
    }
}
