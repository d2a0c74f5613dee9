public import Engine

/// The L2 norm of every filter's weights: a data-free importance baseline (large filters are
/// often taken to matter more, the rule of magnitude pruning).
public enum WeightNorms {
    /// The norm of the weights of each of `units` (global unit indices of `model`), in order; 0
    /// for a layer whose weights are not an initializer.
    public static func of(_ units: [Int], in model: Model) throws -> [Double] {
        guard let graph = model.proto.graph else { throw NeuronShapleyError.unsupportedModel(reason: "the model has no graph") }
        let initializers = Dictionary(graph.initializer.compactMap { t in t.name.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
        let producers = Dictionary(graph.node.compactMap { n in n.output.first.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        var perLayer: [Int: [Double]] = [:]
        return try units.map { u in
            let unit = model.unit(index: u)
            if let norms = perLayer[unit.layer] { return norms[unit.channel] }
            let layer = model.convLayers[unit.layer]
            var norms = [Double](repeating: 0, count: layer.channels)
            if let node = producers[layer.outputName], node.input.count > 1, let w = initializers[node.input[1]] {
                let values = try Tensor(proto: w).asFloats
                let per = values.count / max(layer.channels, 1)
                for c in 0..<layer.channels {
                    var s = 0.0
                    for v in values[(c * per)..<((c + 1) * per)] { s += Double(v) * Double(v) }
                    norms[c] = s.squareRoot()
                }
            }
            perLayer[unit.layer] = norms
            return norms[unit.channel]
        }
    }
}
