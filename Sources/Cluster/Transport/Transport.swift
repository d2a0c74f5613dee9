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

    /// Stops accepting and delivering messages and releases the transport's resources. Idempotent.
    func close() async
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
