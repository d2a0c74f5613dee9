import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The cluster as real processes over loopback TCP: the same estimates whatever the number of
/// workers and whatever fails, and refusals that say why. Every process is killed when its test
/// ends; every wait is bounded.
@Suite(.serialized) struct ClusterProcessTests {
    @Test func oneAndFourWorkersGiveIdenticalResults() async throws {
        let group = try ProcessGroup("one-vs-four")
        defer { group.cleanUp() }
        let common = ["--transport", "tcp", "--quiet", "--log-level", "warning",
                      "--game", "collapse", "--players", "80", "--game-seed", "5",
                      "--estimator", "tmc", "--seed", "9", "--samples", "24"]
        let one = try group.nshap("one", ["local", "--workers", "1", "--run-dir", group.path("run1"),
                                          "--output", group.path("one.json")] + common)
        #expect(await one.wait(timeout: .seconds(90)) == 0, "\(one.transcript)")
        let four = try group.nshap("four", ["local", "--workers", "4", "--run-dir", group.path("run4"),
                                            "--output", group.path("four.json")] + common)
        #expect(await four.wait(timeout: .seconds(90)) == 0, "\(four.transcript)")
        let a = try RunResult.load(group.path("one.json")), b = try RunResult.load(group.path("four.json"))
        #expect(a.samples == 24 && b.samples == 24)
        #expect(a.evaluations == b.evaluations)
        #expect(a.estimates == b.estimates)
    }

