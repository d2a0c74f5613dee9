public import Cluster

/// A server transport that loses, duplicates, delays and reorders the messages it sends, as a
/// ``FaultPlan`` says, seeded: wrap a real transport with it to test that the protocol recovers.
public final class FaultyServerTransport: ServerTransport {
    private let base: any ServerTransport
    private let injector: FaultInjector

    /// `base` with faults on every message it sends; `stream` separates injectors sharing a seed.
    public init(wrapping base: any ServerTransport, plan: FaultPlan, seed: UInt64, stream: UInt64 = 0) {
        self.base = base
        self.injector = FaultInjector(plan: plan, seed: seed, stream: stream)
    }

    /// What was done so far.
    public var counts: FaultCounts { injector.counts }

    public func receive(timeout: Duration) async throws -> InboundMessage? {
        try await base.receive(timeout: timeout)
    }

    public func send(_ frames: [[UInt8]], to peer: PeerID) async throws {
        let base = self.base
        try await injector.send(frames) { try await base.send($0, to: peer) }
    }

    public func close() async { await base.close() }
}

/// A client transport that loses, duplicates, delays and reorders the messages it sends.
public final class FaultyClientTransport: ClientTransport {
    private let base: any ClientTransport
    private let injector: FaultInjector

    /// `base` with faults on every message it sends; `stream` separates injectors sharing a seed.
    public init(wrapping base: any ClientTransport, plan: FaultPlan, seed: UInt64, stream: UInt64 = 0) {
        self.base = base
        self.injector = FaultInjector(plan: plan, seed: seed, stream: stream)
    }

    /// What was done so far.
    public var counts: FaultCounts { injector.counts }

    public func receive(timeout: Duration) async throws -> [[UInt8]]? {
        try await base.receive(timeout: timeout)
    }

    public func send(_ frames: [[UInt8]]) async throws {
        let base = self.base
        try await injector.send(frames) { try await base.send($0) }
    }

    public func close() async { await base.close() }
}
