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
    /// Says when `zmq_ctx_term` has returned (see ``releaseShared(waitingUpTo:)``).
    let termination = Termination()

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
        termination.done.store(true, ordering: .releasing)
    }

    /// Whether a context has been terminated; kept apart from the context so that it can be
    /// watched without keeping the context alive.
    final class Termination: Sendable {
        let done = Atomic<Bool>(false)

        /// Waits until the context has been terminated, for at most `bound`; says whether it was.
        func wait(upTo bound: Duration) -> Bool {
            let deadline = ContinuousClock.now + bound
            while !done.load(ordering: .acquiring) {
                guard ContinuousClock.now < deadline else { return false }
                usleep(1_000)
            }
            return true
        }
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
    /// worker's goodbye. A later ``shared()`` creates a new context.
    ///
    /// The context is terminated by whoever drops the last reference to it, which may be a task
    /// or thread still winding down. A process that exits before that termination has returned
    /// loses what libzmq had not yet written (a goodbye handed to a socket just before it closed),
    /// so `waitingUpTo` (when positive) makes this call wait until the context has been terminated,
    /// for at most that long. Call it when the process is done with ZeroMQ and every transport is
    /// closed and released (see ``withShared(isolation:waitingUpTo:_:)``).
    public static func releaseShared(waitingUpTo bound: Duration = .zero) {
        let termination = sharedContext.withLock { context -> Termination? in
            defer { context = nil }
            return context?.termination
        }
        guard let termination, bound > .zero else { return }
        _ = termination.wait(upTo: bound)
    }

    /// Runs `body`, in which transports use the shared context, and then releases that context
    /// and waits (up to `bound`) until it has been terminated, so that messages queued before the
    /// transports closed have been handed to the network before the caller goes on (and, say,
    /// exits). Transports made in `body` should be closed and released when it returns; a
    /// reference kept longer (by a task still winding down) only delays the return, by at most
    /// `bound`.
    public static func withShared<T>(isolation: isolated (any Actor)? = #isolation, waitingUpTo bound: Duration = .seconds(2),
                                     _ body: () async throws -> T) async rethrows -> T {
        defer { releaseShared(waitingUpTo: bound) }
        return try await body()
    }

    /// libzmq's version, as "major.minor.patch".
    public static var libraryVersion: String { ZMQ.version }

    /// Whether this libzmq supports CURVE.
    public static var supportsCurve: Bool { ZMQ.hasCurve }
}
