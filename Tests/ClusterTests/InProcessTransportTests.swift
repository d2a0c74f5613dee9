import Testing
@testable import Cluster

@Suite struct InProcessTransportTests {
    @Test func clientReachesServerAndGetsAnswer() async throws {
        let net = InProcessNetwork()
        let server = try net.bind("coord")
        let client = net.connect("coord")
        try await client.send([[1, 2], [3]])
        let inbound = try #require(try await server.receive(timeout: .seconds(5)))
        #expect(inbound.frames == [[1, 2], [3]])
        #expect(inbound.peer == client.peer)
        try await server.send([[9]], to: inbound.peer)
        #expect(try await client.receive(timeout: .seconds(5)) == [[9]])
    }

    @Test func receiveTimesOutWithNil() async throws {
        let net = InProcessNetwork()
        let server = try net.bind("a")
        let client = net.connect("a")
        #expect(try await server.receive(timeout: .milliseconds(20)) == nil)
        #expect(try await client.receive(timeout: .milliseconds(20)) == nil)
    }

    @Test func messagesBeforeBindAreDroppedAndRestartedServerIsReached() async throws {
        let net = InProcessNetwork()
        let client = net.connect("svc")
        try await client.send([[1]])  // nobody bound: dropped
        let first = try net.bind("svc")
        #expect(throws: ClusterError.addressInUse("svc")) { try net.bind("svc") }
        #expect(try await first.receive(timeout: .milliseconds(20)) == nil)
        try await client.send([[2]])
        #expect(try await first.receive(timeout: .seconds(5))?.frames == [[2]])
        await first.close()
        await #expect(throws: ClusterError.self) { try await first.receive(timeout: .seconds(1)) }
        let second = try net.bind("svc")
        try await client.send([[3]])
        #expect(try await second.receive(timeout: .seconds(5))?.frames == [[3]])
    }

    @Test func sendingToUnknownOrClosedPeerFails() async throws {
        let net = InProcessNetwork()
        let server = try net.bind("s")
        await #expect(throws: ClusterError.peerUnreachable(PeerID([7]))) {
            try await server.send([[1]], to: PeerID([7]))
        }
        let client = net.connect("s")
        try await client.send([[1]])
        let peer = try #require(try await server.receive(timeout: .seconds(5))).peer
        await client.close()
        await #expect(throws: ClusterError.peerUnreachable(peer)) { try await server.send([[1]], to: peer) }
    }

    @Test func fullQueueDropsWithBackedUp() async throws {
        let net = InProcessNetwork(highWaterMark: 2)
        let server = try net.bind("s")
        let client = net.connect("s")
        try await client.send([[1]])
        try await client.send([[2]])
        await #expect(throws: ClusterError.self) { try await client.send([[3]]) }
        #expect(try await server.receive(timeout: .seconds(1))?.frames == [[1]])
        #expect(try await server.receive(timeout: .seconds(1))?.frames == [[2]])
        #expect(try await server.receive(timeout: .milliseconds(10)) == nil)
    }

    @Test func cancellationWakesAWaitingReceive() async throws {
        let net = InProcessNetwork()
        let server = try net.bind("s")
        let waiting = Task { try await server.receive(timeout: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }

    @Test func oversizedMessagesAreNotDelivered() async throws {
        let net = InProcessNetwork(maxMessageBytes: 100)
        let server = try net.bind("s")
        let client = net.connect("s")
        await #expect(throws: ClusterError.self) { try await client.send([Array(repeating: 0, count: 101)]) }
        #expect(try await server.receive(timeout: .milliseconds(10)) == nil)
    }
}
