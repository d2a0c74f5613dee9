import Cluster
import Foundation
import Testing
import ZMQTransport
#if canImport(Glibc)
import Glibc
#endif

/// CURVE and hostile input against real coordinator processes.
@Suite(.serialized) struct SecurityProcessTests {
    @Test func unknownCurveKeyIsRefusedAndKnownKeyFinishesTheRun() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("curve")
        defer { group.cleanUp() }
        let keys = group.path("keys")
        for (name, allow) in [("coordinator", false), ("worker", true), ("stranger", false)] {
            let gen = try group.nshap("keys-\(name)", ["keys", "generate", "--out", keys, "--name", name]
                                      + (allow ? ["--allow-list", keys + "/allow.txt"] : []))
            #expect(await gen.wait(timeout: .seconds(30)) == 0, "\(gen.transcript)")
        }
        let (coordinator, endpoint) = try await Scenario.startCoordinator(
            group, extra: ["--keys", keys + "/coordinator.key", "--allow", keys + "/allow.txt"])
        let stranger = try Scenario.startWorker(group, "stranger", endpoint: endpoint,
                                                extra: ["--keys", keys + "/stranger.key", "--server-key", keys + "/coordinator.pub"])
        #expect(await stranger.wait(timeout: .seconds(30)) == 2, "\(stranger.transcript)")
        #expect(stranger.standardError.contains("allow-list"))
        try Scenario.startWorker(group, "worker", endpoint: endpoint,
                                 extra: ["--keys", keys + "/worker.key", "--server-key", keys + "/coordinator.pub"])
        #expect(await coordinator.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        #expect(coordinator.standardError.contains("refused a connection: its CURVE key is not on the allow-list"))
        #expect(try RunResult.load(group.path("result.json")).estimates == reference.estimates)
    }

    @Test func allowListIsReloadedOnSighup() async throws {
        let group = try ProcessGroup("sighup")
        defer { group.cleanUp() }
        let keys = group.path("keys")
        for name in ["coordinator", "late"] {
            let gen = try group.nshap("keys-\(name)", ["keys", "generate", "--out", keys, "--name", name])
            #expect(await gen.wait(timeout: .seconds(30)) == 0, "\(gen.transcript)")
        }
        try "# nobody yet\n".write(toFile: keys + "/allow.txt", atomically: true, encoding: .utf8)
        let (coordinator, endpoint) = try await Scenario.startCoordinator(
            group, extra: ["--keys", keys + "/coordinator.key", "--allow", keys + "/allow.txt"])
        let workerKeys = ["--keys", keys + "/late.key", "--server-key", keys + "/coordinator.pub"]
        let early = try Scenario.startWorker(group, "early", endpoint: endpoint, extra: workerKeys)
        #expect(await early.wait(timeout: .seconds(30)) == 2, "\(early.transcript)")

        let line = try String(contentsOfFile: keys + "/late.pub", encoding: .utf8)
        try ("# nobody yet\n" + line).write(toFile: keys + "/allow.txt", atomically: true, encoding: .utf8)
        coordinator.signal(SIGHUP)
        #expect(await eventually(.seconds(10)) { coordinator.standardError.contains("reloaded the allow-list") },
                "\(coordinator.transcript)")
        try Scenario.startWorker(group, "late", endpoint: endpoint, extra: workerKeys)
        #expect(await coordinator.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
    }

    @Test func plainTcpOffLoopbackNeedsInsecure() async throws {
        let group = try ProcessGroup("insecure")
        defer { group.cleanUp() }
        let refused = try group.nshap("refused", ["coordinator", "--bind", "tcp://*:0", "--run-dir", group.path("run")]
                                      + Scenario.slowGame + Scenario.estimator)
        #expect(await refused.wait(timeout: .seconds(30)) != 0)
        #expect(refused.standardError.contains("--insecure"), "\(refused.transcript)")
        #expect(!FileManager.default.fileExists(atPath: group.path("run")))
    }

    @Test func garbageIsDroppedAndLoggedAndTheRunGoesOn() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("garbage")
        defer { group.cleanUp() }
        let (coordinator, endpoint) = try await Scenario.startCoordinator(group)

        // Bytes that are not ZeroMQ at all, on a raw TCP connection.
        try RawTCP.send(Array("GET / HTTP/1.0\r\n\r\n".utf8) + (0..<200).map { UInt8($0) }, to: endpoint)

        // ZeroMQ messages that are not protocol frames: random bytes, empty, wrong magic, unknown
        // version, truncated hello, several frames at once.
        let intruder = try await ZMQClientTransport(connect: endpoint, context: try ZMQContext())
        var rng = SystemRandomNumberGenerator()
        let garbage: [[[UInt8]]] = [
            [(0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }],
            [[]],
            [Array("XX".utf8) + [1, 1, 0, 0]],
            [[0x4E, 0x53, 99, 8, 0, 0, 0, 0]],
            [[0x4E, 0x53, 2, 1, 5]],
            [[0x4E, 0x53, 2, 8], [1, 2, 3]],
        ]
        for frames in garbage { try await intruder.send(frames) }
        #expect(await eventually(.seconds(10)) { coordinator.standardError.contains("dropped a malformed frame") },
                "\(coordinator.transcript)")
        await intruder.close()

        // A real worker still gets the run done, with the fault-free result.
        try Scenario.startWorker(group, "worker", endpoint: endpoint)
        #expect(await coordinator.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.estimates == reference.estimates)
        #expect(result.statistics.malformedMessages >= 4)
        #expect(coordinator.standardError.contains("handshake failed"))
    }
}

/// A plain TCP connection that writes bytes and closes.
enum RawTCP {
    static func send(_ bytes: [UInt8], to endpoint: String) throws {
        let hostPort = endpoint.replacingOccurrences(of: "tcp://", with: "")
        guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else {
            throw HarnessError("not a tcp endpoint: \(endpoint)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, String(hostPort[..<colon]), &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw HarnessError("connect to \(endpoint) failed") }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        usleep(200_000)
    }
}
