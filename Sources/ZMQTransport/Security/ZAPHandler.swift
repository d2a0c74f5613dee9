public import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ authentication (ZAP, RFC 27) handler that admits CURVE clients whose public key is on
/// an allow-list and refuses (and logs) everyone else.
///
/// libzmq asks the handler bound on `inproc://zeromq.zap.01` *in the same context* about every
/// connection to a CURVE server. Without a handler, libzmq 4.3 admits any client that knows the
/// server's public key, so servers built by this module take a running handler as a required
/// argument and probe it before they bind.
///
/// The handler owns a REP socket on its own thread; ``stop()`` (or releasing the handler) ends it.
public final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends authentication requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// Counts of decisions, for tests and metrics.
    public struct Counts: Sendable, Hashable {
        /// Connections admitted.
        public var accepted = 0
        /// Connections refused.
        public var refused = 0
    }

    /// The context the handler serves; CURVE servers must create their sockets in it.
    public let context: ZMQContext
    private let core: ZAPCore
    private let thread: IOThread

    /// Binds a handler in `context` and starts answering. Throws when the ZAP endpoint is already
    /// bound in this context or the socket cannot be created.
    public init(context: ZMQContext, allowList: AllowList, logger: Logger = Logger(label: "nshap.zap")) async throws {
        let core = try ZAPCore(context: context, allowList: allowList, logger: logger)
        self.context = context
        self.core = core
        self.thread = try await OneShot.start(name: "nshap-zap") { core.run(ready: $0) }
    }

    deinit {
        stop()
    }

    /// Replaces the allow-list (for example after the file changed); later connections use it.
    public func update(allowList: AllowList) {
        core.allowList.withLock { $0 = allowList }
    }

    /// Decisions so far.
    public var counts: Counts { core.counts.withLock { $0 } }

    /// Stops answering and waits for the thread to end. CURVE servers of this context can no
    /// longer admit anyone afterwards, so stop them first.
    public func stop() {
        core.stopping.store(true, ordering: .sequentiallyConsistent)
        core.wake.wake()
        thread.join()
    }

    /// Sends a request for a freshly generated (hence unknown) key to the handler bound in
    /// `context` and checks that it answers with a refusal within `timeout`. Runs on the calling
    /// thread with a socket of its own.
    ///
    /// Throws ``ZMQError/authenticationHandlerMissing(reason:)`` when nobody answers or the answer
    /// is not a refusal.
    public static func probe(context: ZMQContext, timeout: Duration = .seconds(2)) throws {
        var options = SocketOptions()
        options.linger = .zero
        options.heartbeatInterval = nil
        let socket = try ZMQSocket(context, kind: .request, options: options)
        try socket.connect(endpoint)
        let stranger = try CurveKeyPair.generate().publicKey.bytes
        let request: [[UInt8]] = [Array("1.0".utf8), Array("probe".utf8), Array(ZAPCore.probeDomain.utf8),
                                  Array("127.0.0.1".utf8), [], Array("CURVE".utf8), stranger]
        do {
            try socket.send(request, timeout: timeout)
        } catch {
            throw ZMQError.authenticationHandlerMissing(reason: "no ZAP handler takes requests on \(endpoint) in this context")
        }
        guard let reply = try socket.receive(timeout: timeout) else {
            throw ZMQError.authenticationHandlerMissing(reason: "no ZAP handler answered on \(endpoint) within \(timeout)")
        }
        guard reply.frames.count >= 3, reply.frames[2] == Array("400".utf8) else {
            let status = reply.frames.count >= 3 ? String(decoding: reply.frames[2], as: UTF8.self) : "?"
            throw ZMQError.authenticationHandlerMissing(reason: "the ZAP handler admitted an unknown key (status \(status))")
        }
    }
}

/// The state a ``ZAPHandler``'s thread shares with the handler object (kept apart so that the
/// thread does not keep the handler alive).
final class ZAPCore: Sendable {
    /// The ZAP domain used by probes; requests in it are answered but not logged.
    static let probeDomain = "nshap.zap-probe"

    let context: ZMQContext
    let allowList: Mutex<AllowList>
    let counts = Mutex(ZAPHandler.Counts())
    let stopping = Atomic<Bool>(false)
    let wake: WakePipe
    let logger: Logger

    init(context: ZMQContext, allowList: AllowList, logger: Logger) throws {
        self.context = context
        self.allowList = Mutex(allowList)
        self.logger = logger
        self.wake = try WakePipe()
    }

    func run(ready: OneShot) {
        let socket: ZMQSocket
        do {
            socket = try bindSocket()
        } catch ZMQError.call(_, let code, _) where code == EADDRINUSE {
            ready.fail(ZMQError.authenticationHandlerMissing(reason: "another ZAP handler is already bound in this context"))
            return
        } catch {
            ready.fail(error)
            return
        }
        ready.succeed()
        while !stopping.load(ordering: .sequentiallyConsistent) {
            do {
                let results = try ZMQPoll.poll([socket.pollEntry(readable: true), wake.pollEntry], timeout: .seconds(1))
                if results[1].readable { wake.drain() }
                guard results[0].readable else { continue }
                while let request = try socket.receive() {
                    try socket.send(answer(request.frames))
                }
            } catch ZMQError.terminated {
                return
            } catch {
                logger.error("ZAP handler error", metadata: ["error": "\(error)"])
            }
        }
    }

    private func bindSocket() throws -> ZMQSocket {
        var options = SocketOptions()
        options.linger = .zero
        options.heartbeatInterval = nil
        let socket = try ZMQSocket(context, kind: .reply, options: options)
        try socket.bind(ZAPHandler.endpoint)
        return socket
    }

    /// The reply frames for a ZAP request.
    func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        let requestID = frames.count > 1 ? frames[1] : []
        func reply(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            counts.withLock { $0.refused += 1 }
            logger.warning("refused a malformed ZAP request", metadata: ["frames": "\(frames.count)"])
            return reply("400", "malformed request")
        }
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        guard mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 else {
            counts.withLock { $0.refused += 1 }
            logger.warning("refused a connection that does not use CURVE",
                           metadata: ["address": "\(address)", "mechanism": "\(mechanism)"])
            return reply("400", "CURVE required")
        }
        let key = frames[6]
        if let label = allowList.withLock({ $0.label(for: key) }) {
            counts.withLock { $0.accepted += 1 }
            logger.info("admitted a peer", metadata: ["address": "\(address)", "key": "\(label)"])
            return reply("200", "OK", user: label)
        }
        if domain != Self.probeDomain {
            counts.withLock { $0.refused += 1 }
            let z85 = (try? CurveKey(bytes: key))?.z85 ?? "?"
            logger.warning("refused a connection: its CURVE key is not on the allow-list",
                           metadata: ["address": "\(address)", "key": "\(z85)"])
        }
        return reply("400", "key not allowed")
    }
}
