import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ZMQTransport

/// The socket wrapper against a real libzmq: multipart messages, ROUTER_MANDATORY, high-water
/// marks and message size limits.
@Suite struct SocketTests {
    static let wait = Duration.seconds(5)

    @Test func multipartRoundTripOverInproc() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, kind: .router)
        try router.bind("inproc://roundtrip")
        var options = SocketOptions()
        options.routingID = Array("w1".utf8)
        let dealer = try ZMQSocket(context, kind: .dealer, options: options)
        try dealer.connect("inproc://roundtrip")

        try dealer.send([Array("hello".utf8), [], [0, 1, 2]], timeout: Self.wait)
        let got = try #require(try router.receive(timeout: Self.wait))
        #expect(got.frames == [Array("w1".utf8), Array("hello".utf8), [], [0, 1, 2]])

        try router.send([Array("w1".utf8), Array("back".utf8)], timeout: Self.wait)
        let reply = try #require(try dealer.receive(timeout: Self.wait))
        #expect(reply.frames == [Array("back".utf8)])
    }

    @Test func receiveWithoutMessageReturnsNilInBoundedTime() throws {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, kind: .dealer)
        try dealer.bind("inproc://quiet")
        let start = ContinuousClock.now
        #expect(try dealer.receive(timeout: .milliseconds(50)) == nil)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func routerRefusesUnknownPeerLoudly() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, kind: .router)
        try router.bind("inproc://mandatory")
        #expect(throws: ZMQError.peerUnreachable(peer: "ghost")) {
            try router.send([Array("ghost".utf8), Array("lost".utf8)])
        }
    }

    @Test func sendLimitRefusesOversizedMessagesBeforeLibzmq() throws {
        let context = try ZMQContext()
        var options = SocketOptions()
        options.maxMessageSize = 100
        let dealer = try ZMQSocket(context, kind: .dealer, options: options)
        try dealer.connect("inproc://nobody-there")
        #expect(throws: ZMQError.messageTooLarge(size: 101, limit: 100)) {
            try dealer.send([[UInt8](repeating: 7, count: 101)])
        }
    }

    @Test func receiverDisconnectsPeerThatSendsTooMuch() throws {
        let context = try ZMQContext()
        var small = SocketOptions()
        small.maxMessageSize = 1000
        let router = try ZMQSocket(context, kind: .router, options: small)
        let address = try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context, kind: .dealer)
        try dealer.connect(address)
        try dealer.send([[UInt8](repeating: 1, count: 5000)], timeout: Self.wait)
        // The oversized message makes libzmq drop the connection, so it never arrives. The dealer
        // reconnects afterwards, and a small message sent then arrives, which shows the router
        // was alive all along.
        var arrived: ZMQMessage?
        let deadline = ContinuousClock.now + Self.wait
        while arrived == nil && ContinuousClock.now < deadline {
            arrived = try router.receive(timeout: .milliseconds(200))
            if arrived == nil { try dealer.send([Array("small".utf8)], timeout: Self.wait) }
        }
        #expect(arrived?.frames.last == Array("small".utf8))
        while let more = try router.receive(timeout: .milliseconds(100)) {
            #expect(more.frames.last == Array("small".utf8))
        }
    }

    @Test func dealerReportsHighWaterMarkAsWouldBlock() throws {
        let context = try ZMQContext()
        var options = SocketOptions()
        options.sendHighWaterMark = 5
        let dealer = try ZMQSocket(context, kind: .dealer, options: options)
        // Nobody listens here: messages queue until the high-water mark, then sends fail.
        try dealer.connect("tcp://127.0.0.1:1")
        var sent = 0
        var blocked = false
        while sent < 10_000 {
            do {
                try dealer.send([Array("x".utf8)])
                sent += 1
            } catch ZMQError.wouldBlock {
                blocked = true
                break
            }
        }
        #expect(blocked)
        #expect(sent >= 5 && sent < 100)
    }

    @Test func routerReportsHighWaterMarkAsWouldBlock() throws {
        let context = try ZMQContext()
        var options = SocketOptions()
        options.sendHighWaterMark = 4
        options.receiveHighWaterMark = 4
        let router = try ZMQSocket(context, kind: .router, options: options)
        let address = try router.bind("tcp://127.0.0.1:*")
        var clientOptions = options
        clientOptions.routingID = Array("slow".utf8)
        let dealer = try ZMQSocket(context, kind: .dealer, options: clientOptions)
        try dealer.connect(address)
        try dealer.send([Array("hi".utf8)], timeout: Self.wait)
        _ = try #require(try router.receive(timeout: Self.wait))

        // The dealer never reads: kernel buffers fill, then the router's queue, then sends fail
        // with EAGAIN instead of being dropped silently.
        let chunk = [UInt8](repeating: 9, count: 256 << 10)
        var blocked = false
        for _ in 0..<2000 {
            do {
                try router.send([Array("slow".utf8), chunk])
            } catch ZMQError.wouldBlock {
                blocked = true
                break
            }
        }
        #expect(blocked)
    }

    @Test func bindReportsTheResolvedPort() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, kind: .router)
        let address = try router.bind("tcp://127.0.0.1:*")
        let endpoint = try Endpoint(address)
        #expect(endpoint.scheme == .tcp)
        #expect(endpoint.host == "127.0.0.1")
        #expect((UInt16(endpoint.port) ?? 0) > 0)
    }

    @Test func bindToBusyAddressFailsWithTypedError() throws {
        let context = try ZMQContext()
        let a = try ZMQSocket(context, kind: .router)
        let address = try a.bind("tcp://127.0.0.1:*")
        let b = try ZMQSocket(context, kind: .router)
        #expect {
            try b.bind(address)
        } throws: { error in
            guard case ZMQError.call(let op, _, let message) = error else { return false }
            return op.contains(address) && message.lowercased().contains("address")
        }
    }

    @Test func ipcEndpointsWork() throws {
        let context = try ZMQContext()
        let path = "/tmp/nshap-test-\(UInt32.random(in: 0...UInt32.max)).ipc"
        defer { unlink(path) }
        let router = try ZMQSocket(context, kind: .router)
        try router.bind("ipc://" + path)
        let dealer = try ZMQSocket(context, kind: .dealer)
        try dealer.connect("ipc://" + path)
        try dealer.send([Array("over ipc".utf8)], timeout: Self.wait)
        let got = try #require(try router.receive(timeout: Self.wait))
        #expect(got.frames.last == Array("over ipc".utf8))
    }
}
