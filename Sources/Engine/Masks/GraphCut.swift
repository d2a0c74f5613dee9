/// The split of a graph into a prefix that no mask touches (computed once per image batch) and a
/// suffix recomputed for every (mask, image) pair.
///
/// The suffix holds the masked conv layers and everything downstream of them that the outputs
/// need; the frontier is every run-time value the suffix reads but does not compute (including
/// skip connections that leave the prefix from before the earliest masked layer, and the image
/// input itself when the first layer is masked). Graph outputs no mask affects pass through the
/// frontier.
struct GraphCut: Sendable {
    /// Run-time nodes computed once per image batch.
    let prefix: [Int]
    /// Run-time nodes computed per (mask, image) pair.
    let suffix: [Int]
    /// Values the prefix hands to the suffix.
    let frontier: [Int]

    /// The cut for masks touching `layers` (indices into `model.convLayers`).
    init(model: Model, specialization spec: Specialization, maskedLayers layers: Set<Int>) {
        let graph = model.graph
        let runtime = Set(spec.runtimeNodes)
        var affected = Set(layers.map { model.convLayers[$0].nodeIndex })
        for k in spec.runtimeNodes where !affected.contains(k) {
            let node = graph.nodes[k]
            if node.inputs.contains(where: { v in v.flatMap { graph.producer[$0] }.map(affected.contains) ?? false }) {
                affected.insert(k)
            }
        }
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
        var frontier: [Int] = []
        var seen = Set<Int>()
        func isRuntime(_ v: Int) -> Bool { spec.facts[v]?.constant == nil }
        for k in suffix {
            for v in graph.nodes[k].inputs.compactMap({ $0 }) where isRuntime(v) && !seen.contains(v) {
                if let p = graph.producer[v], suffixSet.contains(p) { continue }
                seen.insert(v)
                frontier.append(v)
            }
        }
        for o in graph.outputs where isRuntime(o) && !seen.contains(o) {
            if let p = graph.producer[o], suffixSet.contains(p) { continue }
            seen.insert(o)
            frontier.append(o)
        }
        var prefixSet = Set<Int>()
        stack = frontier.compactMap { graph.producer[$0] }.filter(runtime.contains)
        while let k = stack.popLast() {
            guard prefixSet.insert(k).inserted else { continue }
            for v in graph.nodes[k].inputs.compactMap({ $0 }) {
                if let p = graph.producer[v], runtime.contains(p) { stack.append(p) }
            }
        }
        self.prefix = spec.runtimeNodes.filter(prefixSet.contains)
        self.suffix = suffix
        self.frontier = frontier
    }
}
