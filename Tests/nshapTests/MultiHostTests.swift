import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A coordinator and three workers on separate "hosts" (network namespaces joined by veth pairs),
/// with CURVE on: hosts fail mid-run and the run still ends with the fault-free result.
@Suite(.serialized) struct MultiHostTests {
    static let port = 5555

    /// Starts the coordinator host and three worker hosts; returns the coordinator process.
    static func startCluster(_ lab: NetworkLab, _ group: ProcessGroup) async throws -> (Spawned, [Spawned]) {
        let keys = group.path("keys")
        for (name, allow) in [("coordinator", false), ("worker", true)] {
            let gen = try group.nshap("keys-\(name)", ["keys", "generate", "--out", keys, "--name", name]
                                      + (allow ? ["--allow-list", keys + "/allow.txt"] : []))
            guard await gen.wait(timeout: .seconds(30)) == 0 else { throw HarnessError(gen.transcript) }
        }
        let nshap = try NShapBinary.require()
        let coordinator = try group.spawn("coordinator", executable: NetworkLab.ipPath(), lab.inside(lab.coordinatorNamespace, [
            nshap, "coordinator", "--bind", "tcp://*:\(port)", "--keys", keys + "/coordinator.key",
            "--allow", keys + "/allow.txt", "--output", group.path("result.json"),
            "--progress-json", group.path("progress.jsonl"), "--run-dir", group.path("run"),
        ] + Scenario.slowGame + Scenario.estimator + Scenario.quickCoordinator))
        var workers: [Spawned] = []
        for (i, ns) in lab.workerNamespaces.enumerated() {
            let n = i + 1
            workers.append(try group.spawn("w\(n)", executable: NetworkLab.ipPath(), lab.inside(ns, [
                nshap, "worker", "--connect", "tcp://\(lab.coordinatorAddress(forWorker: n)):\(port)", "--name", "host-\(n)",
                "--keys", keys + "/worker.key", "--server-key", keys + "/coordinator.pub", "--give-up", "30",
            ] + Scenario.slowGame)))
        }
        return (coordinator, workers)
    }

    @Test(.enabled(if: NetworkLab.available, "skipped: \(NetworkLab.unavailableReason ?? "")"))
    func hostCutOffAndHostKilledChangeNothing() async throws {
        let reference = try await Scenario.reference()
        let lab = try NetworkLab(workers: 3)
        defer { lab.tearDown() }
        let group = try ProcessGroup("multihost")
        defer { group.cleanUp() }
        // Host 1 sits behind a slow link (token bucket, 1 Mbit/s): it must still take part.
        try lab.rateLimit(worker: 1, rate: "1mbit")
        let (coordinator, workers) = try await Self.startCluster(lab, group)
        #expect(await eventually(.seconds(30)) { (ProgressLine.last(group.path("progress.jsonl"))?.workers ?? 0) == 3 },
                "\(group.transcripts)")
        #expect(await Scenario.waitForProgress(group, results: 4), "\(group.transcripts)")
        try lab.cut(worker: 2)
        lab.killHost(worker: 3)
        #expect(await coordinator.wait(timeout: .seconds(90)) == 0, "\(group.transcripts)")
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.estimates == reference.estimates)
        #expect(result.statistics.workersLost >= 2)
        #expect(workers[0].standardError.contains("error") == false, "\(workers[0].transcript)")
    }

    @Test(.enabled(if: NetworkLab.hasNetem, "skipped: this kernel has no 'tc netem' (loss and delay emulation); a lossy-link run needs it"))
    func lossyDelayedLinksChangeNothing() async throws {
        let reference = try await Scenario.reference()
        let lab = try NetworkLab(workers: 3)
        defer { lab.tearDown() }
        let group = try ProcessGroup("netem")
        defer { group.cleanUp() }
        for n in 1...3 { try lab.degrade(worker: n, loss: "5%", delay: "20ms") }
        let (coordinator, _) = try await Self.startCluster(lab, group)
        #expect(await coordinator.wait(timeout: .seconds(120)) == 0, "\(group.transcripts)")
        #expect(try RunResult.load(group.path("result.json")).estimates == reference.estimates)
    }
}
