import Foundation
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// A coordinator that crashes (its task cancelled: nothing more is written) or is stopped
/// gracefully, then resumed from its run directory, ends with the report of an uninterrupted run.
@Suite(.timeLimit(.minutes(4))) struct CoordinatorRestartTests {
    let game = WeightedTestGame(playerCount: Harness.players, delayPerCoalition: .microseconds(300))

    enum Interruption: Sendable { case crash, gracefulStop }

    func interruptAndResume(_ interruption: Interruption) async throws -> (CoordinatorOutcome, String) {
        let game = self.game
        let path = Harness.temporaryPath("restart")
        let outcome = try await withTimeout(40) {
            let network = InProcessNetwork()
            var settings = Harness.coordinatorSettings()
            settings.progressInterval = .milliseconds(5)
            // A stopping coordinator waits for its workers' goodbyes (and last results) only as long
            // as they take; on a loaded machine that may be more than the harness's 300 ms.
            settings.shutdownGrace = .milliseconds(Int64(2000 * testTimeScale))
            let first = try Coordinator.start(runDirectory: path, configuration: settings,
                                              makeEstimator: Harness.makeEstimator,
                                              transport: try network.bind("coordinator"), logger: Harness.quietLogger)
            let firstRun = Task { try await first.execute() }
            let workers = Harness.startWorkers(2, network: network, game: game)
            try await waitUntil { accepted(first) >= 20 }
            switch interruption {
            case .crash:
                firstRun.cancel()
                await #expect(throws: CancellationError.self) { try await firstRun.value }
            case .gracefulStop:
                first.stop()
                let stopped = try await firstRun.value
                #expect(stopped.status == .stopped)
                #expect(stopped.report.samples < 48)
                for w in workers {
                    do {
                        #expect(try await w.value.reason.contains("stopping"))
                    } catch ClusterError.refused(let refusal) where refusal.code == .shuttingDown {
                        // A worker starved past the heartbeat timeout on a loaded machine was
                        // dropped; saying hello again during the shutdown, it was told so.
                    }
                }
            }
            let second = try Coordinator.resume(
                runDirectory: path, adjust: { $0 = Harness.coordinatorSettings($0.run) },
                makeEstimator: Harness.makeEstimator, transport: try network.bind("coordinator"),
                logger: Harness.quietLogger)
            let more = interruption == .gracefulStop ? Harness.startWorkers(2, network: network, game: game) : []
            let outcome = try await second.execute()
            for w in workers + more where interruption == .crash || more.contains(w) { _ = try await w.value }
            return outcome
        }
        return (outcome, path)
    }

    @Test(arguments: [Interruption.crash, .gracefulStop])
    func resumedRunEqualsUninterruptedRun(_ interruption: Interruption) async throws {
        let expected = try Harness.localReport(game: game, estimator: Harness.makeEstimator(Harness.run()))
        let (outcome, path) = try await interruptAndResume(interruption)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(outcome.status == .finished)
        #expect(outcome.report == expected)
        #expect(outcome.statistics.resultsReplayed >= 20)
        // Nothing counted twice: the journal holds each unit exactly once.
        let journal = try Journal(path: path + "/journal.log")
        #expect(journal.recovered.count == 48)
        #expect(Set(journal.recovered.map(\.id)).count == 48)
        #expect(journal.truncatedBytes == 0)
    }

    @Test func newRunRefusesADirectoryHoldingARun() throws {
        let path = Harness.temporaryPath("twice")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let network = InProcessNetwork()
        _ = try Coordinator.start(runDirectory: path, configuration: Harness.coordinatorSettings(),
                                  makeEstimator: Harness.makeEstimator, transport: try network.bind("a"))
        #expect(throws: ClusterError.self) {
            _ = try Coordinator.start(runDirectory: path, configuration: Harness.coordinatorSettings(),
                                      makeEstimator: Harness.makeEstimator, transport: try network.bind("b"))
        }
        let (_, saved) = try RunDirectory.open(at: path)
        #expect(saved == Harness.run())
    }
}
