import Cluster
import Logging
import ShapleyCore
import ShapleyTestKit
import Testing
@testable import ZMQTransport

/// Real coordinators and workers over the ZeroMQ transports inside one process: over inproc://,
/// through a fault-injecting wrapper, and over loopback TCP with CURVE. Each run must give exactly
/// the estimates of the estimator run alone, without any cluster.
@Suite(.timeLimit(.minutes(4))) struct ClusterOverZMQTests {
    static let players = 12

    static func run() -> RunConfiguration {
        RunConfiguration(runID: "zmq-run", estimator: "permutation", options: [:], seed: 17, playerCount: players,
                         modelFingerprint: "model", dataFingerprint: "data", metric: "value")
    }

    static func estimator() throws -> any Estimator {
        var o = EstimatorOptions(seed: 17)
        o.maxSamples = 40
        o.roundSize = 8
        o.chunkSize = 4
        return try EstimatorRegistry.make("permutation", playerCount: players, chanceLevel: nil, options: o)
    }

    static let game = WeightedTestGame(playerCount: players)

    static var quiet: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// The estimator run to completion without a cluster.
    static func reference() throws -> EstimateReport {
        var e = try estimator()
        let evaluator = WorkEvaluator(game: game)
        while !e.isFinished {
            for u in e.nextWork(limit: 1000) { _ = try e.ingest(evaluator.evaluate(u)) }
        }
        return e.report()
    }

    static func coordinatorSettings() -> CoordinatorConfiguration {
        var c = CoordinatorConfiguration(run: run())
        c.heartbeatInterval = .milliseconds(50)
        c.workerTimeoutIntervals = 20
        c.leaseTimeout = .milliseconds(500)
        c.shutdownGrace = .milliseconds(300)
        return c
    }

    static func workerSettings(_ name: String, endpoint: String) -> WorkerConfiguration {
        var w = WorkerConfiguration(name: name, endpoint: endpoint, modelFingerprint: "model", dataFingerprint: "data", metric: "value")
        w.heartbeatInterval = .milliseconds(50)
        w.giveUpAfter = .seconds(10)
        w.initialBackoff = .milliseconds(20)
        w.maxBackoff = .milliseconds(200)
        w.shutdownGrace = .milliseconds(300)
        return w
    }

    /// Runs a coordinator on `server` and one worker per client; returns the coordinator's outcome.
    static func runCluster(server: any ServerTransport, clients: [any ClientTransport], endpoint: String) async throws -> CoordinatorOutcome {
        let coordinator = Coordinator(configuration: coordinatorSettings(), estimator: try estimator(), transport: server,
                                      journal: nil, logger: quiet)
        let workers = clients.enumerated().map { i, client in
            Worker(configuration: workerSettings("w\(i)", endpoint: endpoint), game: game, transport: client, logger: quiet)
        }
        let tasks = workers.map { worker in Task { try await worker.execute() } }
        let outcome = try await coordinator.execute()
        // The run is over. On a lossy network a worker may never hear the shutdown, or may say
        // hello only after the end; it is told to leave, and how it ends is not the point here.
        for w in workers { w.stop(reason: "the test run is over") }
        for t in tasks {
            do {
                _ = try await t.value
            } catch ClusterError.refused(let refusal) where refusal.code == .shuttingDown {
            } catch ClusterError.coordinatorSilent {
            }
        }
        return outcome
    }

    @Test func threeWorkersOverInprocMatchTheEstimatorAlone() async throws {
        let context = try ZMQContext()
        let endpoint = "inproc://cluster-\(UInt32.random(in: 0...UInt32.max))"
        let server = try await ZMQServerTransport(bind: endpoint, context: context)
        var clients: [any ClientTransport] = []
        for _ in 0..<3 { clients.append(try await ZMQClientTransport(connect: endpoint, context: context)) }
        let outcome = try await Self.runCluster(server: server, clients: clients, endpoint: endpoint)
        #expect(outcome.status == .finished)
        #expect(outcome.report == (try Self.reference()))
    }

    @Test func faultInjectedTransportsGiveTheFaultFreeResult() async throws {
        let context = try ZMQContext()
        let endpoint = "inproc://faulty-\(UInt32.random(in: 0...UInt32.max))"
        let plan = FaultPlan(dropRate: 0.05, duplicateRate: 0.05, delayRate: 0.05, reorderRate: 0.05, maxDelay: .milliseconds(30))
        let server = FaultyServerTransport(wrapping: try await ZMQServerTransport(bind: endpoint, context: context),
                                           plan: plan, seed: 99)
        var clients: [FaultyClientTransport] = []
        for i in 0..<3 {
            clients.append(FaultyClientTransport(wrapping: try await ZMQClientTransport(connect: endpoint, context: context),
                                                 plan: plan, seed: 99, stream: UInt64(i + 1)))
        }
        let outcome = try await Self.runCluster(server: server, clients: clients, endpoint: endpoint)
        #expect(outcome.status == .finished)
        #expect(outcome.report == (try Self.reference()))
        let injected = server.counts.dropped + server.counts.duplicated + clients.map { $0.counts.dropped + $0.counts.duplicated }.reduce(0, +)
        #expect(injected > 0, "the fault plan must actually have dropped or duplicated something")
    }

    @Test func curveOverLoopbackTcpMatchesTheEstimatorAlone() async throws {
        let serverContext = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let workerKeys = try CurveKeyPair.generate()
        let zap = try await ZAPHandler(context: serverContext, allowList: AllowList([workerKeys.publicKey]), logger: Self.quiet)
        defer { zap.stop() }
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*", security: .curve(keyPair: serverKeys, authenticator: zap),
                                                  logger: Self.quiet)
        var clients: [any ClientTransport] = []
        for _ in 0..<2 {
            clients.append(try await ZMQClientTransport(connect: server.endpoint,
                                                        security: .curve(serverKey: serverKeys.publicKey, keyPair: workerKeys),
                                                        context: try ZMQContext(), logger: Self.quiet))
        }
        let outcome = try await Self.runCluster(server: server, clients: clients, endpoint: server.endpoint)
        #expect(outcome.status == .finished)
        #expect(outcome.report == (try Self.reference()))
        #expect(zap.counts.accepted == 2)
    }
}
