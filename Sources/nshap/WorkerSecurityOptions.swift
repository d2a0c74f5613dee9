import ArgumentParser
import Logging
import ZMQTransport

/// How a worker secures its connection: CURVE (its own key pair and the coordinator's public key),
/// or plain.
struct WorkerSecurityOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("This worker's CURVE secret key: a .key file, or a directory holding worker.key.", valueName: "PATH"))
    var keys: String?

    @Option(name: .customLong("server-key"), help: ArgumentHelp("The coordinator's public key file (coordinator.pub).", valueName: "FILE"))
    var serverKey: String?

    @Flag(name: .long, help: "Connect with plain, unauthenticated TCP to a non-loopback address.")
    var insecure = false

    func validate() throws {
        if insecure && (keys != nil || serverKey != nil) {
            throw ValidationError("--insecure turns CURVE off; do not combine it with --keys or --server-key")
        }
        if (keys == nil) != (serverKey == nil) {
            throw ValidationError("CURVE needs both --keys (this worker's secret key) and --server-key (the coordinator's public key)")
        }
    }

    /// The client security for `endpoint`.
    func clientSecurity(for endpoint: String) throws -> ClientSecurity {
        let parsed = try Endpoint(endpoint)
        guard try parsed.usesCurve(keysGiven: keys != nil, insecure: insecure), let keys, let serverKey else {
            return .plain
        }
        return .curve(serverKey: try KeyFiles.loadPublicKey(serverKey),
                      keyPair: try KeyFiles.loadPair(keys, defaultName: "worker"))
    }

    /// These options as command-line arguments.
    var arguments: [String] {
        var a: [String] = []
        if let keys { a += ["--keys", keys] }
        if let serverKey { a += ["--server-key", serverKey] }
        if insecure { a.append("--insecure") }
        return a
    }
}
