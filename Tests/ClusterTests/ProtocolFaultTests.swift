import Synchronization
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// Garbage on the wire and a lossy, duplicating, reordering network change nothing in the result.
@Suite(.timeLimit(.minutes(4))) struct ProtocolFaultTests {
    let game = WeightedTestGame(playerCount: Harness.players)

    @Test func coordinatorDropsGarbageAndRefusesOtherVersions() async throws {
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let game = self.game
        let (outcome, refusal) = try await withTimeout(30) { () -> (CoordinatorOutcome, Message?) in
            let network = InProcessNetwork()
            let settings = Harness.coordinatorSettings()
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: try network.bind("coordinator"), journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let vandal = network.connect("coordinator")
            var rng = RandomStream(seed: 99, index: 0)
            let codec = MessageCodec()
            for i in 0..<200 {
                var frame = (0..<rng.uniform(below: 64)).map { _ in UInt8(truncatingIfNeeded: rng.next32()) }
                if i % 2 == 0 && frame.count > 4 { frame[0] = 0x4E; frame[1] = 0x53; frame[2] = MessageCodec.version }
                try await vandal.send(i % 10 == 0 ? [frame, frame] : [frame])
            }
            // Well-formed messages the vandal has no session for, or must not send.
            try await vandal.send(codec.encode(.result(ResultReport(lease: 1, evaluationNanos: 0, result: WorkResult(id: 0, values: [1])))))
            try await vandal.send(codec.encode(.welcome(Welcome(runID: "x", heartbeatMillis: 1, maxMessageBytes: 100))))
            // A hello of a future protocol version gets a refusal it can read.
            var hello = try codec.encodeFrame(.hello(Hello(instance: 1, name: "future", modelFingerprint: "model-A",
                                                           dataFingerprint: "data-A", metric: "value", playerCount: 6, slots: 1)))
            hello[2] = 9
            try await vandal.send([hello])
            // The result without a session is answered with a request to say hello again; the
            // future hello with a refusal.
            var answer: Message?
            var askedToSayHello = false
            while answer == nil, let frames = try await vandal.receive(timeout: .seconds(10)) {
                switch try? codec.decode(frames) {
                case .helloAgain?: askedToSayHello = true
                case let other: answer = other
                }
            }
            #expect(askedToSayHello)
            // Workers join only now, so the run cannot end before the garbage was read.
            let workers = Harness.startWorkers(2, network: network, game: game)
            let outcome = try await run.value
            for w in workers { _ = try await w.value }
            return (outcome, answer)
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.statistics.malformedMessages >= 150)
        guard case .refuse(let r)? = refusal else {
            Issue.record("expected a refusal, got \(String(describing: refusal))")
            return
        }
        #expect(r.code == .protocolVersion && r.message.contains("version 9"))
    }

    @Test func workerSurvivesGarbageFromTheCoordinatorSide() async throws {
        let game = self.game
        let error = try await withTimeout(20) { () -> ClusterError? in
            let network = InProcessNetwork()
            let fake = try network.bind("coordinator")
            let worker = Worker(configuration: Harness.workerSettings("w"), game: game,
                                transport: network.connect("coordinator"), logger: Harness.quietLogger)
            let task = Task { try await worker.execute() }
            let hello = try #require(try await fake.receive(timeout: .seconds(10)))
            var rng = RandomStream(seed: 5, index: 0)
            for _ in 0..<100 {
                let frame = (0..<rng.uniform(below: 40)).map { _ in UInt8(truncatingIfNeeded: rng.next32()) }
                try await fake.send([frame], to: hello.peer)
            }
            try await fake.send(MessageCodec().encode(.refuse(Refusal(code: .other(77), message: "go away"))), to: hello.peer)
            do { _ = try await task.value } catch let e as ClusterError { return e }
            return nil
        }
        #expect(error == .refused(Refusal(code: .other(77), message: "go away")))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func unreliableNetworkGivesTheFaultFreeResult(seed: UInt64) async throws {
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let game = self.game
        let (outcome, faults) = try await withTimeout(40) { () -> (CoordinatorOutcome, Int) in
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.leaseTimeout = .milliseconds(200)
            let server = FaultyServerTransport(wrapping: try network.bind("coordinator"), plan: .unreliable, seed: seed)
            let coordinator = Coordinator(configuration: settings, estimator: try Harness.makeEstimator(settings.run),
                                          transport: server, journal: nil, logger: Harness.quietLogger)
            let run = Task { try await coordinator.execute() }
            let clients = Mutex<[FaultyClientTransport]>([])
            let workers = Harness.startWorkers(3, network: network, game: game) { base, i in
                let c = FaultyClientTransport(wrapping: base, plan: .unreliable, seed: seed, stream: UInt64(i) + 1)
                clients.withLock { $0.append(c) }
                return c
            }
            let outcome = try await run.value
            // A lost shutdown leaves a worker waiting for a coordinator that is gone: stop them.
            for w in workers { w.cancel() }
            let counts = [server.counts] + clients.withLock { $0.map(\.counts) }
            return (outcome, counts.reduce(0) { $0 + $1.dropped + $1.duplicated + $1.delayed + $1.reordered })
        }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(faults > 10)
    }
}
