import Testing
import Foundation
@testable import ZMQTransport

/// CURVE keys, key files, allow-lists and endpoints.
@Suite struct KeyTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "nshap-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func z85RoundTripsAndRejectsBadText() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.count == 40)
        #expect(try CurveKey(z85: " \(pair.publicKey.z85)\n", source: "test") == pair.publicKey)
        #expect(throws: ZMQError.self) { try CurveKey(z85: "short", source: "test") }
        #expect(throws: ZMQError.self) { try CurveKey(z85: String(repeating: "~", count: 40), source: "test") }
        #expect(!pair.description.contains(pair.secretZ85))
    }

    @Test func secretKeyDeterminesPublicKey() throws {
        let pair = try CurveKeyPair.generate()
        let again = try CurveKeyPair(secretZ85: pair.secretZ85, source: "test")
        #expect(again.publicKey == pair.publicKey)
    }

    @Test func keyFilesRoundTripWithPrivateMode() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try CurveKeyPair.generate()
        let (pub, secret) = try KeyFiles.write(pair, name: "worker-1", directory: dir)
        let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try KeyFiles.loadPair(dir, defaultName: "worker-1").publicKey == pair.publicKey)
        #expect(try KeyFiles.loadPair(secret, defaultName: "ignored").publicKey == pair.publicKey)
        #expect(try KeyFiles.loadPublicKey(pub) == pair.publicKey)
        // Existing keys are not overwritten by accident.
        #expect(throws: ZMQError.self) { try KeyFiles.write(pair, name: "worker-1", directory: dir) }
        // A secret readable by others is refused, with the fix in the message.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secret)
        #expect {
            try KeyFiles.loadPair(secret, defaultName: "x")
        } throws: { error in
            "\(error)".contains("chmod 600")
        }
    }

    @Test func allowListParsesPublicKeyFiles() throws {
        let a = try CurveKeyPair.generate().publicKey, b = try CurveKeyPair.generate().publicKey
        let text = "# workers\n\(a.z85) worker-a\n\n  \(b.z85)\n"
        let list = try AllowList(text: text, source: "allow.txt")
        #expect(list.count == 2)
        #expect(list.label(for: a.bytes) == "worker-a")
        #expect(list.label(for: b.bytes) == b.shortForm)
        #expect(list.label(for: try CurveKeyPair.generate().publicKey.bytes) == nil)
        #expect {
            try AllowList(text: "\(a.z85)\nnot-a-key\n", source: "allow.txt")
        } throws: { error in
            "\(error)".contains("allow.txt line 2")
        }
    }

    @Test func endpointsKnowWhetherTheyAreLocal() throws {
        #expect(try Endpoint("tcp://127.0.0.1:5555").isLocal)
        #expect(try Endpoint("tcp://localhost:5555").isLocal)
        #expect(try Endpoint("tcp://[::1]:5555").isLocal)
        #expect(try Endpoint("ipc:///tmp/x.ipc").isLocal)
        #expect(try Endpoint("inproc://x").isLocal)
        #expect(try !Endpoint("tcp://*:5555").isLocal)
        #expect(try !Endpoint("tcp://0.0.0.0:5555").isLocal)
        #expect(try !Endpoint("tcp://10.0.0.1:5555").isLocal)
        #expect(try !Endpoint("tcp://127.example.com:5555").isLocal)
        #expect(throws: ZMQError.self) { try Endpoint("udp://x:1") }
        #expect(throws: ZMQError.self) { try Endpoint("tcp://host") }
        #expect(throws: ZMQError.self) { try Endpoint("tcp://host:99999") }
    }

    @Test func plainTcpOffLoopbackNeedsExplicitConsent() throws {
        let remote = try Endpoint("tcp://*:5555")
        #expect(throws: ZMQError.insecureEndpoint(endpoint: "tcp://*:5555")) {
            try remote.usesCurve(keysGiven: false, insecure: false)
        }
        #expect(try remote.usesCurve(keysGiven: false, insecure: true) == false)
        #expect(try remote.usesCurve(keysGiven: true, insecure: false) == true)
        #expect(try Endpoint("tcp://127.0.0.1:1").usesCurve(keysGiven: false, insecure: false) == false)
    }
}
