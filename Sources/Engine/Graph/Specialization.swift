/// A graph specialised to concrete input shapes: the shape of every value, the values known
/// before running (initializers, Constant nodes, and shape arithmetic such as
/// Shape -> Gather -> Unsqueeze -> Concat -> Reshape, folded here), and the nodes left to run.
struct Specialization: Sendable {
    /// Facts per value id (nil for values no node computes, e.g. unused).
    let facts: [ValueFacts?]
    /// Indices (into `graph.nodes`) of the nodes that must run, in topological order.
    let runtimeNodes: [Int]
    /// For every run-time Conv node, a value id (past the graph's own) naming its output before the
    /// epilogue: the accumulation plus bias, before masks and the fused activation. A cut can compute
    /// it once per image and leave only the epilogue to run per (mask, image) pair (see `GraphCut`).
    let accumulators: [Int: Int]

    init(graph: Graph, inputShapes: [Int: [Int]]) throws {
        var facts = [ValueFacts?](repeating: nil, count: graph.valueNames.count)
        for (v, t) in graph.initializers { facts[v] = ValueFacts(constant: t) }
        for v in graph.inputs {
            guard let s = inputShapes[v] else {
                throw EngineError.invalidInput(reason: "no shape given for input '\(graph.valueNames[v])'")
            }
            facts[v] = ValueFacts(shape: s, isFloat: true)
        }
        var runtime: [Int] = []
        for (k, node) in graph.nodes.enumerated() {
            let inputs = try node.inputs.map { v -> ValueFacts? in
                guard let v else { return nil }
                guard let f = facts[v] else {
                    throw node.info.invalid("input '\(graph.valueNames[v])' is not available")
                }
                return f
            }
            if let folded = try node.op.fold(inputs, node: node.info) {
                for (o, t) in zip(node.outputs, folded) { facts[o] = ValueFacts(constant: t) }
                continue
            }
            let out = try node.op.infer(inputs, node: node.info)
            guard out.count >= node.outputs.count || node.info.opType == "Dropout" else {
                throw node.info.invalid("produces \(out.count) outputs, the model uses \(node.outputs.count)")
            }
            for (o, f) in zip(node.outputs, out) {
                guard f.isFloat || f.constant != nil else {
                    throw node.info.invalid("computes integers at run time, which this engine does not support")
                }
                facts[o] = f
            }
            runtime.append(k)
        }
        var accumulators: [Int: Int] = [:]
        for k in runtime where graph.nodes[k].op is ConvOp && graph.nodes[k].outputs.count == 1 {
            accumulators[k] = facts.count
            facts.append(facts[graph.nodes[k].outputs[0]])
        }
        self.facts = facts
        self.runtimeNodes = runtime
        self.accumulators = accumulators
    }
}
