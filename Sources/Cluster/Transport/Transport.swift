/// The coordinator's side of a message transport, shaped like a ZeroMQ ROUTER socket: many peers
/// connect to it, every inbound message names its sender, and a reply is addressed to a peer.
///
/// Messages are lists of frames (byte strings) delivered whole or not at all. Delivery is
/// best-effort: a message may be lost (a peer vanishes, a queue is full), and the protocol on top
/// recovers by leases, heartbeats and acknowledgements. Order is kept between one pair of peers
/// when nothing is lost, but nothing above depends on it.
///
/// Concurrency: one task at a time calls ``receive(timeout:)``; ``send(_:to:)`` may be called from
/// any task, concurrently with a receive. Implementations own their sockets on whatever thread they
/// need and must never block the caller's executor for longer than a queue operation.
public protocol ServerTransport: Sendable {
    /// The next message from any peer, or `nil` when none arrived within `timeout`.
    ///
    /// Throws ``ClusterError/transportClosed(_:)`` once the transport is closed, and
    /// `CancellationError` when the calling task is cancelled. An inbound message larger than the
    /// transport's size limit is dropped, not returned.
    func receive(timeout: Duration) async throws -> InboundMessage?

    /// Queues `frames` for `peer` without waiting for the peer.
    ///
    /// Throws ``ClusterError/peerUnreachable(_:)`` when `peer` is not (or no longer) connected,
    /// ``ClusterError/peerBackedUp(_:)`` when its queue is at the high-water mark (the message is
    /// dropped), and ``ClusterError/transportClosed(_:)`` after ``close()``.
    func send(_ frames: [[UInt8]], to peer: PeerID) async throws

    /// Queues several messages at once, as ``send(_:to:)`` would one by one (a transport whose
    /// hand-off to its I/O thread costs a wake-up does it once per batch), and returns the errors
    /// of those that were not queued, by index in `batch`.
    func send(batch: [OutboundMessage]) async -> [Int: any Error]

    /// Runs `server` on the transport's own I/O thread until the server is done, and returns `true`;
    /// or returns `false` at once when the transport cannot (the default), and the caller drives
    /// the server with ``receive(timeout:)`` and ``send(batch:)``.
    ///
    /// A transport that owns a thread per socket spares two thread hand-offs per message this way:
    /// messages go from the socket to the server and its answers back to the socket on one thread.
    /// Throws `CancellationError` when the calling task is cancelled (the server is then no longer
    /// called once this returns) and ``ClusterError/transportClosed(_:)`` when the transport closes.
    func serve(_ server: any InlineServer) async throws -> Bool

    /// Stops accepting and delivering messages and releases the transport's resources. Idempotent.
    func close() async
}

/// A server driven in turns by its transport's thread (see ``ServerTransport/serve(_:)``), or by
/// a task that receives and sends for it. It is called by one thread at a time.
public protocol InlineServer: AnyObject, Sendable {
    /// A turn at `now` with the messages received since the last one (none when the turn is due
    /// by ``nextTurn``); returns the messages to send.
    func turn(_ inbound: [InboundMessage], now: ContinuousClock.Instant) -> [OutboundMessage]
    /// What became of the messages of the last turn: the errors of those not sent, by index.
    func sent(_ failures: [Int: any Error])
    /// When the next turn is due if no message arrives before; `nil` once the server is done.
    var nextTurn: ContinuousClock.Instant? { get }
}

/// A message for a peer, as handed to ``ServerTransport/send(batch:)``.
public struct OutboundMessage: Sendable {
    /// The peer.
    public var peer: PeerID
    /// The frames.
    public var frames: [[UInt8]]

    /// A message with these fields.
    public init(peer: PeerID, frames: [[UInt8]]) {
        self.peer = peer
        self.frames = frames
    }
}

extension ServerTransport {
    /// Cannot: the caller drives the server.
    public func serve(_ server: any InlineServer) async throws -> Bool { false }

    /// One ``send(_:to:)`` per message.
    public func send(batch: [OutboundMessage]) async -> [Int: any Error] {
        var failures: [Int: any Error] = [:]
        for (i, m) in batch.enumerated() {
            do { try await send(m.frames, to: m.peer) } catch { failures[i] = error }
        }
        return failures
    }
}

/// A worker's side of a message transport, shaped like a ZeroMQ DEALER socket: connected to one
/// server, with (re)connection handled by the transport itself.
///
/// A client can be created before its server exists, and keeps working across a server restart:
/// messages sent while no server is reachable may be queued or dropped, at the implementation's
/// choice. The protocol on top handles both (the worker repeats its handshake until answered).
/// Concurrency rules are those of ``ServerTransport``.
public protocol ClientTransport: Sendable {
    /// The next message from the server, or `nil` when none arrived within `timeout`.
    ///
    /// Throws ``ClusterError/transportClosed(_:)`` once closed, and `CancellationError` when the
    /// calling task is cancelled.
    func receive(timeout: Duration) async throws -> [[UInt8]]?

    /// Queues `frames` for the server without waiting for it.
    ///
    /// Throws ``ClusterError/peerBackedUp(_:)`` when the outgoing queue is at its high-water mark
    /// (the message is dropped) and ``ClusterError/transportClosed(_:)`` after ``close()``.
    func send(_ frames: [[UInt8]]) async throws

    /// Disconnects and releases the transport's resources. Idempotent.
    func close() async
}
