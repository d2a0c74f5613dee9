private import CZeroMQ

/// How a server socket authenticates its clients.
public enum ServerSecurity: Sendable {
    /// No encryption, no authentication (ZeroMQ's NULL mechanism). For local endpoints, or when
    /// asked for explicitly.
    case plain
    /// CURVE encryption with clients authenticated by `authenticator`, which must run in the same
    /// context as the server; the server probes it before binding and refuses to start otherwise.
    case curve(keyPair: CurveKeyPair, authenticator: ZAPHandler)

    /// Whether this is CURVE.
    public var isCurve: Bool { if case .curve = self { true } else { false } }
}

/// How a client socket proves who it is and checks whom it talks to.
public enum ClientSecurity: Sendable {
    /// No encryption, no authentication.
    case plain
    /// CURVE: talk only to the holder of `serverKey`, presenting `keyPair`.
    case curve(serverKey: CurveKey, keyPair: CurveKeyPair)

    /// Whether this is CURVE.
    public var isCurve: Bool { if case .curve = self { true } else { false } }
}

extension ZMQSocket {
    /// Configures this socket as a server with `security` (before it binds). For CURVE, checks
    /// that the authenticator lives in this socket's context and answers; throws
    /// ``ZMQError/authenticationHandlerMissing(reason:)`` otherwise.
    public func secure(_ security: ServerSecurity) throws {
        guard case .curve(let pair, let authenticator) = security else { return }
        guard authenticator.context === context else {
            throw ZMQError.authenticationHandlerMissing(reason: "the ZAP handler runs in another ZeroMQ context than the server socket")
        }
        try ZAPHandler.probe(context: context)
        try SocketOptions.set(handle, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
        try setKey(ZMQ_CURVE_SECRETKEY, pair.secretBytes, "ZMQ_CURVE_SECRETKEY")
        try ZMQ.check(zmq_setsockopt(handle, ZMQ_ZAP_DOMAIN, "nshap", 5), "set ZMQ_ZAP_DOMAIN")
    }

    /// Configures this socket as a client with `security` (before it connects).
    public func secure(_ security: ClientSecurity) throws {
        guard case .curve(let serverKey, let pair) = security else { return }
        try setKey(ZMQ_CURVE_SERVERKEY, serverKey.bytes, "ZMQ_CURVE_SERVERKEY")
        try setKey(ZMQ_CURVE_PUBLICKEY, pair.publicKey.bytes, "ZMQ_CURVE_PUBLICKEY")
        try setKey(ZMQ_CURVE_SECRETKEY, pair.secretBytes, "ZMQ_CURVE_SECRETKEY")
    }

    private func setKey(_ option: Int32, _ bytes: [UInt8], _ name: String) throws {
        precondition(bytes.count == 32, "CURVE keys have 32 bytes")
        try ZMQ.check(bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, 32) }, "set \(name)")
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE server *without* checking for a ZAP handler. Only for tests that
    /// document libzmq's behaviour; never use it for a real server.
    func secureWithoutAuthentication(_ pair: CurveKeyPair) throws {
        try SocketOptions.set(handle, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
        try setKey(ZMQ_CURVE_SECRETKEY, pair.secretBytes, "ZMQ_CURVE_SECRETKEY")
    }
}
