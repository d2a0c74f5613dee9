/// Everything that can go wrong while setting up or analysing a Neuron Shapley run.
///
/// Each message repeats what was given and says what would work.
public enum NeuronShapleyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `--players` selection that names no layer, or a malformed item of it.
    case invalidPlayers(given: String, reason: String)
    /// An option whose value does not fit.
    case invalidOption(name: String, value: String, expected: String)
    /// The data and the metric do not fit together (missing labels, groups, targets).
    case unusableData(reason: String)
    /// A model the analysis cannot handle (no weight initializer, unsupported cut).
    case unsupportedModel(reason: String)
    /// A file that could not be read or written.
    case file(path: String, reason: String)
    /// A run directory that does not hold what was expected.
    case invalidRunDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidPlayers(let given, let reason):
            return "--players '\(given)': \(reason); write layer names, globs such as 'blocks.6.*', layer index ranges such as '40-48', or 'all'"
        case .invalidOption(let name, let value, let expected):
            return "\(name) '\(value)': expected \(expected)"
        case .unusableData(let reason):
            return reason
        case .unsupportedModel(let reason):
            return "unsupported model: \(reason)"
        case .file(let path, let reason):
            return "'\(path)': \(reason)"
        case .invalidRunDirectory(let path, let reason):
            return "run directory '\(path)': \(reason); give the directory written by 'nshap run'"
        }
    }
}
