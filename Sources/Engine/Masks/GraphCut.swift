/// How a stage runs a conv node that a cut splits: its accumulation (the product plus bias, once
/// per image) or its epilogue (masks and the fused activation, once per (mask, image) pair).
enum ConvPart: String, Sendable {
    case accumulation
    case epilogue
}

extension Specialization {
    /// The values node `k` of `graph` reads when run whole (`part` nil) or as `part`.
    func inputs(of k: Int, in graph: Graph, part: ConvPart?) -> [Int?] {
        if part == .epilogue, let a = accumulators[k] { return [a] }
        return graph.nodes[k].inputs
    }

    /// The values node `k` of `graph` writes when run whole (`part` nil) or as `part`.
    func outputs(of k: Int, in graph: Graph, part: ConvPart?) -> [Int] {
        if part == .accumulation, let a = accumulators[k] { return [a] }
        return graph.nodes[k].outputs
    }
}

/// The split of a graph into a prefix that no mask touches (computed once per image batch) and a
/// suffix recomputed for every (mask, image) pair.
///
/// The suffix holds the masked conv layers and everything downstream of them that the outputs
/// need; the frontier is every run-time value the suffix reads but does not compute (including
/// skip connections that leave the prefix from before the earliest masked layer). A masked layer
/// whose input no mask affects is split: its accumulation (the expensive product) runs in the
/// prefix and hands its output before the epilogue (`Specialization.accumulators`) across the
/// frontier; the suffix only applies the masks and the activation. So masks on the last conv layer
/// of a network pay per pair for little more than pooling and the classifier. Graph outputs no
/// mask affects pass through the frontier.
struct GraphCut: Sendable {
    /// Run-time nodes computed once per image batch.
    let prefix: [Int]
    /// Run-time nodes computed per (mask, image) pair.
    let suffix: [Int]
    /// Values the prefix hands to the suffix.
    let frontier: [Int]
    /// Masked conv nodes run in two parts: accumulation in the prefix, epilogue in the suffix.
    let split: [Int]

    /// The parts in which the prefix runs its split nodes.
    var prefixParts: [Int: ConvPart] { Dictionary(uniqueKeysWithValues: split.map { ($0, .accumulation) }) }
    /// The parts in which the suffix runs its split nodes.
    var suffixParts: [Int: ConvPart] { Dictionary(uniqueKeysWithValues: split.map { ($0, .epilogue) }) }

    /// The cut for masks touching `layers` (indices into `model.convLayers`); `splitting: false`
    /// keeps every masked layer whole in the suffix.
    init(model: Model, specialization spec: Specialization, maskedLayers layers: Set<Int>, splitting: Bool = true) {
        let graph = model.graph
        let runtime = Set(spec.runtimeNodes)
        let layerNodes = Set(layers.map { model.convLayers[$0].nodeIndex })
        var affected = layerNodes
        func readsAffected(_ k: Int) -> Bool {
            graph.nodes[k].inputs.contains { v in v.flatMap { graph.producer[$0] }.map(affected.contains) ?? false }
        }
        for k in spec.runtimeNodes where !affected.contains(k) && readsAffected(k) { affected.insert(k) }
        // Nodes the outputs need.
        var needed = Set<Int>()
        var stack = graph.outputs.compactMap { graph.producer[$0] }.filter(runtime.contains)
        while let k = stack.popLast() {
            guard needed.insert(k).inserted else { continue }
            for v in graph.nodes[k].inputs.compactMap({ $0 }) {
                if let p = graph.producer[v], runtime.contains(p) { stack.append(p) }
            }
        }
        let suffix = spec.runtimeNodes.filter { affected.contains($0) && needed.contains($0) }
        let suffixSet = Set(suffix)
        let split = splitting ? suffix.filter { layerNodes.contains($0) && spec.accumulators[$0] != nil && !readsAffected($0) } : []
        var parts: [Int: ConvPart] = [:]
        for k in split { parts[k] = .epilogue }
        var accumulatorNode: [Int: Int] = [:]
        for k in split { if let a = spec.accumulators[k] { accumulatorNode[a] = k } }
        func producer(_ v: Int) -> Int? { graph.producer[v] ?? accumulatorNode[v] }
        var frontier: [Int] = []
        var seen = Set<Int>()
        func isRuntime(_ v: Int) -> Bool { spec.facts[v]?.constant == nil }
        for k in suffix {
            for v in spec.inputs(of: k, in: graph, part: parts[k]).compactMap({ $0 }) where isRuntime(v) && !seen.contains(v) {
                if accumulatorNode[v] == nil, let p = graph.producer[v], suffixSet.contains(p) { continue }
                seen.insert(v)
                frontier.append(v)
            }
        }
        for o in graph.outputs where isRuntime(o) && !seen.contains(o) {
            if let p = graph.producer[o], suffixSet.contains(p) { continue }
            seen.insert(o)
            frontier.append(o)
        }
        // The prefix computes the frontier; a split node there is its accumulation, reading the node's own inputs.
        var prefixSet = Set<Int>()
        stack = frontier.compactMap(producer).filter(runtime.contains)
        while let k = stack.popLast() {
            guard prefixSet.insert(k).inserted else { continue }
            for v in graph.nodes[k].inputs.compactMap({ $0 }) {
                if let p = graph.producer[v], runtime.contains(p) { stack.append(p) }
            }
        }
        self.prefix = spec.runtimeNodes.filter(prefixSet.contains)
        self.suffix = suffix
        self.frontier = frontier
        self.split = split
    }
}
