import Foundation
import Testing

/// `nshap run` under signals and lost workers: a SIGTERM once the run has announced itself is a
/// graceful stop, and a run whose local workers have all ended stops instead of waiting forever.
@Suite(.serialized) struct RunSignalTests {
    /// A small, slow-enough run on the embedded demo whose checks are cheap.
    static let demoRun = ["run", "--players", "conv4", "--estimator", "permutation", "--samples", "400", "--max-validation", "24",
                          "--max-test", "24", "--random-seeds", "1", "--ablation-sizes", "1", "--patch-filters", "1",
                          "--loo-limit", "0", "--progress-interval", "0.5", "--log-level", "warning"]

    /// A SIGTERM sent the moment `nshap run` prints that its coordinator listens stops the run
    /// gracefully (the values so far are checked and written, status 75), never by the signal's
    /// default action: the handlers are in place before the coordinator is built.
    @Test func sigtermRightAfterTheCoordinatorListensStopsTheRunGracefully() async throws {
        let group = try ProcessGroup("run-sigterm")
        defer { group.cleanUp() }
        for attempt in 1...2 {
            let run = try group.nshap("run-\(attempt)", Self.demoRun + [
                "--coordinator", "tcp://127.0.0.1:0", "--workers", "1", "--out", group.path("r\(attempt)")])
            let deadline = ContinuousClock.now + .seconds(60)
            while !run.standardError.contains("coordinator listening on"), run.isRunning, ContinuousClock.now < deadline {
                usleep(200)
            }
            run.signal(SIGTERM)
            #expect(await run.wait(timeout: .seconds(120)) == 75, "\(run.transcript)")
            #expect(run.standardError.contains("(stopped)"), "\(run.transcript)")
            #expect(FileManager.default.fileExists(atPath: group.path("r\(attempt)/cluster/journal.log")))
            #expect(await eventually(.seconds(10)) { ProcessTable.children(of: run.pid).isEmpty })
        }
    }

    /// When every local worker process is killed, `nshap run` says so and stops (status 75, the
    /// journal kept for --resume) instead of waiting for workers that will never come.
    @Test func aRunWhoseWorkersAllEndStopsInsteadOfWaiting() async throws {
        let group = try ProcessGroup("run-orphan")
        defer { group.cleanUp() }
        let run = try group.nshap("run", Self.demoRun + ["--workers", "2", "--out", group.path("r")])
        #expect(await eventually(.seconds(60)) { ProcessTable.children(of: run.pid).count == 2 }, "\(run.transcript)")
        for pid in ProcessTable.children(of: run.pid) { kill(pid, SIGKILL) }
        #expect(await run.wait(timeout: .seconds(120)) == 75, "\(run.transcript)")
        #expect(run.standardError.contains("every worker process ended"), "\(run.transcript)")
        #expect(FileManager.default.fileExists(atPath: group.path("r/cluster/journal.log")))
    }
}
