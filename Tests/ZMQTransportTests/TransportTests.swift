import Testing
import Cluster
@testable import ZMQTransport

/// The ZeroMQ transports against the `Transport` contract, over inproc:// and loopback tcp.
@Suite struct TransportTests {
    static func uniqueInproc(_ name: String) -> String {
        "inproc://\(name)-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func roundTripOverInproc() async throws {
        let address = Self.uniqueInproc("roundtrip")
        let server = try await ZMQServerTransport(bind: address)
        let client = try await ZMQClientTransport(connect: address)
        try await client.send([[1, 2], [3]])
        let inbound = try #require(try await server.receive(timeout: scaled(5)))
        #expect(inbound.frames == [[1, 2], [3]])
        try await server.send([[9]], to: inbound.peer)
        #expect(try await client.receive(timeout: scaled(5)) == [[9]])
        await client.close()
        await server.close()
    }

    @Test func roundTripOverTcpWithEphemeralPort() async throws {
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*")
        #expect(!server.endpoint.hasSuffix(":*"))
        let client = try await ZMQClientTransport(connect: server.endpoint)
        for i in 0..<100 { try await client.send([[UInt8(i)]]) }
        var seen: [UInt8] = []
        while seen.count < 100, let m = try await server.receive(timeout: scaled(5)) {
            seen.append(m.frames[0][0])
        }
        #expect(seen == (0..<100).map(UInt8.init))
        await client.close()
        await server.close()
    }

    @Test func receiveTimesOutWithNil() async throws {
        let address = Self.uniqueInproc("quiet")
        let server = try await ZMQServerTransport(bind: address)
        let client = try await ZMQClientTransport(connect: address)
        #expect(try await server.receive(timeout: .milliseconds(20)) == nil)
        #expect(try await client.receive(timeout: .milliseconds(20)) == nil)
        await server.close()
        await client.close()
    }

    /// Sends to `peer` until one throws something other than a transient back-up, and returns that
    /// error (`nil` if none did in 30 s, scaled). The first failure is found by the I/O thread and
    /// later sends report it, so a few sends are made however late this task gets to run again (a
    /// starved test task may wake up past the deadline). A peer that left without libzmq noticing
    /// yet may fill its queue first: sends then report it backed up for a while, not gone.
    static func firstFailure(_ server: ZMQServerTransport, to peer: PeerID) async -> (any Error)? {
        let deadline = ContinuousClock.now + scaled(30)
        var attempts = 0
        while attempts < 3 || ContinuousClock.now < deadline {
            attempts += 1
            do {
                try await server.send([[3]], to: peer)
            } catch ClusterError.peerBackedUp {
                // Not the answer yet: the peer's queue is full until its departure is noticed.
            } catch {
                return error
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test func sendingToUnknownOrGonePeerFails() async throws {
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*")
        #expect(await Self.firstFailure(server, to: PeerID([0, 7])) as? ClusterError == .peerUnreachable(PeerID([0, 7])))
        #expect(server.statistics.sendFailures >= 1)

        let client = try await ZMQClientTransport(connect: server.endpoint)
        try await client.send([[1]])
        let peer = try #require(try await server.receive(timeout: scaled(5))).peer
        try await server.send([[2]], to: peer)
        #expect(try await client.receive(timeout: scaled(5)) == [[2]])
        await client.close()
        // The disconnect reaches the router asynchronously; soon after, sends fail loudly.
        #expect(await Self.firstFailure(server, to: peer) as? ClusterError == .peerUnreachable(peer))
        await server.close()
    }

    @Test func closedTransportsRefuseToWork() async throws {
        let address = Self.uniqueInproc("closed")
        let server = try await ZMQServerTransport(bind: address)
        let client = try await ZMQClientTransport(connect: address)
        await server.close()
        await server.close()
        await client.close()
        await #expect(throws: ClusterError.transportClosed(address)) { try await server.receive(timeout: .seconds(1)) }
        await #expect(throws: ClusterError.transportClosed(address)) { try await client.send([[1]]) }
        await #expect(throws: ClusterError.transportClosed(address)) { try await client.receive(timeout: .seconds(1)) }
    }

    @Test func secondBindIsAddressInUse() async throws {
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*")
        await #expect(throws: ClusterError.addressInUse(server.endpoint)) {
            _ = try await ZMQServerTransport(bind: server.endpoint)
        }
        await server.close()
    }

    @Test func plainTcpOffLoopbackIsRefusedUnlessAskedFor() async throws {
        await #expect(throws: ZMQError.insecureEndpoint(endpoint: "tcp://0.0.0.0:*")) {
            _ = try await ZMQServerTransport(bind: "tcp://0.0.0.0:*")
        }
        await #expect(throws: ZMQError.insecureEndpoint(endpoint: "tcp://10.255.255.1:5555")) {
            _ = try await ZMQClientTransport(connect: "tcp://10.255.255.1:5555")
        }
        let server = try await ZMQServerTransport(bind: "tcp://0.0.0.0:*", insecure: true)
        #expect(!server.isSecure)
        await server.close()
    }

