/// Runs an operator's reference implementation on plain buffers: the fallback for operators
/// without a fast kernel (rare at run time; most such operators are folded into constants).
struct ReferenceKernel: Kernel {
    let op: any Operator
    let node: NodeInfo
    let inputs: [Loc?]
    let inputShapes: [[Int]?]
    let outputs: [Loc]
    let outputShapes: [[Int]]

    func run(_ context: RunContext) throws {
        var tensors: [Tensor?] = []
        for (loc, shape) in zip(inputs, inputShapes) {
            guard let loc, let shape else { tensors.append(nil); continue }
            let n = shape.reduce(1, *)
            tensors.append(Tensor(shape: shape, floats: Array(UnsafeBufferPointer(start: context[loc], count: n))))
        }
        let results = try op.reference(tensors, node: node)
        for (i, r) in results.enumerated() where i < outputs.count {
            guard r.shape == outputShapes[i] else {
                throw node.mismatch("reference produced shape \(r.shape), planned \(outputShapes[i])")
            }
            let values = r.asFloats
            values.withUnsafeBufferPointer { src in
                if let s = src.baseAddress { context[outputs[i]].update(from: s, count: values.count) }
            }
        }
    }
}
