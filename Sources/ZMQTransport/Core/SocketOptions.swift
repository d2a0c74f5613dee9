private import CZeroMQ

/// Socket options applied before a socket binds or connects.
///
/// The defaults give every socket a defined behaviour under load and failure: a short linger (close
/// never hangs), high-water marks (a full queue makes sends fail with
/// ``ZMQError/wouldBlock(operation:)`` instead of growing without bound), a message size limit
/// (a peer that sends more is disconnected by libzmq), and ZMTP heartbeats so that a dead TCP
/// connection is noticed in seconds even when the application is silent.
public struct SocketOptions: Sendable, Hashable {
    /// How long unsent messages are kept after close.
    public var linger: Duration = .milliseconds(500)
    /// Messages queued per peer for sending before sends fail with `EAGAIN`.
    public var sendHighWaterMark: Int = 1000
    /// Messages queued per peer on receipt before ZeroMQ stops reading from that peer.
    public var receiveHighWaterMark: Int = 1000
    /// The largest message accepted (`nil`: unlimited). A peer that sends more is disconnected.
    public var maxMessageSize: Int? = 16 << 20
    /// Interval of ZMTP PINGs (`nil`: no heartbeats).
    public var heartbeatInterval: Duration? = .seconds(1)
    /// How long the peer may wait for our traffic before dropping the connection (sent in PINGs).
    public var heartbeatTTL: Duration? = .seconds(10)
    /// How long to wait for traffic after a PING before dropping the connection.
    public var heartbeatTimeout: Duration? = .seconds(5)
    /// Longest time a connection may take for its ZMTP handshake (including CURVE).
    public var handshakeInterval: Duration = .seconds(10)
    /// First and longest reconnect interval for connecting sockets.
    public var reconnectInterval: Duration = .milliseconds(100)
    /// The cap of the exponential reconnect backoff.
    public var reconnectIntervalMax: Duration = .seconds(2)
    /// Queue messages only to completed connections (no queueing while disconnected).
    public var immediate: Bool = false
    /// The routing id this socket presents to a ROUTER peer (1-255 bytes, not starting with 0).
    public var routingID: [UInt8]?

    /// The default options.
    public init() {}

    func apply(to handle: UnsafeMutableRawPointer, kind: ZMQSocket.Kind) throws(ZMQError) {
        try Self.set(handle, ZMQ_LINGER, Int32(clamping: linger.milliseconds), "ZMQ_LINGER")
        try Self.set(handle, ZMQ_SNDHWM, Int32(clamping: sendHighWaterMark), "ZMQ_SNDHWM")
        try Self.set(handle, ZMQ_RCVHWM, Int32(clamping: receiveHighWaterMark), "ZMQ_RCVHWM")
        var limit = Int64(maxMessageSize ?? -1)
        try ZMQ.check(zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &limit, MemoryLayout<Int64>.size), "set ZMQ_MAXMSGSIZE")
        if let heartbeatInterval {
            try Self.set(handle, ZMQ_HEARTBEAT_IVL, Int32(clamping: heartbeatInterval.milliseconds), "ZMQ_HEARTBEAT_IVL")
            if let heartbeatTTL {
                // libzmq rounds the TTL to deciseconds and caps it at 6553.5 s.
                try Self.set(handle, ZMQ_HEARTBEAT_TTL, Int32(clamping: min(heartbeatTTL.milliseconds, 6_553_000)), "ZMQ_HEARTBEAT_TTL")
            }
            if let heartbeatTimeout {
                try Self.set(handle, ZMQ_HEARTBEAT_TIMEOUT, Int32(clamping: heartbeatTimeout.milliseconds), "ZMQ_HEARTBEAT_TIMEOUT")
            }
        }
        try Self.set(handle, ZMQ_HANDSHAKE_IVL, Int32(clamping: handshakeInterval.milliseconds), "ZMQ_HANDSHAKE_IVL")
        try Self.set(handle, ZMQ_RECONNECT_IVL, Int32(clamping: reconnectInterval.milliseconds), "ZMQ_RECONNECT_IVL")
        try Self.set(handle, ZMQ_RECONNECT_IVL_MAX, Int32(clamping: reconnectIntervalMax.milliseconds), "ZMQ_RECONNECT_IVL_MAX")
        if immediate { try Self.set(handle, ZMQ_IMMEDIATE, 1, "ZMQ_IMMEDIATE") }
        if kind == .router {
            // Without this a ROUTER silently drops messages to unknown peers and at the high-water
            // mark; with it, both fail with an error the caller sees.
            try Self.set(handle, ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY")
        }
        if let routingID {
            precondition(!routingID.isEmpty && routingID.count <= 255 && routingID[0] != 0,
                         "a routing id has 1-255 bytes and does not start with a zero byte")
            try ZMQ.check(routingID.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_ROUTING_ID, $0.baseAddress, $0.count) },
                          "set ZMQ_ROUTING_ID")
        }
    }

    static func set(_ handle: UnsafeMutableRawPointer, _ option: Int32, _ value: Int32, _ name: String) throws(ZMQError) {
        var v = value
        try ZMQ.check(zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size), "set \(name)")
    }
}
