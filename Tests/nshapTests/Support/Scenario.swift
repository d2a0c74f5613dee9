import Foundation

/// Command lines shared by the process tests: a game whose units take a few milliseconds (so that
/// faults land in the middle of the run), the same values without the cost (the reference), and
/// coordinator settings that notice failures within about a second.
enum Scenario {
    /// Additive game, 4 ms of sleep per coalition: about 5 s of work for one worker.
    static let slowGame = ["--game", "sleep", "--players", "40", "--game-seed", "3", "--coalition-cost-ms", "4"]
    /// The same values at no cost (same weights, so the same estimates).
    static let fastGame = ["--game", "noop", "--players", "40", "--game-seed", "3"]
    static let estimator = ["--estimator", "permutation", "--seed", "11", "--samples", "32"]
    static let quickCoordinator = ["--heartbeat-ms", "200", "--worker-timeout", "5", "--progress-interval", "0.2",
                                   "--quiet", "--log-level", "info", "--shutdown-grace", "1"]

    /// Starts a coordinator of the slow game in `group` and returns it with the endpoint to dial.
    static func startCoordinator(_ group: ProcessGroup, name: String = "coordinator", extra: [String] = [],
                                 bind: String = "tcp://127.0.0.1:0") async throws -> (Spawned, String) {
        let endpointFile = group.path("\(name).endpoint")
        let coordinator = try group.nshap(name, ["coordinator", "--bind", bind, "--endpoint-file", endpointFile,
                                                 "--output", group.path("result.json"),
                                                 "--progress-json", group.path("progress.jsonl")]
                                          + slowGame + estimator + quickCoordinator + extra)
        guard await eventually(.seconds(30), { dialableEndpoint(endpointFile) != nil || !coordinator.isRunning }),
              let endpoint = dialableEndpoint(endpointFile) else {
            throw HarnessError("the coordinator did not start listening\n\(coordinator.transcript)")
        }
        return (coordinator, endpoint)
    }

    /// Starts a worker of the slow game.
    @discardableResult
    static func startWorker(_ group: ProcessGroup, _ name: String, endpoint: String, extra: [String] = []) throws -> Spawned {
        try group.nshap(name, ["worker", "--connect", endpoint, "--name", name, "--log-level", "info",
                               "--give-up", "30"] + slowGame + extra)
    }

    /// Waits until the coordinator has accepted at least `count` results.
    static func waitForProgress(_ group: ProcessGroup, results count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(timeout) { (ProgressLine.last(group.path("progress.jsonl"))?.statistics.resultsAccepted ?? 0) >= count }
    }

    /// The fault-free estimates, from a one-worker run of the costless game.
    static func reference() async throws -> RunResult {
        let group = try ProcessGroup("reference")
        defer { group.cleanUp() }
        let local = try group.nshap("local", ["local", "--workers", "1", "--transport", "tcp", "--quiet",
                                              "--run-dir", group.path("run"), "--output", group.path("ref.json"),
                                              "--log-level", "warning"] + fastGame + estimator)
        guard await local.wait(timeout: .seconds(60)) == 0 else {
            throw HarnessError("the reference run failed\n\(local.transcript)")
        }
        return try RunResult.load(group.path("ref.json"))
    }
}
