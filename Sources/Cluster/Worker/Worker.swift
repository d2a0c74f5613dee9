public import Logging
public import ServiceLifecycle
public import ShapleyCore
import Synchronization

/// How a worker's session ended.
public struct WorkerOutcome: Sendable, Hashable {
    /// Why it ended (the coordinator's shutdown reason, or the local stop reason).
    public var reason: String
    /// Units this worker evaluated.
    public var unitsEvaluated: Int
}

/// A worker, as a service: connects to a coordinator over a ``ClientTransport``, says hello with
/// its fingerprints, asks for work with credits, evaluates units with ``WorkEvaluator`` on threads
/// of its own (so heartbeats continue during long evaluations), keeps results until the
/// coordinator acknowledges them (resending them after a reconnection), and leaves on the
/// coordinator's shutdown. A silent coordinator makes it say hello again with backoff, then give up
/// with ``ClusterError/coordinatorSilent(endpoint:seconds:)``; a refusal ends it with
/// ``ClusterError/refused(_:)``.
///
/// The worker reads and writes no files. It owns its transport and closes it when it ends;
/// cancelling its task is a crash (nothing more is sent).
public final class Worker: Service {
    /// The settings.
    public let configuration: WorkerConfiguration
    private let game: any Game
    private let transport: any ClientTransport
    private let logger: Logger
    private let stopRequest = Mutex<String?>(nil)

    /// A worker evaluating `game`.
    public init(configuration: WorkerConfiguration, game: any Game, transport: any ClientTransport,
                logger: Logger = Logger(label: "nshap.worker")) {
        precondition(configuration.parallelism > 0, "a worker evaluates at least one unit at a time")
        self.configuration = configuration
        self.game = game
        self.transport = transport
        self.logger = logger
    }

    /// Asks the worker to leave: it hands back queued leases, finishes (within the grace) what it is
    /// evaluating, says bye and returns.
    public func stop(reason: String = "the worker was asked to stop") {
        stopRequest.withLock { if $0 == nil { $0 = reason } }
    }

    /// Runs until the coordinator shuts the run down; a graceful shutdown of the service group
    /// makes the worker leave cleanly.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            _ = try await execute()
        } onGracefulShutdown: {
            self.stop(reason: "the worker received a shutdown signal")
        }
    }

    private enum Event: Sendable {
        case message([[UInt8]])
        case tick
        case completed(EvaluationPool.Completion)
        case transportFailed(any Error)

        var isTick: Bool {
            if case .tick = self { return true }
            return false
        }
    }

    /// Runs until the session ends and says how.
    public func execute() async throws -> WorkerOutcome {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let pool = EvaluationPool(threads: configuration.parallelism,
                                  evaluator: WorkEvaluator(game: game, batchSize: configuration.batchSize),
                                  name: configuration.name) { continuation.yield(.completed($0)) }
        let transport = self.transport
        let tick = min(configuration.heartbeatInterval / 4, .milliseconds(50))
        let receiver = Task {
            while !Task.isCancelled {
                do {
                    let frames = try await transport.receive(timeout: tick)
                    continuation.yield(frames.map(Event.message) ?? .tick)
                } catch {
                    continuation.yield(.transportFailed(error))
                    return
                }
            }
        }
        defer {
            pool.shutdown()
            continuation.finish()
        }
        let outcome: Result<WorkerOutcome, any Error>
        do {
            outcome = .success(try await loop(events, pool: pool))
        } catch {
            outcome = .failure(error)
        }
        receiver.cancel()
        await transport.close()
        // The receiving task holds the transport until it notices the end (at most one tick): wait
        // for it, so that the transport is released when this returns. (A ZeroMQ transport keeps
        // its context alive, and the context's termination is what flushes the goodbye.)
        await receiver.value
        return try outcome.get()
    }

    private func loop(_ events: AsyncStream<Event>, pool: EvaluationPool) async throws -> WorkerOutcome {
        let clock = ContinuousClock()
        let codec = MessageCodec(maxMessageBytes: configuration.maxMessageBytes)
        var core = WorkerCore(settings: configuration, playerCount: game.playerCount, logger: logger, now: clock.now)
        var lastTick = clock.now
        core.tick(now: clock.now)
        try await send(core.takeOutbox(), codec: codec)
        for await event in events {
            let now = clock.now
            switch event {
            case .message(let frames):
                do {
                    core.receive(try codec.decode(frames), now: now)
                } catch {
                    logger.warning("dropped a malformed frame from the coordinator", metadata: ["error": "\(error)"])
                }
            case .completed(let completion):
                core.completed(completion, now: now)
            case .tick:
                break
            case .transportFailed(let error):
                throw error
            }
            if let reason = stopRequest.withLock({ $0 }) { core.beginStopping(reason: reason, now: now, announce: true) }
            if now - lastTick >= .milliseconds(10) || event.isTick {
                core.tick(now: now)
                lastTick = now
            }
            for a in core.takeWork() { pool.submit(a) }
            try await send(core.takeOutbox(), codec: codec)
            switch core.exit {
            case .finished(let reason)?:
                return WorkerOutcome(reason: reason, unitsEvaluated: core.evaluated)
            case .failed(let error)?:
                logger.error("worker stops", metadata: ["reason": "\(error)"])
                throw error
            case nil:
                continue
            }
        }
        throw CancellationError()
    }

    private func send(_ messages: [Message], codec: MessageCodec) async throws {
        for m in messages {
            do {
                try await transport.send(codec.encode(m))
            } catch ClusterError.transportClosed(let endpoint) {
                throw ClusterError.transportClosed(endpoint)
            } catch {
                logger.debug("a message was not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
