/// A typed operator: the parsed attributes of one node plus its semantics.
///
/// Operators are created from `NodeProto`s by `OperatorRegistry` at load time, so an unknown
/// operator or a malformed attribute fails when the model is loaded. Each operator states its shape
/// function, a plain reference implementation (NCHW, no tricks: the ground truth for tests and
/// for constant folding), and how it lowers to fast kernels in an execution plan.
protocol Operator: Sendable {
    /// The output shapes and element kinds for inputs with `facts` (nil = omitted optional input).
    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts]

    /// The outputs computed naively from `inputs` (nil = omitted optional input).
    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor]

    /// Outputs known without running, e.g. `Shape` of a value whose shape is known. The default
    /// folds when every given input is a constant.
    func fold(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [Tensor]?

    /// Emits the kernels computing this node into `builder`. The default runs `reference` on
    /// plain-layout buffers.
    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder: inout PlanBuilder) throws
}

extension Operator {
    func fold(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [Tensor]? {
        var tensors: [Tensor?] = []
        for f in inputs {
            if let f {
                guard let c = f.constant else { return nil }
                tensors.append(c)
            } else {
                tensors.append(nil)
            }
        }
        return try reference(tensors, node: node)
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder: inout PlanBuilder) throws {
        builder.emitReference(self, node: node, inputs: inputs, outputs: outputs)
    }
}
