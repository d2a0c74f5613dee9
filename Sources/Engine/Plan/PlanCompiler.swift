/// Compiles a subset of a specialised graph into an `ExecutionPlan`: chooses layouts, fuses
/// activations into the Conv, Gemm or BatchNormalization before them, and places buffers.
enum PlanCompiler {
    /// Compiles `nodes` (indices into `graph.nodes`, topologically ordered, all run-time nodes of
    /// `specialization`) reading `inputs` (in the given layouts) and producing `outputs`.
    /// `layers` maps Conv node indices to their player layers (for masks and statistics). Outputs
    /// marked `plain` are converted to plain layout; the others stay in the layout they were made in.
    /// Conv nodes in `parts` run only their accumulation (writing `Specialization.accumulators`) or
    /// only their epilogue (reading it).
    static func compile(graph: Graph, specialization: Specialization, nodes: [Int], inputs: [(value: Int, layout: Layout)],
                        outputs: [(value: Int, plain: Bool)], layers: [Int: ConvLayer], parts: [Int: ConvPart] = [:],
                        batch: Int, fuse: Bool = true) throws -> ExecutionPlan {
        var b = PlanBuilder(batch: batch, facts: specialization.facts)
        for (v, layout) in inputs { b.define(v, layout: layout) }
        let members = Set(nodes)
        let outputSet = Set(outputs.map(\.value))
        var fusedInto: [Int: Int] = [:]
        var fusion: [Int: (activation: Activation, output: Int, node: Int)] = [:]
        if fuse {
            for k in nodes {
                let node = graph.nodes[k]
                guard node.op is ConvOp || node.op is GemmOp || node.op is BatchNormOp, node.outputs.count == 1,
                      parts[k] != .accumulation else { continue }
                let o = node.outputs[0]
                guard !outputSet.contains(o), let users = graph.consumers[o], users.count == 1,
                      let user = users.first, members.contains(user),
                      let unary = graph.nodes[user].op as? UnaryOp else { continue }
                let facts = graph.nodes[user].inputs.map { $0.flatMap { specialization.facts[$0] } }
                guard let act = try? unary.activation(facts, node: graph.nodes[user].info),
                      graph.nodes[user].inputs.first == o else { continue }
                fusedInto[user] = k
                fusion[k] = (act, graph.nodes[user].outputs[0], user)
            }
        }
        for k in nodes where fusedInto[k] == nil {
            let node = graph.nodes[k]
            b.fusion = fusion[k].map { ($0.activation, $0.output) }
            b.currentLayer = layers[k]
            switch (parts[k], node.op as? ConvOp, specialization.accumulators[k]) {
            case (.accumulation?, let conv?, let a?):
                // The product and bias alone: no masks, statistics or activation.
                b.currentLayer = nil
                try conv.lower(node.info, inputs: node.inputs, outputs: [a], builder: &b)
            case (.epilogue?, let conv?, let a?):
                try conv.lowerEpilogue(node.info, inputs: node.inputs, outputs: node.outputs, accumulator: a, builder: &b)
            default:
                try node.op.lower(node.info, inputs: node.inputs, outputs: node.outputs, builder: &b)
            }
            if b.fusion != nil, let f = fusion[k] {
                // The operator did not take the activation: lower it on its own.
                b.fusion = nil
                let user = graph.nodes[f.node]
                try user.op.lower(user.info, inputs: user.inputs, outputs: user.outputs, builder: &b)
            }
            b.currentLayer = nil
        }
        var ports: [(value: Int, storage: Int)] = []
        for (o, plain) in outputs {
            ports.append((o, plain || b.constant(o) != nil ? b.require(o, .plain) : o))
        }
        return try b.finish(inputs: inputs.map(\.value), outputs: ports)
    }
}
