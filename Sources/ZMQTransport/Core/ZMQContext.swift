private import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A libzmq context: the owner of ZeroMQ's I/O threads and of the `inproc://` namespace.
///
/// One per process is the rule: `inproc://` endpoints (including the ZAP handler's
/// `inproc://zeromq.zap.01`) are only visible inside the context that bound them. Every socket
/// keeps its context alive, so the context is terminated only after its last socket closed.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked Sendable: libzmq documents contexts as thread safe; `handle` never changes after
    // init and is only passed to libzmq.
    let handle: UnsafeMutableRawPointer

    /// A new context with `ioThreads` libzmq I/O threads.
    public init(ioThreads: Int = 1) throws {
        precondition(ioThreads >= 1, "a context needs at least one I/O thread")
        handle = try ZMQ.check(zmq_ctx_new(), "zmq_ctx_new")
        try ZMQ.check(zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)), "zmq_ctx_set(ZMQ_IO_THREADS)")
        try ZMQ.check(zmq_ctx_set(handle, ZMQ_BLOCKY, 0), "zmq_ctx_set(ZMQ_BLOCKY)")
    }

    deinit {
        // Every socket holds a reference to its context, so none is open here and term returns
        // promptly; it is retried only when a signal interrupts it.
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }

    private static let sharedContext = Mutex<ZMQContext?>(nil)

    /// The process's shared context (created on first use). Transports use it unless given
    /// another, so that their `inproc://` endpoints and ZAP handler meet.
    public static func shared() throws -> ZMQContext {
        try sharedContext.withLock { existing in
            if let existing { return existing }
            let context = try ZMQContext()
            existing = context
            return context
        }
    }

    /// Drops the shared context so that it terminates once the last socket using it is closed:
    /// termination waits (up to each socket's linger) for queued messages to leave, such as a
    /// worker's goodbye. Call it when a command is done with ZeroMQ; a later ``shared()`` creates
    /// a new context.
    public static func releaseShared() {
        sharedContext.withLock { $0 = nil }
    }

    /// libzmq's version, as "major.minor.patch".
    public static var libraryVersion: String { ZMQ.version }

    /// Whether this libzmq supports CURVE.
    public static var supportsCurve: Bool { ZMQ.hasCurve }
}
