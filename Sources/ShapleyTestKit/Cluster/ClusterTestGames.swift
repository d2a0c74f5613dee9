public import ShapleyCore
#if canImport(Glibc)
import Glibc
#endif

/// A game whose value is the sum of its members' weights, optionally slow: the cluster tests' game.
/// Player `i` weighs `1 / (i + 1)`, so the exact Shapley value of player `i` is its weight.
public struct WeightedTestGame: Game {
    public let playerCount: Int
    /// Wall time each call to ``values(of:)`` sleeps per coalition, to imitate a forward pass.
    public let delayPerCoalition: Duration

    /// A game of `playerCount` players.
    public init(playerCount: Int, delayPerCoalition: Duration = .zero) {
        self.playerCount = playerCount
        self.delayPerCoalition = delayPerCoalition
    }

    /// The exact Shapley value of `player`.
    public func weight(_ player: Int) -> Double { 1 / Double(player + 1) }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        if delayPerCoalition > .zero { blockingSleep(delayPerCoalition * coalitions.count) }
        return coalitions.map { c in c.members.reduce(0) { $0 + weight($1) } }
    }
}

/// A game that answers 0 at once: measures the cluster's own cost.
public struct NoOpGame: Game {
    public let playerCount: Int

    /// A game of `playerCount` players.
    public init(playerCount: Int) { self.playerCount = playerCount }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        Array(repeating: 0, count: coalitions.count)
    }
}

/// Wraps a game and misbehaves on one coalition: it calls `onPoison` (which a test uses to "kill"
/// the worker, for example by cancelling its task) and then throws, every time it is asked.
public struct PoisonedGame: Game {
    /// The wrapped game.
    public let base: any Game
    /// The coalition that kills.
    public let poison: Coalition
    /// Called when the poison coalition is asked for, before throwing.
    public let onPoison: @Sendable () -> Void

    /// A game that behaves like `base` except on `poison`.
    public init(base: any Game, poison: Coalition, onPoison: @escaping @Sendable () -> Void) {
        self.base = base
        self.poison = poison
        self.onPoison = onPoison
    }

    public var playerCount: Int { base.playerCount }

    public func values(of coalitions: [Coalition]) throws -> [Double] {
        if coalitions.contains(poison) {
            onPoison()
            throw ShapleyError.invalidOption(name: "coalition", value: "\(poison.members)", expected: "not the poisoned one")
        }
        return try base.values(of: coalitions)
    }
}

/// Sleeps the calling thread (games run on threads of their own, not on the cooperative pool).
func blockingSleep(_ d: Duration) {
    let (s, attos) = d.components
    var request = timespec(tv_sec: Int(s), tv_nsec: Int(attos / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
