import Cluster
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What a ``SocketPump``'s thread hands to the async side.
enum PumpInbound: Sendable {
    /// A message from the socket.
    case message(ZMQMessage)
    /// The peer refused this socket's CURVE key (ZAP `status`).
    case authenticationRefused(status: UInt32, endpoint: String)
}

/// Counters of a transport, for logs, metrics and tests.
public struct TransportStatistics: Sendable, Hashable {
    /// Messages handed to libzmq.
    public var sent = 0
    /// Messages received and queued for the owner.
    public var received = 0
    /// Sends that failed (unreachable peer, high-water mark, too large).
    public var sendFailures = 0
    /// Received messages dropped because they exceeded the size limit.
    public var droppedOversized = 0
    /// Handshakes that failed (wrong keys, refused keys, garbage on the wire).
    public var failedHandshakes = 0
    /// Handshakes that succeeded.
    public var handshakes = 0
    /// Connections that ended.
    public var disconnects = 0
}

/// The owner of one socket: a dedicated thread that creates the socket, binds or connects it, and
/// then loops over `zmq_poll` on the socket, a wake-up pipe and the socket's monitor, moving
/// messages between the socket and two bounded queues. Swift concurrency never touches the socket.
///
/// - Inbound: messages go into ``inbox``; while it is full the thread stops reading, so ZeroMQ's
///   receive high-water mark and TCP flow control push back on senders.
/// - Outbound: ``send(_:)`` queues frames (at most `outboxCapacity`, else
///   ``ZMQError/wouldBlock(operation:)``) and returns at once; the thread hands them to libzmq.
///   A send that libzmq refuses is counted and logged, and marks its peer: on a ROUTER, a peer
///   found unreachable makes every later send to it throw ``ZMQError/peerUnreachable(peer:)``
///   (until a message from it arrives); a peer, or a DEALER's server, found at its high-water
///   mark makes sends to it throw ``ZMQError/wouldBlock(operation:)`` for ``backoff``. Waiting for
///   the thread on every send would cost a thread hop per message (measured: about 8,000 echoed
///   messages/s instead of tens of thousands), and delivery is best effort anyway.
final class SocketPump: Sendable {
    /// How the socket attaches to its endpoint.
    enum Role: Sendable {
        /// Bind, as a server with this security.
        case bind(ServerSecurity)
        /// Connect, as a client with this security.
        case connect(ClientSecurity)
    }

    private struct Outbox {
        var items: [[[UInt8]]] = []
        var closed = false
        /// Routing ids a ROUTER found unreachable.
        var unreachable: Set<[UInt8]> = []
        /// Peers (routing id; empty for a DEALER's server) last found at the high-water mark.
        var backedUp: [[UInt8]: ContinuousClock.Instant] = [:]
    }

    /// How long a peer found at its high-water mark is refused further messages.
    static let backoff = Duration.milliseconds(100)
    /// The most peers remembered as unreachable or backed up.
    static let rememberedPeers = 4096

    let name: String
    let kind: ZMQSocket.Kind
    let endpoint: String
    let role: Role
    let options: SocketOptions
    let context: ZMQContext
    let inbox: MessageQueue<PumpInbound>
    let outboxCapacity: Int
    private let outbox = Mutex(Outbox())
    let wake: WakePipe
    private let stopping = Atomic<Bool>(false)
    /// A server to run on this thread (see `SocketPump+Serving.swift`).
    let serving = Mutex(ServingState())
    private let refusalReported = Atomic<Bool>(false)
    /// Whether any peer is marked unreachable (spares a lock per received message).
    private let hasUnreachable = Atomic<Bool>(false)
    private let resolved = Mutex("")
    let statistics = Mutex(TransportStatistics())
    let logger: Logger

