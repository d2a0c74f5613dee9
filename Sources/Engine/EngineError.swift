/// Every error the engine raises. Messages repeat what was given and say what would work.
public enum EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A file could not be read.
    case cannotRead(path: String, reason: String)
    /// The bytes are not a well-formed protocol buffer at `offset`.
    case malformedProtobuf(message: String, offset: Int, reason: String)
    /// The model uses a feature this engine does not implement.
    case unsupportedModel(reason: String)
    /// A node uses an operator this engine does not implement.
    case unsupportedOperator(op: String, domain: String, node: String, known: [String])
    /// A node's attributes or inputs are invalid.
    case invalidNode(op: String, node: String, reason: String)
    /// Shapes that do not fit together.
    case shapeMismatch(node: String, reason: String)
    /// A tensor has the wrong element type or layout.
    case invalidTensor(name: String, reason: String)
    /// A malformed NPY file.
    case invalidNPY(source: String, reason: String)
    /// The input given to a session does not fit the model.
    case invalidInput(reason: String)
    /// A unit address that does not parse.
    case malformedUnitAddress(given: String, expected: String)
    /// A layer name that the model does not have, with the closest existing names.
    case unknownLayer(given: String, suggestions: [String])
    /// A channel outside a layer's range.
    case channelOutOfRange(layer: String, channel: Int, channels: Int)
    /// Channel means that were computed for another model or data set, or are malformed.
    case channelMeansMismatch(reason: String)

    /// The message: what was given and what would work.
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .malformedProtobuf(let message, let offset, let reason):
            return "malformed \(message) at byte \(offset): \(reason); is this an ONNX model file?"
        case .unsupportedModel(let reason):
            return "unsupported model: \(reason)"
        case .unsupportedOperator(let op, let domain, let node, let known):
            let d = domain.isEmpty ? "" : " (domain '\(domain)')"
            return "node '\(node)' uses operator '\(op)'\(d), which this engine does not implement; "
                + "supported operators: \(known.joined(separator: ", "))"
        case .invalidNode(let op, let node, let reason):
            return "\(op) node '\(node)': \(reason)"
        case .shapeMismatch(let node, let reason):
            return "node '\(node)': shapes do not fit: \(reason)"
        case .invalidTensor(let name, let reason):
            return "tensor '\(name)': \(reason)"
        case .invalidNPY(let source, let reason):
            return "NPY '\(source)': \(reason); expected a version 1-3 .npy file of float32 or int64 in C order"
        case .invalidInput(let reason):
            return "invalid input: \(reason)"
        case .malformedUnitAddress(let given, let expected):
            return "cannot parse unit address '\(given)': expected \(expected)"
        case .unknownLayer(let given, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "the model has no convolution layer named '\(given)'\(hint) (`nshap layers MODEL` lists them)"
        case .channelOutOfRange(let layer, let channel, let channels):
            return "layer '\(layer)' has channels 0..<\(channels); channel \(channel) does not exist"
        case .channelMeansMismatch(let reason):
            return "channel means cannot be used: \(reason)"
        }
    }
}
