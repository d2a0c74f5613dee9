private import CZeroMQ
import Synchronization

/// A connection event reported by libzmq's socket monitor.
public struct SocketEvent: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// A connection was established (connecting side).
        case connected
        /// A connect is in progress.
        case connectDelayed
        /// A connect will be retried.
        case connectRetried
        /// The socket listens.
        case listening
        /// A bind failed.
        case bindFailed
        /// A connection was accepted (listening side).
        case accepted
        /// Accepting a connection failed.
        case acceptFailed
        /// A connection was closed.
        case closed
        /// Closing failed.
        case closeFailed
        /// A peer disconnected.
        case disconnected
        /// The monitor stopped.
        case monitorStopped
        /// A handshake failed for a system error (`value` is the errno).
        case handshakeFailedNoDetail
        /// A handshake (including authentication) succeeded.
        case handshakeSucceeded
        /// A handshake failed on a protocol error (`value` names it; CURVE key mismatches land
        /// here).
        case handshakeFailedProtocol
        /// Authentication failed (`value` is the ZAP status code, such as 400).
        case handshakeFailedAuthentication
        /// An event this build does not name.
        case other(UInt32)
    }

    /// What happened.
    public var kind: Kind
    /// The event's value (errno, file descriptor, status code or protocol error).
    public var value: UInt32
    /// The endpoint it concerns.
    public var endpoint: String

    /// A readable line for logs.
    public var description: String { "\(kind) (\(value)) on \(endpoint)" }

    static func kind(_ raw: UInt32) -> Kind {
        switch Int32(raw) {
        case ZMQ_EVENT_CONNECTED: return .connected
        case ZMQ_EVENT_CONNECT_DELAYED: return .connectDelayed
        case ZMQ_EVENT_CONNECT_RETRIED: return .connectRetried
        case ZMQ_EVENT_LISTENING: return .listening
        case ZMQ_EVENT_BIND_FAILED: return .bindFailed
        case ZMQ_EVENT_ACCEPTED: return .accepted
        case ZMQ_EVENT_ACCEPT_FAILED: return .acceptFailed
        case ZMQ_EVENT_CLOSED: return .closed
        case ZMQ_EVENT_CLOSE_FAILED: return .closeFailed
        case ZMQ_EVENT_DISCONNECTED: return .disconnected
        case ZMQ_EVENT_MONITOR_STOPPED: return .monitorStopped
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return .handshakeFailedNoDetail
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return .handshakeSucceeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return .handshakeFailedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return .handshakeFailedAuthentication
        default: return .other(raw)
        }
    }
}

/// Unique names for monitor endpoints within a process.
private let monitorCounter = Atomic<UInt64>(0)

extension ZMQSocket {
    /// Starts libzmq's monitor on this socket (before it binds or connects) and returns the PAIR
    /// socket that receives its events; read them with ``nextEvent()`` on the returned socket.
    public func startMonitor() throws -> ZMQSocket {
        let n = monitorCounter.add(1, ordering: .relaxed).newValue
        let address = "inproc://nshap-monitor-\(n)"
        try ZMQ.check(zmq_socket_monitor(handle, address, ZMQ_EVENT_ALL), "zmq_socket_monitor")
        var options = SocketOptions()
        options.linger = .zero
        options.heartbeatInterval = nil
        let pair = try ZMQSocket(context, kind: .pair, options: options)
        try pair.connect(address)
        return pair
    }

    /// Stops the monitor started by ``startMonitor()``.
    public func stopMonitor() {
        zmq_socket_monitor(handle, nil, 0)
    }

    /// On a monitor's PAIR socket: the next event, or `nil` when none is waiting.
    public func nextEvent() throws -> SocketEvent? {
        guard let message = try receive() else { return nil }
        guard message.frames.count >= 2, message.frames[0].count >= 6 else { return nil }
        let f = message.frames[0]
        // libzmq writes the event as a native-endian u16 followed by a native-endian u32.
        let raw = f.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        let value = f.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        return SocketEvent(kind: SocketEvent.kind(UInt32(raw)), value: value,
                           endpoint: String(decoding: message.frames[1], as: UTF8.self))
    }
}