    init(name: String, kind: ZMQSocket.Kind, endpoint: String, role: Role, options: SocketOptions,
         context: ZMQContext, inboxCapacity: Int, outboxCapacity: Int, logger: Logger) throws {
        self.name = name
        self.kind = kind
        self.endpoint = endpoint
        self.role = role
        self.options = options
        self.context = context
        self.outboxCapacity = outboxCapacity
        self.logger = logger
        let wake = try WakePipe()
        self.wake = wake
        self.inbox = MessageQueue(capacity: inboxCapacity, waker: PumpWaker(pipe: wake), onRoom: { wake.wake() })
    }

    /// The endpoint as bound (with the port filled in) or connected.
    var resolvedEndpoint: String { resolved.withLock { $0 } }

    /// Queues `frames` for the I/O thread and returns at once. On a ROUTER the first frame is the
    /// peer's routing id. Throws ``ZMQError/closed`` after stop, ``ZMQError/messageTooLarge(size:limit:)``,
    /// ``ZMQError/peerUnreachable(peer:)`` for a peer found gone, and
    /// ``ZMQError/wouldBlock(operation:)`` when the queue is full or the peer was recently found at
    /// its high-water mark.
    func send(_ frames: [[UInt8]]) throws {
        if let error = send(batch: [frames])[0] { throw error }
    }

    /// Queues every message of `batch` that can be (see ``send(_:)``), waking the thread once, and
    /// returns the errors of the others by index.
    func send(batch: [[[UInt8]]]) -> [Int: ZMQError] {
        var failures: [Int: ZMQError] = [:]
        var accepted: [(Int, [[UInt8]])] = []
        accepted.reserveCapacity(batch.count)
        for (i, frames) in batch.enumerated() {
            let size = frames.reduce(0) { $0 + $1.count } - (kind == .router ? frames.first?.count ?? 0 : 0)
            if let limit = options.maxMessageSize, size > limit {
                failures[i] = .messageTooLarge(size: size, limit: limit)
            } else {
                accepted.append((i, frames))
            }
        }
        guard !accepted.isEmpty else { return failures }
        let wasEmpty = outbox.withLock { o -> Bool in
            let wasEmpty = o.items.isEmpty
            let now = o.backedUp.isEmpty ? nil : Optional(ContinuousClock.now)
            for (i, frames) in accepted {
                if o.closed {
                    failures[i] = .closed
                    continue
                }
                let peer = kind == .router ? frames.first ?? [] : []
                if !o.unreachable.isEmpty, o.unreachable.contains(peer) {
                    failures[i] = .peerUnreachable(peer: ZMQSocket.describePeer(peer))
                    continue
                }
                if let since = o.backedUp[peer], let now {
                    if now - since < Self.backoff {
                        failures[i] = .wouldBlock(operation: "send to \(kind == .router ? ZMQSocket.describePeer(peer) : endpoint)")
                        continue
                    }
                    o.backedUp[peer] = nil
                }
                if o.items.count >= outboxCapacity {
                    failures[i] = .wouldBlock(operation: "queue a message for \(name)")
                    continue
                }
                o.items.append(frames)
            }
            return wasEmpty && !o.items.isEmpty
        }
        if wasEmpty { wake.wake() }
        return failures
    }

