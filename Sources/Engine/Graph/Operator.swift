/// What is known about a value while a graph is specialised to a concrete input shape: its shape,
/// whether it holds floats, and its contents when it is a constant (folded at plan time).
struct ValueFacts: Sendable {
    /// The logical (ONNX, NCHW) shape.
    var shape: [Int]
    /// Whether the elements are floats (otherwise int64).
    var isFloat: Bool
    /// The value, when known before running.
    var constant: Tensor?

    init(shape: [Int], isFloat: Bool, constant: Tensor? = nil) {
        self.shape = shape
        self.isFloat = isFloat
        self.constant = constant
    }

    init(constant: Tensor) {
        self.init(shape: constant.shape, isFloat: constant.isFloat, constant: constant)
    }
}

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

/// The identity of a node for error messages and naming.
struct NodeInfo: Sendable, Hashable {
    /// The node's name, or its first output's name when unnamed.
    let name: String
    /// The operator name, e.g. `Conv`.
    let opType: String

    func invalid(_ reason: String) -> EngineError {
        .invalidNode(op: opType, node: name, reason: reason)
    }

    func mismatch(_ reason: String) -> EngineError {
        .shapeMismatch(node: name, reason: reason)
    }

    /// The input at `index`, or an error naming it.
    func input<T>(_ values: [T?], _ index: Int, _ what: String) throws -> T {
        guard index < values.count, let v = values[index] else {
            throw invalid("missing input \(index) (\(what))")
        }
        return v
    }

    /// A float constant input, or an error.
    func floatConstant(_ facts: [ValueFacts?], _ index: Int, _ what: String) throws -> [Float] {
        let f = try input(facts, index, what)
        guard let c = f.constant, let v = c.floats else {
            throw invalid("input \(index) (\(what)) must be a float constant (an initializer); computed \(what) is not supported")
        }
        return v
    }
}
