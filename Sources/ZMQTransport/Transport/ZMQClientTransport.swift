public import Cluster
public import Logging
import Synchronization

/// A worker's side of the cluster protocol over ZeroMQ: a DEALER socket owned by a dedicated I/O
/// thread. ZeroMQ connects in the background and reconnects after failures; messages sent while no
/// connection exists are queued up to the high-water mark.
///
/// When the server's ZAP handler refuses this client's CURVE key, the next ``receive(timeout:)``
/// throws ``ClusterError/refused(_:)`` (code 400) naming the endpoint, once.
public final class ZMQClientTransport: ClientTransport {
    /// The endpoint connected to.
    public let endpoint: String
    /// Whether the connection is encrypted and authenticated with CURVE.
    public let isSecure: Bool
    private let pump: SocketPump
    private let thread: IOThread

    /// Connects to `endpoint`.
    ///
    /// - Parameters:
    ///   - security: `.plain`, or CURVE with the server's public key and this client's key pair.
    ///   - insecure: required to use `.plain` on an endpoint that is not local.
    ///   - context: the context (default: ``ZMQContext/shared()``).
    ///   - queueCapacity: messages buffered in each direction between the I/O thread and callers.
    public init(connect endpoint: String, security: ClientSecurity = .plain, insecure: Bool = false,
                context: ZMQContext? = nil, options: SocketOptions = SocketOptions(),
                queueCapacity: Int = 10_000, logger: Logger = Logger(label: "nshap.transport")) async throws {
        let parsed = try Endpoint(endpoint)
        if !security.isCurve && !parsed.isLocal && !insecure { throw ZMQError.insecureEndpoint(endpoint: endpoint) }
        let pump = try SocketPump(name: "client \(endpoint)", kind: .dealer, endpoint: endpoint,
                                  role: .connect(security), options: options,
                                  context: try context ?? ZMQContext.shared(), inboxCapacity: queueCapacity,
                                  outboxCapacity: queueCapacity, logger: logger)
        thread = try await OneShot.start(name: "nshap-dealer") { pump.run(ready: $0) }
        self.pump = pump
        self.endpoint = endpoint
        self.isSecure = security.isCurve
    }

    deinit {
        pump.requestStop()
        thread.join()
    }

    /// The next message from the server, or `nil` when none arrived within `timeout`.
    public func receive(timeout: Duration) async throws -> [[UInt8]]? {
        let next: PumpInbound?
        do {
            next = try await pump.inbox.pop(timeout: timeout)
        } catch ZMQError.closed {
            throw ClusterError.transportClosed(endpoint)
        }
        switch next {
        case nil:
            return nil
        case .message(let message):
            return message.frames
        case .authenticationRefused(let status, let where_):
            throw ClusterError.refused(Refusal(
                code: .other(UInt16(clamping: status)),
                message: ZMQError.authenticationRefused(endpoint: where_, status: Int32(clamping: status)).description))
        }
    }

    /// Queues `frames` for the server (libzmq keeps them while disconnected, up to the high-water
    /// mark). Throws ``ClusterError/peerBackedUp(_:)`` for a short back-off after the high-water
    /// mark was hit, ``ClusterError/messageTooLarge(size:limit:)``, and after ``close()``.
    public func send(_ frames: [[UInt8]]) async throws {
        do {
            try pump.send(frames)
        } catch let error as ZMQError {
            throw error.clusterError(endpoint: endpoint, peer: nil)
        }
    }

    /// Stops the I/O thread and closes the socket. Idempotent.
    public func close() async {
        pump.requestStop()
        thread.join()
    }

    /// Counters of this transport.
    public var statistics: TransportStatistics { pump.statistics.withLock { $0 } }
}
