private import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything that can go wrong in the ZeroMQ layer. Messages repeat what was given and say what
/// would work.
public enum ZMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A libzmq call failed with `code` (a `zmq_errno()` value) and libzmq's text for it.
    case call(operation: String, code: Int32, message: String)
    /// The operation would block: a send at the high-water mark, or nothing to receive (`EAGAIN`).
    case wouldBlock(operation: String)
    /// A ROUTER send named a peer that is unknown or gone (`EHOSTUNREACH` with
    /// `ZMQ_ROUTER_MANDATORY`); the message was not sent.
    case peerUnreachable(peer: String)
    /// The context was terminated while the operation ran (`ETERM`).
    case terminated
    /// The endpoint is not a ZeroMQ address this program accepts.
    case invalidEndpoint(endpoint: String, reason: String)
    /// Plain TCP to or from a non-loopback address without an explicit request for it.
    case insecureEndpoint(endpoint: String)
    /// A CURVE key (Z85 text or file) could not be used.
    case invalidKey(source: String, reason: String)
    /// A key or allow-list file could not be read or written.
    case file(path: String, reason: String)
    /// CURVE was requested for a server without a working ZAP handler in its context.
    case authenticationHandlerMissing(reason: String)
    /// A message is larger than the configured limit and was not sent.
    case messageTooLarge(size: Int, limit: Int)
    /// The transport was closed; nothing more can be sent or received.
    case closed
    /// An operation did not complete in time.
    case timedOut(operation: String, seconds: Double)
    /// The peer refused this process's CURVE key (the ZAP handler answered with `status`).
    case authenticationRefused(endpoint: String, status: Int32)

    public var description: String {
        switch self {
        case .call(let op, let code, let message):
            return "\(op) failed: \(message) (errno \(code))"
        case .wouldBlock(let op):
            return "\(op) would block: the peer is at its high-water mark or nothing is waiting; retry later or raise the high-water mark"
        case .peerUnreachable(let peer):
            return "peer \(peer) is unknown or disconnected; the message was not sent"
        case .terminated:
            return "the ZeroMQ context was terminated"
        case .invalidEndpoint(let endpoint, let reason):
            return "invalid endpoint '\(endpoint)': \(reason); expected tcp://HOST:PORT, ipc:///PATH or inproc://NAME"
        case .insecureEndpoint(let endpoint):
            return "refusing plain TCP on '\(endpoint)', which is not a loopback address: give CURVE keys (--keys DIR with --allow FILE on the coordinator, --server-key FILE on workers) or pass --insecure to accept unencrypted, unauthenticated traffic"
        case .invalidKey(let source, let reason):
            return "invalid CURVE key from \(source): \(reason); expected 40 characters of Z85 text as written by 'nshap keys generate'"
        case .file(let path, let reason):
            return "cannot use '\(path)': \(reason)"
        case .authenticationHandlerMissing(let reason):
            return "refusing to start a CURVE server without a working ZAP handler (without one, libzmq admits any client that knows the server key): \(reason)"
        case .messageTooLarge(let size, let limit):
            return "message of \(size) bytes exceeds the limit of \(limit) bytes; raise the limit on both sides or send less per message"
        case .closed:
            return "the transport is closed"
        case .timedOut(let op, let seconds):
            return "\(op) did not complete within \(seconds) s"
        case .authenticationRefused(let endpoint, let status):
            return "the coordinator at \(endpoint) refused this worker's CURVE key (ZAP status \(status)); add the worker's public key to the coordinator's allow-list"
        }
    }
}

/// The single funnel from libzmq return codes to ``ZMQError``: every call that returns `-1` on
/// failure goes through here, so that `zmq_errno()` is read right after the failing call and mapped
/// the same way everywhere.
enum ZMQ {
    /// Returns `rc` when it is not `-1`; otherwise throws the error `zmq_errno()` names.
    @discardableResult
    static func check(_ rc: Int32, _ operation: @autoclosure () -> String, peer: @autoclosure () -> String = "") throws(ZMQError) -> Int32 {
        if rc != -1 { return rc }
        throw error(code: zmq_errno(), operation: operation(), peer: peer())
    }

    /// Returns `pointer` when it is not null; otherwise throws the error `zmq_errno()` names.
    static func check<P>(_ pointer: P?, _ operation: @autoclosure () -> String) throws(ZMQError) -> P {
        if let pointer { return pointer }
        throw error(code: zmq_errno(), operation: operation(), peer: "")
    }

    /// The typed error for errno `code`.
    static func error(code: Int32, operation: String, peer: String) -> ZMQError {
        switch code {
        case EAGAIN: return .wouldBlock(operation: operation)
        case EHOSTUNREACH: return .peerUnreachable(peer: peer.isEmpty ? "(unnamed)" : peer)
        case ETERM: return .terminated
        default: return .call(operation: operation, code: code, message: String(cString: zmq_strerror(code)))
        }
    }

    /// libzmq's version as "major.minor.patch".
    static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with CURVE support.
    static var hasCurve: Bool { zmq_has("curve") == 1 }
}
