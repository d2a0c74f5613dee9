/// A cooperative game: `playerCount` players and a value for every coalition.
///
/// In Neuron Shapley a player is a convolutional filter, a coalition is the network with every
/// other filter removed, and the value is a metric of that network on validation images. Values
/// are asked for in batches because one forward pass can evaluate many coalitions at once.
public protocol Game: Sendable {
    /// The number of players.
    var playerCount: Int { get }

    /// The level a collapsed coalition sinks to (for accuracy: chance), used as the default floor of
    /// truncation rules. `nil` when unknown: estimators then use the value of the empty coalition.
    var chanceLevel: Double? { get }

    /// The values of `coalitions`, in order. Each coalition has `playerCount` players.
    func values(of coalitions: [Coalition]) throws -> [Double]
}

extension Game {
    /// No known chance level.
    public var chanceLevel: Double? { nil }

    /// The value of one coalition.
    public func value(of coalition: Coalition) throws -> Double {
        let v = try values(of: [coalition])
        guard let first = v.first, v.count == 1 else {
            throw ShapleyError.gameReturnedWrongCount(expected: 1, got: v.count)
        }
        return first
    }

    /// The value of the coalition of all players (the unablated network).
    public func fullValue() throws -> Double { try value(of: Coalition(full: playerCount)) }

    /// The value of the empty coalition (every player removed).
    public func emptyValue() throws -> Double { try value(of: Coalition(empty: playerCount)) }
}

/// Errors of the estimation core. Messages repeat what was given and say what would work.
public enum ShapleyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A game returned a different number of values than coalitions asked for.
    case gameReturnedWrongCount(expected: Int, got: Int)
    /// A work result does not fit the work unit it names.
    case resultDoesNotMatchWork(id: UInt64, reason: String)
    /// An option is out of its range.
    case invalidOption(name: String, value: String, expected: String)
    /// An unknown name (game, estimator) with the names that exist.
    case unknownName(kind: String, given: String, known: [String])

    public var description: String {
        switch self {
        case .gameReturnedWrongCount(let e, let g):
            return "the game returned \(g) values for \(e) coalitions; a game must return one value per coalition"
        case .resultDoesNotMatchWork(let id, let reason):
            return "result for work unit \(id) does not match the work that was issued: \(reason)"
        case .invalidOption(let name, let value, let expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        case .unknownName(let kind, let given, let known):
            return "unknown \(kind) '\(given)'; known: \(known.joined(separator: ", "))"
        }
    }
}