    /// Asks the thread to stop; it sends what is queued, then refuses further sends with
    /// ``ZMQError/closed`` and finishes the inbox. Join the thread afterwards.
    func requestStop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake.wake()
    }

    // MARK: - The I/O thread

    func run(ready: OneShot) {
        let socket: ZMQSocket
        do {
            socket = try makeSocket()
        } catch {
            finish(error)
            ready.fail(error)
            return
        }
        let monitor: ZMQSocket
        do {
            monitor = try socket.startMonitor()
        } catch {
            finish(error)
            ready.fail(error)
            return
        }
        do {
            switch role {
            case .bind:
                let bound = try socket.bind(endpoint)
                resolved.withLock { $0 = bound }
            case .connect:
                try socket.connect(endpoint)
                resolved.withLock { $0 = endpoint }
            }
        } catch {
            socket.stopMonitor()
            finish(error)
            ready.fail(error)
            return
        }
        ready.succeed()
        loop(socket, monitor)
        socket.stopMonitor()
        finish(ZMQError.closed)
    }

    private func makeSocket() throws -> ZMQSocket {
        let socket = try ZMQSocket(context, kind: kind, options: options)
        switch role {
        case .bind(let security): try socket.secure(security)
        case .connect(let security): try socket.secure(security)
        }
        return socket
    }

    private func loop(_ socket: borrowing ZMQSocket, _ monitor: borrowing ZMQSocket) {
        var reporter = EventReporter(logger: logger, name: name)
        var server: InlineServing?
        defer { release(&server, ZMQError.closed) }
        while true {
            let stop = stopping.load(ordering: .sequentiallyConsistent)
            do {
                adopt(&server)
                let wantIn = server != nil || inbox.hasRoom
                // Receivers waiting with a timeout are woken here when it passes (no timer each);
                // a server's next turn is due here too.
                let now = ContinuousClock.now
                var timeout = Duration.seconds(1)
                if let next = inbox.expireWaiters(now: now) { timeout = max(.zero, min(timeout, next - now)) }
                if let due = server?.server.nextTurn { timeout = max(.zero, min(timeout, due - now)) }
                if server?.carried.isEmpty == false { timeout = .zero }
                let ready = try ZMQPoll.poll(
                    [socket.pollEntry(readable: wantIn), wake.pollEntry, monitor.pollEntry(readable: true)],
                    timeout: stop ? .zero : timeout)
                if ready[1].readable { wake.drain() }
                if server != nil {
                    try turn(&server, socket, readable: ready[0].readable)
                } else if wantIn && ready[0].readable {
                    try receiveBatch(socket, hasRoom: { inbox.hasRoom }) { inbox.push(.message($0)) == .queued }
                }
                sendQueued(socket)
                if ready[2].readable {
                    while let event = try monitor.nextEvent() { handle(event, &reporter) }
                }
            } catch ZMQError.terminated {
                return
            } catch {
                logger.error("socket loop error", metadata: ["transport": "\(name)", "error": "\(error)"])
                // Never spin on a persistent failure.
                usleep(10_000)
            }
            if stop { return }
        }
    }

    /// Hands up to 512 waiting messages to `deliver` (which says whether it took each), while
    /// `hasRoom` holds; drops oversized ones.
    func receiveBatch(_ socket: borrowing ZMQSocket, hasRoom: () -> Bool, deliver: (ZMQMessage) -> Bool) throws {
        var n = 0, received = 0
        defer { if received > 0 { statistics.withLock { $0.received += received } } }
        let limit = options.maxMessageSize ?? Int.max
        while n < 512, hasRoom(), let message = try socket.receive() {
            n += 1
            let envelope = kind == .router ? message.frames.first?.count ?? 0 : 0
            let size = message.frames.reduce(0) { $0 + $1.count } - envelope
            if size > limit {
                statistics.withLock { $0.droppedOversized += 1 }
                logger.warning("dropped an oversized message", metadata: ["transport": "\(name)", "bytes": "\(size)", "limit": "\(limit)"])
                continue
            }
            if kind == .router, hasUnreachable.load(ordering: .relaxed), let peer = message.frames.first {
                // A peer heard from again is reachable again.
                outbox.withLock { o in
                    o.unreachable.remove(peer)
                    hasUnreachable.store(!o.unreachable.isEmpty, ordering: .relaxed)
                }
            }
            if deliver(message) { received += 1 }
        }
    }

    private func sendQueued(_ socket: borrowing ZMQSocket) {
        let batch = outbox.withLock { o -> [[[UInt8]]] in
            defer { o.items.removeAll(keepingCapacity: true) }
            return o.items
        }
        guard !batch.isEmpty else { return }
        var sent = 0
        var unreachable: [[UInt8]] = [], backedUp: [[UInt8]] = []
        for frames in batch {
            do {
                try socket.send(frames)
                sent += 1
            } catch ZMQError.peerUnreachable {
                unreachable.append(frames.first ?? [])
            } catch ZMQError.wouldBlock {
                backedUp.append(kind == .router ? frames.first ?? [] : [])
            } catch {
                logger.warning("send failed", metadata: ["transport": "\(name)", "error": "\(error)"])
                backedUp.append([])
            }
        }
        let failed = batch.count - sent
        statistics.withLock { $0.sent += sent; $0.sendFailures += failed }
        guard failed > 0 else { return }
        let now = ContinuousClock.now
        outbox.withLock { o in
            if o.unreachable.count + unreachable.count > Self.rememberedPeers { o.unreachable.removeAll() }
            o.unreachable.formUnion(unreachable)
            hasUnreachable.store(!o.unreachable.isEmpty, ordering: .relaxed)
            if o.backedUp.count + backedUp.count > Self.rememberedPeers { o.backedUp.removeAll() }
            for p in backedUp { o.backedUp[p] = now }
        }
        logger.debug("messages not sent", metadata: [
            "transport": "\(name)", "unreachable": "\(unreachable.count)", "highWaterMark": "\(backedUp.count)",
        ])
    }

    private func handle(_ event: SocketEvent, _ reporter: inout EventReporter) {
        switch event.kind {
        case .handshakeSucceeded:
            statistics.withLock { $0.handshakes += 1 }
            logger.debug("handshake succeeded", metadata: ["transport": "\(name)", "endpoint": "\(event.endpoint)"])
        case .handshakeFailedAuthentication:
            statistics.withLock { $0.failedHandshakes += 1 }
            reporter.report(event, "authentication failed")
            if case .connect = role, !refusalReported.exchange(true, ordering: .relaxed) {
                inbox.push(.authenticationRefused(status: event.value, endpoint: endpoint))
            }
        case .handshakeFailedProtocol, .handshakeFailedNoDetail:
            statistics.withLock { $0.failedHandshakes += 1 }
            let hint: String
            if case .connect(let security) = role, security.isCurve {
                hint = "handshake failed: check that the server key is the coordinator's public key"
            } else {
                hint = "handshake failed: a peer sent garbage or used keys this side does not accept"
            }
            reporter.report(event, hint)
        case .disconnected:
            statistics.withLock { $0.disconnects += 1 }
            logger.debug("peer disconnected", metadata: ["transport": "\(name)", "endpoint": "\(event.endpoint)"])
        default:
            logger.trace("socket event", metadata: ["transport": "\(name)", "event": "\(event)"])
        }
    }

    /// Fails queued sends and ends the inbox (and any server waiting to be served).
    private func finish(_ error: any Error) {
        refuseServing(error)
        outbox.withLock { o in
            o.closed = true
            o.items = []
        }
        inbox.finish(throwing: error is ZMQError ? ZMQError.closed : error)
    }
}

