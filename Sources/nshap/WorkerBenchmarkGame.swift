#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShapleyCore

/// An additive game with a chosen cost per coalition, for measuring the cluster rather than a
/// model: `spin` burns CPU for the cost (a stand-in for a forward pass), otherwise the thread
/// sleeps for it (or returns at once when the cost is zero: the no-op game).
///
/// Values are exact: `v(S)` is the sum of the members' weights, so the Shapley value of a player is
/// its weight, whatever the cost.
struct BenchmarkGame: Game {
    let playerCount: Int
    let weights: [Double]
    let cost: Duration
    let spin: Bool

    init(playerCount: Int, seed: UInt64, cost: Duration, spin: Bool) {
        self.playerCount = playerCount
        var stream = RandomStream(seed: seed, index: 0, purpose: 7)
        self.weights = (0..<playerCount).map { _ in stream.unit() }
        self.cost = cost
        self.spin = spin
    }

    func values(of coalitions: [Coalition]) throws -> [Double] {
        coalitions.map { c in
            if cost > .zero { spin ? burn(cost) : sleep(cost) }
            return c.members.reduce(0) { $0 + weights[$1] }
        }
    }

    private func burn(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        var x = 1.0
        while ContinuousClock.now < end {
            for _ in 0..<200 { x = x * 1.000001 + 1e-9 }
        }
        if x == 0 { print("unreachable") }
    }

    private func sleep(_ duration: Duration) {
        let (s, atto) = duration.components
        var request = timespec(tv_sec: Int(s), tv_nsec: Int(atto / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
