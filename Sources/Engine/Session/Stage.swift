/// A group of nodes run together at one micro-batch size, reading values other stages produced
/// (or the caller gave) and producing values later stages or the caller need.
///
/// A network's high-resolution start runs best a few items at a time (its activations stay in
/// cache); its low-resolution end runs best many items at a time (matrix products get tall, the
/// classifier's weights are read once per micro-batch). `Stage.split` cuts a node group where every
/// value touched afterwards is small.
struct Stage: Sendable {
    /// Identifies the stage's plans in the session cache.
    let key: String
    /// Nodes, topologically ordered.
    let nodes: [Int]
    /// Run-time values read but not produced here.
    let inputs: [Int]
    /// Values produced here that later stages or the caller need.
    let outputs: [Int]
    /// Items per micro-batch.
    let microBatch: Int
    /// Conv nodes run in part (see `GraphCut`).
    var parts: [Int: ConvPart] = [:]

    /// Splits `nodes` (reading `inputs`, producing `outputs`) into an early stage and a late stage
    /// in which every value read or written holds at most `threshold` floats per item; one stage
    /// when no such split helps.
    static func split(key: String, model: Model, specialization spec: Specialization, nodes: [Int], inputs: [Int],
                      outputs: [Int], parts: [Int: ConvPart] = [:], early: Int, late: Int, threshold: Int) -> [Stage] {
        let graph = model.graph
        func reads(_ k: Int) -> [Int] { spec.inputs(of: k, in: graph, part: parts[k]).compactMap { $0 } }
        func writes(_ k: Int) -> [Int] { spec.outputs(of: k, in: graph, part: parts[k]) }
        func size(_ v: Int) -> Int { spec.facts[v].map { $0.shape.dropFirst().reduce(1, *) } ?? 0 }
        func isRuntime(_ v: Int) -> Bool { spec.facts[v]?.constant == nil }
        var start = nodes.count
        while start > 0 {
            let k = nodes[start - 1]
            let touched = reads(k).filter(isRuntime) + writes(k)
            guard touched.allSatisfy({ size($0) <= threshold }) else { break }
            start -= 1
        }
        // Only split when both parts are substantial.
        guard early != late, start > 0, start < nodes.count - 1 else {
            return [Stage(key: key, nodes: nodes, inputs: inputs, outputs: outputs, microBatch: late, parts: parts)]
        }
        let first = Array(nodes[..<start]), second = Array(nodes[start...])
        let producedLate = Set(second.flatMap(writes))
        var lateInputs: [Int] = []
        for k in second {
            for v in reads(k) where isRuntime(v) && !producedLate.contains(v) && !lateInputs.contains(v) {
                lateInputs.append(v)
            }
        }
        let producedEarly = Set(first.flatMap(writes))
        let earlyOutputs = (lateInputs + outputs).filter { producedEarly.contains($0) }
        let earlyInputs = inputs.filter { v in first.contains { reads($0).contains(v) } }
        // The late stage reads early outputs and any group inputs it needs directly (skip connections).
        return [
            Stage(key: key + "/early", nodes: first, inputs: earlyInputs, outputs: uniqued(earlyOutputs), microBatch: early,
                  parts: parts.filter { first.contains($0.key) }),
            Stage(key: key + "/late", nodes: second, inputs: lateInputs, outputs: outputs.filter(producedLate.contains),
                  microBatch: late, parts: parts.filter { second.contains($0.key) }),
        ]
    }
}

/// `values` without repeats, in first-seen order.
func uniqued(_ values: [Int]) -> [Int] {
    var seen = Set<Int>()
    return values.filter { seen.insert($0).inserted }
}
