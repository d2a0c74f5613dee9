public import Cluster
public import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The coordinator's side of the cluster protocol over ZeroMQ: a ROUTER socket (with
/// `ZMQ_ROUTER_MANDATORY`) owned by a dedicated I/O thread.
///
/// Every inbound message names its sender by the ZeroMQ routing id. Sends queue the message for
/// the I/O thread and return at once. Nothing is dropped silently: a message libzmq refuses is
/// counted in ``statistics`` and logged, and its peer is marked, so that later sends to a peer
/// that is gone throw ``ClusterError/peerUnreachable(_:)`` and sends to a peer at its high-water
/// mark throw ``ClusterError/peerBackedUp(_:)`` (for a short back-off).
public final class ZMQServerTransport: ServerTransport {
    /// The endpoint actually bound (with the port filled in when `*` or `0` was asked for).
    public let endpoint: String
    /// Whether connections are encrypted and authenticated with CURVE.
    public let isSecure: Bool
    private let pump: SocketPump
    private let thread: IOThread
    // Kept so that the handler lives as long as the server it protects.
    private let authenticator: ZAPHandler?

    /// Binds a server on `endpoint`.
    ///
    /// - Parameters:
    ///   - security: `.plain`, or CURVE with a running ZAP handler (the socket is created in the
    ///     handler's context, and the handler is probed before binding).
    ///   - insecure: required to use `.plain` on an endpoint that is not local (see
    ///     ``Endpoint/isLocal``); without it such a bind throws ``ZMQError/insecureEndpoint(endpoint:)``.
    ///   - context: the context for a plain server (default: ``ZMQContext/shared()``).
    ///   - queueCapacity: messages buffered in each direction between the I/O thread and callers.
    public init(bind endpoint: String, security: ServerSecurity = .plain, insecure: Bool = false,
                context: ZMQContext? = nil, options: SocketOptions = SocketOptions(),
                queueCapacity: Int = 10_000, logger: Logger = Logger(label: "nshap.transport")) async throws {
        let parsed = try Endpoint(endpoint)
        if !security.isCurve && !parsed.isLocal && !insecure { throw ZMQError.insecureEndpoint(endpoint: endpoint) }
        let ctx: ZMQContext
        switch security {
        case .plain:
            ctx = try context ?? ZMQContext.shared()
            authenticator = nil
        case .curve(_, let handler):
            if let context, context !== handler.context {
                throw ZMQError.authenticationHandlerMissing(reason: "the ZAP handler runs in another context than the one given for the server")
            }
            ctx = handler.context
            authenticator = handler
        }
        let pump = try SocketPump(name: "server \(endpoint)", kind: .router, endpoint: endpoint, role: .bind(security),
                                  options: options, context: ctx, inboxCapacity: queueCapacity,
                                  outboxCapacity: queueCapacity, logger: logger)
        do {
            thread = try await OneShot.start(name: "nshap-router") { pump.run(ready: $0) }
        } catch ZMQError.call(let op, let code, _) where code == EADDRINUSE && op.hasPrefix("bind") {
            throw ClusterError.addressInUse(endpoint)
        }
        self.pump = pump
        self.endpoint = pump.resolvedEndpoint
        self.isSecure = security.isCurve
    }

    deinit {
        pump.requestStop()
        thread.join()
    }

    /// The next message from any peer, or `nil` when none arrived within `timeout`.
    public func receive(timeout: Duration) async throws -> InboundMessage? {
        while true {
            let next: PumpInbound?
            do {
                next = try await pump.inbox.pop(timeout: timeout)
            } catch ZMQError.closed {
                throw ClusterError.transportClosed(endpoint)
            }
            guard let next else { return nil }
            guard case .message(let message) = next, let peer = message.frames.first else { continue }
            return InboundMessage(peer: PeerID(peer), frames: Array(message.frames.dropFirst()))
        }
    }

    /// Queues `frames` for `peer`; throws for a peer already found gone or backed up (see the type's
    /// documentation), for a message over the size limit, and after ``close()``.
    public func send(_ frames: [[UInt8]], to peer: PeerID) async throws {
        do {
            try pump.send([peer.bytes] + frames)
        } catch let error as ZMQError {
            throw error.clusterError(endpoint: endpoint, peer: peer)
        }
    }

    /// Queues the messages of `batch` for the I/O thread with one wake-up; the errors are those
    /// ``send(_:to:)`` would throw, by index.
    public func send(batch: [OutboundMessage]) async -> [Int: any Error] {
        let failures = pump.send(batch: batch.map { [$0.peer.bytes] + $0.frames })
        return failures.reduce(into: [:]) { out, f in
            out[f.key] = f.value.clusterError(endpoint: endpoint, peer: batch[f.key].peer)
        }
    }

    /// Runs `server` on this transport's I/O thread (messages to it and its answers never leave
    /// the thread) until it is done; returns `true`.
    public func serve(_ server: any InlineServer) async throws -> Bool {
        do {
            try await pump.serve(server)
        } catch let error as ZMQError {
            throw error.clusterError(endpoint: endpoint, peer: nil)
        }
        return true
    }

    /// Stops the I/O thread and closes the socket (pending sends fail). Idempotent.
    public func close() async {
        pump.requestStop()
        thread.join()
    }

    /// Counters of this transport.
    public var statistics: TransportStatistics { pump.statistics.withLock { $0 } }
}

extension ZMQError {
    /// The cluster's error for this transport error.
    func clusterError(endpoint: String, peer: PeerID?) -> any Error {
        switch self {
        case .closed, .terminated: return ClusterError.transportClosed(endpoint)
        case .peerUnreachable: return peer.map { ClusterError.peerUnreachable($0) } ?? self
        case .wouldBlock: return ClusterError.peerBackedUp(peer?.description ?? endpoint)
        case .messageTooLarge(let size, let limit): return ClusterError.messageTooLarge(size: size, limit: limit)
        default: return self
        }
    }
}
