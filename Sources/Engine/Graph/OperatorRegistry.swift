/// The operators this engine implements, keyed by ONNX operator name (default domain only).
/// Looking a node up here is how an unsupported operator is caught at load time.
enum OperatorRegistry {
    /// Makes an operator from a node's attributes and the model's default-domain opset version.
    typealias Factory = @Sendable (String, Attributes, Int) throws -> any Operator

    /// Every supported operator.
    static let factories: [String: Factory] = {
        var f: [String: Factory] = [:]
        f["Conv"] = { _, a, _ in try ConvOp(a) }
        for name in ["Relu", "LeakyRelu", "HardSwish", "HardSigmoid", "Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Sqrt", "Abs"] {
            f[name] = { op, a, _ in try UnaryOp(opType: op, a) }
        }
        f["Clip"] = { _, a, _ in try UnaryOp(clip: a) }
        for name in ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"] {
            f[name] = { op, a, _ in try BinaryOp(opType: op, a) }
        }
        for name in ["MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"] {
            f[name] = { op, a, _ in try PoolOp(opType: op, a) }
        }
        f["ReduceMean"] = { _, a, _ in try ReduceMeanOp(a) }
        f["BatchNormalization"] = { _, a, _ in try BatchNormOp(a) }
        f["Concat"] = { _, a, _ in try ConcatOp(a) }
        for name in ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout"] {
            f[name] = { op, a, _ in try ReshapeOp(opType: op, a) }
        }
        f["Shape"] = { _, a, _ in try ShapeOp(a) }
        f["Gather"] = { _, a, _ in try GatherOp(a) }
        f["Constant"] = { _, a, _ in try ConstantOp(a) }
        f["Gemm"] = { op, a, _ in try GemmOp(opType: op, a) }
        f["MatMul"] = { op, a, _ in try GemmOp(opType: op, a) }
        f["Softmax"] = { _, a, opset in try SoftmaxOp(a, opset: opset) }
        f["Transpose"] = { _, a, _ in try TransposeOp(a) }
        return f
    }()

    /// The names of the supported operators, sorted.
    static var supported: [String] { factories.keys.sorted() }

    /// The typed operator for `proto`, or `EngineError.unsupportedOperator` naming it and the node.
    static func make(_ proto: NodeProto, info: NodeInfo, opset: Int) throws -> any Operator {
        let domain = proto.domain ?? ""
        guard domain.isEmpty || domain == "ai.onnx", let factory = factories[info.opType] else {
            throw EngineError.unsupportedOperator(op: info.opType, domain: domain, node: info.name, known: supported)
        }
        return try factory(info.opType, Attributes(proto, node: info), opset)
    }
}