/// Logs repeated connection failures at most once per interval, with how many were suppressed, so
/// that a misconfigured or hostile peer cannot flood the log.
struct EventReporter {
    let logger: Logger
    let name: String
    var interval: Duration = .seconds(10)
    private var last: ContinuousClock.Instant?
    private var suppressed = 0

    init(logger: Logger, name: String) {
        self.logger = logger
        self.name = name
    }

    mutating func report(_ event: SocketEvent, _ text: String) {
        let now = ContinuousClock.now
        if let last, now - last < interval {
            suppressed += 1
            return
        }
        logger.warning("\(text)", metadata: [
            "transport": "\(name)", "endpoint": "\(event.endpoint)", "event": "\(event.kind)",
            "value": "\(event.value)", "suppressed": "\(suppressed)",
        ])
        last = now
        suppressed = 0
    }
}

/// Serves the receive timeouts of a pump's inbox: the pump's thread expires waiting receivers on
/// every turn of its loop, so a deadline earlier than the thread's planned wake-up only needs the
/// thread woken.
struct PumpWaker: QueueWaker {
    let pipe: WakePipe

    func wake(at deadline: ContinuousClock.Instant, queue: ObjectIdentifier,
              expire: @escaping @Sendable (ContinuousClock.Instant) -> ContinuousClock.Instant?) {
        pipe.wake()
    }
}
