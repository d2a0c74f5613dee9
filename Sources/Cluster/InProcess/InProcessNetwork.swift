import Synchronization

/// A network inside one process: servers bind names, clients connect to names, and messages move
/// between bounded in-memory queues. Real coordinators and workers run over it in tests exactly as
/// they do over ZeroMQ.
///
/// Semantics mirror a ZeroMQ ROUTER/DEALER pair with `ZMQ_ROUTER_MANDATORY`: a client may connect
/// before its server binds and reaches whichever server is bound under the name when it sends (so a
/// restarted server is reached again); a client message sent while no server is bound is dropped;
/// a server learns a peer from its first message and gets ``ClusterError/peerUnreachable(_:)`` when
/// sending to a peer that closed or that it never heard from; a full queue drops the message with
/// ``ClusterError/peerBackedUp(_:)``; messages larger than the limit are dropped on receipt.
public final class InProcessNetwork: Sendable {
    /// The most messages queued towards one receiver.
    public let highWaterMark: Int
    /// The largest message delivered (sum of its frames' sizes).
    public let maxMessageBytes: Int

    private struct State {
        var servers: [String: InProcessServerTransport] = [:]
        var nextConnection: UInt64 = 0
    }
    private let state = Mutex(State())

    /// A network with these limits.
    public init(highWaterMark: Int = 10_000, maxMessageBytes: Int = MessageCodec.defaultMaxMessageBytes) {
        precondition(highWaterMark > 0, "the high-water mark must be positive")
        self.highWaterMark = highWaterMark
        self.maxMessageBytes = maxMessageBytes
    }

    /// A server bound to `name`. Throws ``ClusterError/addressInUse(_:)`` while another server
    /// holds the name.
    public func bind(_ name: String) throws -> InProcessServerTransport {
        let server = InProcessServerTransport(network: self, name: name)
        try state.withLock { s in
            if let existing = s.servers[name], !existing.isClosed { throw ClusterError.addressInUse(name) }
            s.servers[name] = server
        }
        return server
    }

    /// A client for the server named `name` (which need not be bound yet).
    public func connect(_ name: String) -> InProcessClientTransport {
        let number = state.withLock { s in
            s.nextConnection += 1
            return s.nextConnection
        }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: number.bigEndian) { bytes.append(contentsOf: $0) }
        return InProcessClientTransport(network: self, name: name, peer: PeerID(bytes))
    }

    func server(named name: String) -> InProcessServerTransport? {
        state.withLock { s in
            guard let server = s.servers[name], !server.isClosed else { return nil }
            return server
        }
    }

    func unbind(_ server: InProcessServerTransport) {
        state.withLock { s in
            if s.servers[server.name] === server { s.servers[server.name] = nil }
        }
    }

    static func size(of frames: [[UInt8]]) -> Int { frames.reduce(0) { $0 + $1.count } }
}