    @Test func cancellationWakesAWaitingReceive() async throws {
        let server = try await ZMQServerTransport(bind: Self.uniqueInproc("cancel"))
        let waiting = Task { try await server.receive(timeout: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        await server.close()
    }

    @Test func oversizedMessagesAreRefusedBySenderAndDroppedByReceiver() async throws {
        var small = SocketOptions()
        small.maxMessageSize = 100
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*", options: small)
        let bigSender = try await ZMQClientTransport(connect: server.endpoint)
        let limited = try await ZMQClientTransport(connect: server.endpoint, options: small)
        await #expect(throws: ClusterError.messageTooLarge(size: 101, limit: 100)) {
            try await limited.send([Array(repeating: 0, count: 101)])
        }
        try await bigSender.send([Array(repeating: 0, count: 1000)])
        try await limited.send([[42]])
        let got = try #require(try await server.receive(timeout: scaled(5)))
        #expect(got.frames == [[42]])
        #expect(try await server.receive(timeout: .milliseconds(200)) == nil)
        await bigSender.close()
        await limited.close()
        await server.close()
    }

    @Test func slowServerPushesBackOnTheClient() async throws {
        var options = SocketOptions()
        options.sendHighWaterMark = 10
        options.receiveHighWaterMark = 10
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*", options: options, queueCapacity: 8)
        let client = try await ZMQClientTransport(connect: server.endpoint, options: options, queueCapacity: 8)
        // Nobody receives on the server: its queue, then ZeroMQ's queues and the kernel's buffers
        // fill, and the client's sends start failing with peerBackedUp instead of piling up.
        let payload = [UInt8](repeating: 1, count: 64 << 10)
        var backedUp = false
        for _ in 0..<20_000 {
            do {
                try await client.send([payload])
            } catch ClusterError.peerBackedUp {
                backedUp = true
                break
            }
        }
        #expect(backedUp)
        // Everything that was accepted is still delivered once the server reads.
        #expect(try await server.receive(timeout: scaled(5)) != nil)
        await client.close()
        await server.close()
    }

    @Test func manyConcurrentSendersAllArrive() async throws {
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*")
        let clients = try await withThrowingTaskGroup(of: ZMQClientTransport.self) { group in
            for _ in 0..<4 { group.addTask { try await ZMQClientTransport(connect: server.endpoint) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (c, client) in clients.enumerated() {
                group.addTask { for i in 0..<250 { try await client.send([[UInt8(c), UInt8(i % 256)]]) } }
            }
            try await group.waitForAll()
        }
        var count = 0
        var peers = Set<PeerID>()
        while count < 1000, let m = try await server.receive(timeout: scaled(5)) {
            count += 1
            peers.insert(m.peer)
        }
        #expect(count == 1000)
        #expect(peers.count == 4)
        for c in clients { await c.close() }
        await server.close()
    }
}

/// The ZeroMQ transports with CURVE and ZAP.
@Suite struct SecureTransportTests {
    @Test func knownWorkerTalksAndUnknownWorkerIsToldItWasRefused() async throws {
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let zap = try await ZAPHandler(context: context, allowList: AllowList([known.publicKey]))
        let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*",
                                                  security: .curve(keyPair: serverKeys, authenticator: zap))
        #expect(server.isSecure)

        let good = try await ZMQClientTransport(connect: server.endpoint,
                                                 security: .curve(serverKey: serverKeys.publicKey, keyPair: known),
                                                 context: try ZMQContext())
        try await good.send([Array("hello".utf8)])
        let inbound = try #require(try await server.receive(timeout: scaled(5)))
        try await server.send([Array("welcome".utf8)], to: inbound.peer)
        #expect(try await good.receive(timeout: scaled(5)) == [Array("welcome".utf8)])

        let bad = try await ZMQClientTransport(connect: server.endpoint,
                                                security: .curve(serverKey: serverKeys.publicKey, keyPair: stranger),
                                                context: try ZMQContext())
        try await bad.send([Array("let me in".utf8)])
        await #expect {
            _ = try await bad.receive(timeout: scaled(5))
        } throws: { error in
            guard case ClusterError.refused(let refusal) = error else { return false }
            return refusal.message.contains("allow-list")
        }
        #expect(try await server.receive(timeout: .milliseconds(300)) == nil)
        #expect(zap.counts.refused >= 1)
        await good.close()
        await bad.close()
        await server.close()
        zap.stop()
    }
}
