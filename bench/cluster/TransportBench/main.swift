// Throughput of the ZeroMQ transports (I/O threads, bounded queues, async handoff) on loopback
// TCP, plain and CURVE: a client streams fixed-size messages to a server that echoes each one,
// with a bounded window of messages in flight. Prints medians over repetitions.
//
// Usage: zmq-transport-bench [--messages N] [--size BYTES] [--window W] [--repeats R]
import Cluster
import Foundation
import ZMQTransport

struct Options {
    var messages = 100_000
    var size = 1024
    var window = 256
    var repeats = 5

    init(_ args: [String]) {
        var i = 1
        while i + 1 < args.count {
            let v = Int(args[i + 1]) ?? 0
            switch args[i] {
            case "--messages": messages = v
            case "--size": size = v
            case "--window": window = v
            case "--repeats": repeats = v
            default: break
            }
            i += 2
        }
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Messages per second (one message = one request + its echo counted once).
func echoRate(curve: Bool, options: Options) async throws -> Double {
    let serverContext = try ZMQContext()
    let server: ZMQServerTransport
    let client: ZMQClientTransport
    var zap: ZAPHandler?
    if curve {
        let serverKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
        let handler = try await ZAPHandler(context: serverContext, allowList: AllowList([clientKeys.publicKey]))
        zap = handler
        server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*", security: .curve(keyPair: serverKeys, authenticator: handler))
        client = try await ZMQClientTransport(connect: server.endpoint,
                                              security: .curve(serverKey: serverKeys.publicKey, keyPair: clientKeys),
                                              context: try ZMQContext())
    } else {
        server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:*", context: serverContext)
        client = try await ZMQClientTransport(connect: server.endpoint, context: try ZMQContext())
    }
    let echo = Task {
        while let m = try await server.receive(timeout: .seconds(5)) {
            try await server.send(m.frames, to: m.peer)
        }
    }
    let payload = [UInt8](repeating: 0xAB, count: options.size)
    // Warm up the connection (and the CURVE handshake).
    try await client.send([payload])
    _ = try await client.receive(timeout: .seconds(10))

    let start = ContinuousClock.now
    var sent = 0, received = 0
    while received < options.messages {
        while sent < options.messages && sent - received < options.window {
            try await client.send([payload])
            sent += 1
        }
        guard try await client.receive(timeout: .seconds(10)) != nil else {
            throw ClusterError.configuration("echo stalled after \(received) messages")
        }
        received += 1
    }
    let elapsed = ContinuousClock.now - start
    echo.cancel()
    await client.close()
    await server.close()
    zap?.stop()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Double(options.messages) / seconds
}

let options = Options(CommandLine.arguments)
print("zmq-transport-bench: \(options.messages) echoed messages of \(options.size) B, window \(options.window), \(options.repeats) repeats, libzmq \(ZMQContext.libraryVersion)")
var plain: [Double] = [], curve: [Double] = []
for _ in 0..<options.repeats {
    plain.append(try await echoRate(curve: false, options: options))
    curve.append(try await echoRate(curve: true, options: options))
}
func fmt(_ x: Double) -> String { String(format: "%.0f", x) }
print("plain tcp : median \(fmt(median(plain))) msg/s  (runs: \(plain.map(fmt).joined(separator: " ")))")
print("curve tcp : median \(fmt(median(curve))) msg/s  (runs: \(curve.map(fmt).joined(separator: " ")))")
print("plain/curve ratio: \(String(format: "%.2f", median(plain) / median(curve)))")
