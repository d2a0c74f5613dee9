import ShapleyCore
import Synchronization

/// What a faulty network does to the messages it carries. Rates are probabilities per message.
public struct FaultPlan: Hashable, Sendable {
    /// Messages lost.
    public var dropRate: Double
    /// Messages delivered twice (the copy a little later).
    public var duplicateRate: Double
    /// Messages held back for a random delay up to ``maxDelay`` (later messages overtake them).
    public var delayRate: Double
    /// Messages swapped with the next message sent.
    public var reorderRate: Double
    /// The longest delay.
    public var maxDelay: Duration

    /// A plan with these rates.
    public init(dropRate: Double = 0, duplicateRate: Double = 0, delayRate: Double = 0,
                reorderRate: Double = 0, maxDelay: Duration = .milliseconds(20)) {
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.delayRate = delayRate
        self.reorderRate = reorderRate
        self.maxDelay = maxDelay
    }

    /// A few percent of everything: the plan the cluster tests use.
    public static let unreliable = FaultPlan(dropRate: 0.05, duplicateRate: 0.05, delayRate: 0.05, reorderRate: 0.05)
}

/// Counts of what a fault injector did.
public struct FaultCounts: Hashable, Sendable {
    /// Messages seen.
    public var messages = 0
    /// Messages dropped.
    public var dropped = 0
    /// Messages duplicated.
    public var duplicated = 0
    /// Messages delayed.
    public var delayed = 0
    /// Messages held back to swap with the next one.
    public var reordered = 0
}

/// Decides, from a seeded counter-based stream, what happens to each message, and carries it out
/// through a `deliver` closure. Decisions are a pure function of the seed and the message's position
/// in the sequence of sends through this injector.
final class FaultInjector: Sendable {
    enum Decision { case drop, deliver, duplicate, delay(Duration), holdBack }

    private struct State {
        var rng: RandomStream
        var counts = FaultCounts()
        var held: [[UInt8]]?
        var heldGeneration = 0
    }

    let plan: FaultPlan
    private let state: Mutex<State>

    init(plan: FaultPlan, seed: UInt64, stream: UInt64) {
        self.plan = plan
        self.state = Mutex(State(rng: RandomStream(seed: seed, index: stream)))
    }

    var counts: FaultCounts { state.withLock { $0.counts } }

    /// Sends `frames` through `deliver` as the plan says; errors of delayed deliveries are ignored
    /// (as a network would).
    func send(_ frames: [[UInt8]], deliver: @escaping @Sendable ([[UInt8]]) async throws -> Void) async throws {
        let (decision, released, generation): (Decision, [[UInt8]]?, Int) = state.withLock { s in
            s.counts.messages += 1
            let u = s.rng.unit()
            let drop = plan.dropRate, duplicate = drop + plan.duplicateRate
            let delay = duplicate + plan.delayRate, reorder = delay + plan.reorderRate
            let decision: Decision
            if u < drop {
                decision = .drop
                s.counts.dropped += 1
            } else if u < duplicate {
                decision = .duplicate
                s.counts.duplicated += 1
            } else if u < delay {
                let ms = 1 + s.rng.uniform(below: max(1, Int(plan.maxDelay / .milliseconds(1))))
                decision = .delay(.milliseconds(ms))
                s.counts.delayed += 1
            } else if u < reorder && s.held == nil {
                decision = .holdBack
                s.counts.reordered += 1
            } else {
                decision = .deliver
            }
            var released: [[UInt8]]?
            if case .holdBack = decision {
                s.held = frames
                s.heldGeneration += 1
            } else if case .drop = decision {
            } else {
                released = s.held
                s.held = nil
            }
            return (decision, released, s.heldGeneration)
        }
        switch decision {
        case .drop:
            break
        case .deliver:
            try await deliver(frames)
        case .duplicate:
            try await deliver(frames)
            later(.milliseconds(2)) { try await deliver(frames) }
        case .delay(let d):
            later(d) { try await deliver(frames) }
        case .holdBack:
            // If nothing follows soon, let the held message go anyway.
            later(plan.maxDelay) { [self] in
                let stale: [[UInt8]]? = state.withLock { s in
                    guard s.heldGeneration == generation, let h = s.held else { return nil }
                    s.held = nil
                    return h
                }
                if let stale { try await deliver(stale) }
            }
        }
        if let released { try? await deliver(released) }
    }

    private func later(_ delay: Duration, _ work: @escaping @Sendable () async throws -> Void) {
        Task {
            try? await Task.sleep(for: delay)
            try? await work()
        }
    }
}
