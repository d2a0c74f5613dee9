import Testing
@testable import ZMQTransport

/// CURVE with ZAP over loopback TCP: known keys get in, unknown keys are refused, and a server
/// cannot be configured without a working handler.
@Suite struct CurveTests {
    /// Sends from a CURVE client until the server receives something or `patience` runs out.
    static func exchange(server: borrowing ZMQSocket, client: borrowing ZMQSocket,
                         patience: Duration) throws -> ZMQMessage? {
        let deadline = ContinuousClock.now + patience
        try client.send([Array("hello".utf8)])
        while ContinuousClock.now < deadline {
            if let m = try server.receive(timeout: .milliseconds(100)) { return m }
        }
        return nil
    }

    static func client(_ context: ZMQContext, server: CurveKey, pair: CurveKeyPair, address: String) throws -> ZMQSocket {
        let socket = try ZMQSocket(context, kind: .dealer)
        try socket.secure(.curve(serverKey: server, keyPair: pair))
        try socket.connect(address)
        return socket
    }

    @Test func allowedKeyGetsInAndUnknownKeyIsRefused() async throws {
        let context = try ZMQContext()
        let serverPair = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        var allow = AllowList()
        allow.insert(known.publicKey, label: "known-worker")
        let zap = try await ZAPHandler(context: context, allowList: allow)
        defer { zap.stop() }

        let server = try ZMQSocket(context, kind: .router)
        try server.secure(.curve(keyPair: serverPair, authenticator: zap))
        let address = try server.bind("tcp://127.0.0.1:*")

        // The unknown key: the handler refuses it, and nothing it sends arrives.
        let intruder = try Self.client(try ZMQContext(), server: serverPair.publicKey, pair: stranger, address: address)
        #expect(try Self.exchange(server: server, client: intruder, patience: .seconds(1)) == nil)
        #expect(zap.counts.refused >= 1)
        #expect(zap.counts.accepted == 0)

        // The known key: admitted, and the ZAP user id names it on every message.
        let worker = try Self.client(try ZMQContext(), server: serverPair.publicKey, pair: known, address: address)
        let got = try #require(try Self.exchange(server: server, client: worker, patience: .seconds(5)))
        #expect(got.frames.last == Array("hello".utf8))
        #expect(got.userID == "known-worker")
        #expect(zap.counts.accepted == 1)
    }

    @Test func wrongServerKeyNeverConnects() async throws {
        let context = try ZMQContext()
        let serverPair = try CurveKeyPair.generate(), impostor = try CurveKeyPair.generate()
        let worker = try CurveKeyPair.generate()
        let zap = try await ZAPHandler(context: context, allowList: AllowList([worker.publicKey]))
        defer { zap.stop() }
        let server = try ZMQSocket(context, kind: .router)
        try server.secure(.curve(keyPair: serverPair, authenticator: zap))
        let address = try server.bind("tcp://127.0.0.1:*")
        let client = try Self.client(try ZMQContext(), server: impostor.publicKey, pair: worker, address: address)
        #expect(try Self.exchange(server: server, client: client, patience: .seconds(1)) == nil)
    }

    /// Documents the libzmq behaviour the probe guards against: a CURVE server with no ZAP handler
    /// admits any client that knows its public key.
    @Test func libzmqWithoutHandlerAdmitsStrangers() throws {
        let context = try ZMQContext()
        let serverPair = try CurveKeyPair.generate()
        let server = try ZMQSocket(context, kind: .router)
        try server.secureWithoutAuthentication(serverPair)
        let address = try server.bind("tcp://127.0.0.1:*")
        let stranger = try Self.client(try ZMQContext(), server: serverPair.publicKey,
                                       pair: try CurveKeyPair.generate(), address: address)
        #expect(try Self.exchange(server: server, client: stranger, patience: .seconds(5)) != nil)
    }

    @Test func serverRefusesToStartWithoutWorkingHandler() async throws {
        // No handler in this context: the probe finds nobody.
        let lonely = try ZMQContext()
        #expect(throws: ZMQError.self) { try ZAPHandler.probe(context: lonely, timeout: .milliseconds(300)) }

        // A handler in another context does not protect this one.
        let other = try ZMQContext()
        let zap = try await ZAPHandler(context: other, allowList: AllowList())
        defer { zap.stop() }
        let server = try ZMQSocket(lonely, kind: .router)
        #expect {
            try server.secure(.curve(keyPair: try CurveKeyPair.generate(), authenticator: zap))
        } throws: { error in
            guard case ZMQError.authenticationHandlerMissing = error else { return false }
            return true
        }
    }

    @Test func secondHandlerInOneContextIsRefused() async throws {
        let context = try ZMQContext()
        let first = try await ZAPHandler(context: context, allowList: AllowList())
        defer { first.stop() }
        await #expect(throws: ZMQError.self) {
            _ = try await ZAPHandler(context: context, allowList: AllowList())
        }
        // The first one still answers.
        try ZAPHandler.probe(context: context)
    }
}
