private import CZeroMQ

/// A CURVE public key: 32 bytes, written as 40 characters of Z85 text.
public struct CurveKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// The key with these 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw ZMQError.invalidKey(source: "\(bytes.count) raw bytes", reason: "a CURVE key has 32 bytes")
        }
        self.bytes = bytes
    }

    /// The key written as Z85 text (surrounding white space is ignored); `source` names where the
    /// text came from, for error messages.
    public init(z85 text: String, source: String) throws {
        self.bytes = try Z85.decodeKey(text, source: source)
    }

    /// The key as 40 characters of Z85 text.
    public var z85: String { Z85.encode(bytes) }

    /// The Z85 text (public keys are not secret).
    public var description: String { z85 }

    /// A short form for logs: the first 8 characters of the Z85 text.
    public var shortForm: String { String(z85.prefix(8)) }
}

/// A CURVE key pair. The secret half never appears in descriptions or logs.
public struct CurveKeyPair: Sendable, CustomStringConvertible {
    /// The public half, to be given to peers.
    public let publicKey: CurveKey
    let secretBytes: [UInt8]

    /// A fresh key pair from libzmq's generator (`zmq_curve_keypair`).
    public static func generate() throws -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        try ZMQ.check(zmq_curve_keypair(&publicText, &secretText), "zmq_curve_keypair")
        let publicKey = try CurveKey(z85: String(z85Buffer: publicText), source: "zmq_curve_keypair")
        let secret = try Z85.decodeKey(String(z85Buffer: secretText), source: "zmq_curve_keypair")
        return CurveKeyPair(publicKey: publicKey, secretBytes: secret)
    }

    /// The pair whose secret half is `z85` text; the public half is derived from it.
    public init(secretZ85 z85: String, source: String) throws {
        let secret = try Z85.decodeKey(z85, source: source)
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Z85.encode(secret)
        try ZMQ.check(zmq_curve_public(&publicText, secretText), "zmq_curve_public")
        self.publicKey = try CurveKey(z85: String(z85Buffer: publicText), source: source)
        self.secretBytes = secret
    }

    init(publicKey: CurveKey, secretBytes: [UInt8]) {
        self.publicKey = publicKey
        self.secretBytes = secretBytes
    }

    /// The secret half as Z85 text, for writing key files.
    public var secretZ85: String { Z85.encode(secretBytes) }

    /// The public key only; the secret is never printed.
    public var description: String { "CurveKeyPair(public: \(publicKey.z85))" }
}

/// Z85 (ZeroMQ RFC 32) through libzmq's codec.
enum Z85 {
    /// Z85 text of `bytes` (a multiple of 4 bytes).
    static func encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0, "Z85 encodes multiples of 4 bytes")
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = bytes.withUnsafeBufferPointer { zmq_z85_encode(&out, $0.baseAddress, $0.count) }
        return String(z85Buffer: out)
    }

    /// The 32 bytes of a key written as 40 characters of Z85.
    static func decodeKey(_ text: String, source: String) throws -> [UInt8] {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count == 40 else {
            throw ZMQError.invalidKey(source: source, reason: "found \(trimmed.utf8.count) characters instead of 40")
        }
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
        guard trimmed.utf8.allSatisfy({ alphabet.contains($0) }) else {
            throw ZMQError.invalidKey(source: source, reason: "text contains characters outside the Z85 alphabet")
        }
        var out = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&out, trimmed) != nil else {
            throw ZMQError.invalidKey(source: source, reason: "libzmq could not decode the text")
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

extension String {
    /// The text of a NUL-terminated C buffer.
    init(z85Buffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