    @Test func workerKilledMidLeaseChangesNothing() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("kill-worker")
        defer { group.cleanUp() }
        let (coordinator, endpoint) = try await Scenario.startCoordinator(group)
        let victim = try Scenario.startWorker(group, "victim", endpoint: endpoint)
        try Scenario.startWorker(group, "survivor", endpoint: endpoint)
        #expect(await Scenario.waitForProgress(group, results: 3), "\(group.transcripts)")
        victim.signal(SIGKILL)
        #expect(await coordinator.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        // The progress lines carry the estimator's budget (its cap of 32 samples).
        #expect(ProgressLine.last(group.path("progress.jsonl"))?.maxSamples == 32)
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.estimates == reference.estimates)
        #expect(result.statistics.workersLost >= 1)
    }

    @Test func stalledWorkerHasItsLeasesReissued() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("stall-worker")
        defer { group.cleanUp() }
        let (coordinator, endpoint) = try await Scenario.startCoordinator(group)
        let stalled = try Scenario.startWorker(group, "stalled", endpoint: endpoint)
        try Scenario.startWorker(group, "steady", endpoint: endpoint)
        #expect(await Scenario.waitForProgress(group, results: 3), "\(group.transcripts)")
        stalled.signal(SIGSTOP)
        #expect(await coordinator.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        stalled.signal(SIGCONT)
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.estimates == reference.estimates)
        #expect(result.statistics.workersLost >= 1)
        #expect(coordinator.standardError.contains("worker lost"))
    }

    @Test func coordinatorKilledAndResumedLosesNothing() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("kill-coordinator")
        defer { group.cleanUp() }
        let (first, endpoint) = try await Scenario.startCoordinator(group, name: "first", extra: ["--run-dir", group.path("run")])
        try Scenario.startWorker(group, "w1", endpoint: endpoint)
        try Scenario.startWorker(group, "w2", endpoint: endpoint)
        #expect(await Scenario.waitForProgress(group, results: 4), "\(group.transcripts)")
        first.signal(SIGKILL)
        await first.wait(timeout: .seconds(10))
        // The same address; the workers reconnect, resend what was not acknowledged, and go on.
        let second = try group.nshap("second", ["coordinator", "--resume", group.path("run"), "--bind", endpoint,
                                                "--output", group.path("result.json")] + Scenario.quickCoordinator)
        #expect(await second.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.estimates == reference.estimates)
        #expect(result.statistics.resultsReplayed >= 1)
    }

    @Test func sigtermStopsGracefullyAndTheRunResumes() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("sigterm")
        defer { group.cleanUp() }
        let (first, endpoint) = try await Scenario.startCoordinator(group, name: "first", extra: ["--run-dir", group.path("run")])
        let leaving = try Scenario.startWorker(group, "leaving", endpoint: endpoint)
        let staying = try Scenario.startWorker(group, "staying", endpoint: endpoint)
        #expect(await Scenario.waitForProgress(group, results: 3), "\(group.transcripts)")
        // A worker told to stop hands back its leases and leaves at once.
        leaving.signal(SIGTERM)
        #expect(await leaving.wait(timeout: .seconds(20)) == 0, "\(leaving.transcript)")
        #expect(await eventually(.seconds(10)) { first.standardError.contains("worker left") }, "\(first.transcript)")
        // A coordinator told to stop tells its workers, journals what arrives, and exits 75.
        first.signal(SIGTERM)
        #expect(await first.wait(timeout: .seconds(30)) == 75, "\(first.transcript)")
        #expect(await staying.wait(timeout: .seconds(30)) == 0, "\(staying.transcript)")
        let second = try group.nshap("second", ["coordinator", "--resume", group.path("run"), "--bind", endpoint,
                                                "--output", group.path("result.json")] + Scenario.quickCoordinator)
        try Scenario.startWorker(group, "fresh", endpoint: endpoint)
        #expect(await second.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        #expect(try RunResult.load(group.path("result.json")).estimates == reference.estimates)
    }

    /// Stopped before any result, the coordinator still writes its result: every interval unbounded.
    @Test func coordinatorStoppedBeforeAnyResultWritesItsOutput() async throws {
        let group = try ProcessGroup("early-stop")
        defer { group.cleanUp() }
        let (coordinator, _) = try await Scenario.startCoordinator(group)
        // Its first progress line (every 0.2 s, unbounded intervals and all) shows it is serving,
        // with its signal handlers in place.
        let progress = group.path("progress.jsonl")
        #expect(await eventually(.seconds(30)) { (FileManager.default.contents(atPath: progress)?.count ?? 0) > 0 },
                "\(coordinator.transcript)")
        coordinator.signal(SIGTERM)
        #expect(await coordinator.wait(timeout: .seconds(30)) == 75, "\(coordinator.transcript)")
        #expect(!coordinator.standardError.contains("cannot write"), "\(coordinator.transcript)")
        let result = try RunResult.load(group.path("result.json"))
        #expect(result.samples == 0 && result.evaluations == 0)
        #expect(!result.estimates.isEmpty && result.estimates.allSatisfy { $0.marginals == 0 && $0.upper == .infinity })
    }

    /// A SIGTERM sent the moment the endpoint file appears is a graceful stop (status 75, a result
    /// file, a journal that resumes), never the signal's default action: the signal handlers are in
    /// place before the coordinator announces itself.
    @Test func sigtermRightAfterTheEndpointFileAppearsStopsGracefully() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("sigterm-at-start")
        defer { group.cleanUp() }
        for attempt in 1...3 {
            let endpointFile = group.path("endpoint-\(attempt)")
            let run = group.path("run-\(attempt)"), output = group.path("stopped-\(attempt).json")
            let coordinator = try group.nshap("coordinator-\(attempt)", [
                "coordinator", "--bind", "tcp://127.0.0.1:0", "--endpoint-file", endpointFile, "--run-dir", run,
                "--output", output] + Scenario.fastGame + Scenario.estimator + Scenario.quickCoordinator)
            // Poll far faster than the coordinator's start-up takes (the file is renamed into place).
            let deadline = ContinuousClock.now + .seconds(30)
            while !FileManager.default.fileExists(atPath: endpointFile), coordinator.isRunning, ContinuousClock.now < deadline {
                usleep(100)
            }
            coordinator.signal(SIGTERM)
            #expect(await coordinator.wait(timeout: .seconds(30)) == 75, "\(coordinator.transcript)")
            #expect(coordinator.standardError.contains("stopped before the end"), "\(coordinator.transcript)")
            let stopped = try RunResult.load(output)
            #expect(stopped.status == "stopped" && stopped.samples == 0, "\(coordinator.transcript)")
            #expect(FileManager.default.fileExists(atPath: run + "/journal.log"))
        }
        // The stopped run resumes like any other and gives the fault-free estimates.
        let resumed = try group.nshap("resumed", ["coordinator", "--resume", group.path("run-3"), "--bind", "tcp://127.0.0.1:0",
                                                  "--endpoint-file", group.path("resumed.endpoint"),
                                                  "--output", group.path("result.json")] + Scenario.quickCoordinator)
        guard await eventually(.seconds(30), { dialableEndpoint(group.path("resumed.endpoint")) != nil || !resumed.isRunning }),
              let endpoint = dialableEndpoint(group.path("resumed.endpoint")) else {
            Issue.record("the resumed coordinator did not start listening\n\(resumed.transcript)")
            return
        }
        try group.nshap("worker", ["worker", "--connect", endpoint, "--log-level", "info", "--give-up", "30"] + Scenario.fastGame)
        #expect(await resumed.wait(timeout: .seconds(60)) == 0, "\(group.transcripts)")
        #expect(try RunResult.load(group.path("result.json")).estimates == reference.estimates)
    }

    /// At the end of a run every worker that joined says goodbye and its goodbye reaches the
    /// coordinator (the worker flushes it before it exits), so the coordinator never waits out its
    /// shutdown grace: short 2-worker runs, several times, each with a grace far longer than the run.
    @Test func everyWorkerSaysGoodbyeWhenTheRunEnds() async throws {
        let group = try ProcessGroup("goodbyes")
        defer { group.cleanUp() }
        var joined = 0
        for attempt in 1...5 {
            let local = try group.nshap("local-\(attempt)", [
                "local", "--workers", "2", "--transport", "tcp", "--quiet", "--log-level", "warning",
                "--shutdown-grace", "60", "--run-dir", group.path("run-\(attempt)"), "--output", group.path("result-\(attempt).json"),
                "--game", "sleep", "--players", "12", "--game-seed", "3", "--coalition-cost-ms", "10",
                "--estimator", "permutation", "--seed", "\(attempt)", "--samples", "8", "--set", "chunkSize=1"])
            #expect(await local.wait(timeout: .seconds(120)) == 0, "\(local.transcript)")
            let s = try RunResult.load(group.path("result-\(attempt).json")).statistics
            #expect(s.workersWelcomed >= 1 && s.workersLeft == s.workersWelcomed && s.workersLost == 0,
                    "run \(attempt): \(s)\n\(local.transcript)")
            joined += s.workersWelcomed
        }
        // Nearly always both workers join each run (they start while the first units run).
        #expect(joined >= 6)
    }

    @Test func workerGivesUpOnASilentCoordinatorWithAMessage() async throws {
        let group = try ProcessGroup("silent")
        defer { group.cleanUp() }
        let worker = try group.nshap("lonely", ["worker", "--connect", "tcp://127.0.0.1:9", "--give-up", "2"] + Scenario.slowGame)
        #expect(await worker.wait(timeout: .seconds(30)) == 4, "\(worker.transcript)")
        #expect(worker.standardError.contains("tcp://127.0.0.1:9"))
    }

    @Test func localResumesWithTheSavedGameAndStopsWhenNoWorkerIsLeft() async throws {
        let reference = try await Scenario.reference()
        let group = try ProcessGroup("local-resume")
        defer { group.cleanUp() }
        let quiet = ["--quiet", "--log-level", "warning", "--progress-interval", "0.2", "--heartbeat-ms", "200"]
        let first = try group.nshap("first", ["local", "--workers", "2", "--run-dir", group.path("run"),
                                              "--progress-json", group.path("progress.jsonl")]
                                    + Scenario.slowGame + Scenario.estimator + quiet)
        #expect(await Scenario.waitForProgress(group, results: 3), "\(first.transcript)")
        first.signal(SIGTERM)
        #expect(await first.wait(timeout: .seconds(30)) == 75, "\(first.transcript)")

        // Workers that cannot start: the run stops instead of waiting for them forever.
        let orphaned = try group.nshap("orphaned", ["local", "--workers", "2", "--resume", group.path("run"),
                                                    "--worker-log-level", "bogus"] + quiet)
        #expect(await orphaned.wait(timeout: .seconds(30)) == 75, "\(orphaned.transcript)")
        #expect(orphaned.standardError.contains("every worker process ended"))

        // No game options given: the workers get the run's own.
        let second = try group.nshap("second", ["local", "--workers", "2", "--resume", group.path("run"),
                                                "--output", group.path("result.json")] + quiet)
        #expect(await second.wait(timeout: .seconds(60)) == 0, "\(second.transcript)")
        #expect(try RunResult.load(group.path("result.json")).estimates == reference.estimates)
    }

    @Test func workerWithAnotherGameIsRefusedWithTheReason() async throws {
        let group = try ProcessGroup("fingerprint")
        defer { group.cleanUp() }
        let (_, endpoint) = try await Scenario.startCoordinator(group)
        let stranger = try Scenario.startWorker(group, "stranger", endpoint: endpoint, extra: ["--game-seed", "4"])
        #expect(await stranger.wait(timeout: .seconds(30)) == 2, "\(stranger.transcript)")
        #expect(stranger.standardError.contains("refused"))
        #expect(stranger.standardError.contains("seed=4"))
    }

    @Test func localEndsItsWorkersOnSigtermAndWhenKilled() async throws {
        let group = try ProcessGroup("local-signals")
        defer { group.cleanUp() }
        let long = ["--estimator", "permutation", "--seed", "11", "--samples", "4000", "--quiet", "--log-level", "warning"]
        // SIGTERM: the run stops gracefully (status 75, resumable) and the workers are gone.
        let local = try group.nshap("local", ["local", "--workers", "2", "--run-dir", group.path("run1")] + Scenario.slowGame + long)
        #expect(await eventually(.seconds(30)) { ProcessTable.children(of: local.pid).count == 2 }, "\(local.transcript)")
        let workers = ProcessTable.children(of: local.pid)
        local.signal(SIGTERM)
        #expect(await local.wait(timeout: .seconds(30)) == 75, "\(local.transcript)")
        #expect(await eventually(.seconds(10)) { workers.allSatisfy { !ProcessTable.isAlive($0) } })

        // SIGKILL: nothing runs in the parent any more; the workers notice and exit on their own.
        // (Loopback TCP: a killed process leaves no socket file behind.)
        let doomed = try group.nshap("doomed", ["local", "--workers", "2", "--transport", "tcp", "--run-dir", group.path("run2")]
                                     + Scenario.slowGame + long)
        #expect(await eventually(.seconds(30)) { ProcessTable.children(of: doomed.pid).count == 2 }, "\(doomed.transcript)")
        let orphans = ProcessTable.children(of: doomed.pid)
        doomed.signal(SIGKILL)
        #expect(await eventually(.seconds(10)) { orphans.allSatisfy { !ProcessTable.isAlive($0) } },
                "\(orphans.map { ($0, ProcessTable.stat($0).map { "\($0.0) \($0.1)" } ?? "gone") })\n\(group.transcripts)")
        for pid in orphans where ProcessTable.isAlive(pid) { kill(pid, SIGKILL) }
    }
}
