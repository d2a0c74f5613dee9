// Coordinator capacity over the in-process transport: a no-op game, many workers, tiny units.
// Prints medians of repeated runs side by side. Build and run with bench/cluster/coordinator-bench.sh.
import Cluster
import Foundation
import Logging
import ShapleyCore
import ShapleyTestKit

#if canImport(Glibc)
import Glibc
#endif

struct Measurement {
    var seconds: Double
    var units: Int
    var busyNanos: UInt64
    var journalNanos: UInt64
    var syncs: Int
    var workerNanos: UInt64
    var processCPU: Double
}

func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// A game burning `work` of CPU per coalition (a stand-in for a forward pass).
struct SpinGame: Game {
    let playerCount: Int
    let work: Duration
    func values(of coalitions: [Coalition]) throws -> [Double] {
        let clock = ContinuousClock()
        var x = 0.0
        for c in coalitions {
            let end = clock.now + work
            while clock.now < end { x += 1e-9 }
            x += Double(c.count)
        }
        return coalitions.map { _ in x * 0 }
    }
}

func run(workers: Int, slots: Int, samples: Int, players: Int, game: any Game, journal: Bool, perRound: Int) async throws -> Measurement {
    let network = InProcessNetwork(highWaterMark: 100_000)
    let run = RunConfiguration(runID: "bench", estimator: "round-permutation", seed: 1, playerCount: players,
                               modelFingerprint: "m", dataFingerprint: "d", metric: "value")
    var settings = CoordinatorConfiguration(run: run)
    settings.heartbeatInterval = .milliseconds(500)
    settings.shutdownGrace = .milliseconds(500)
    settings.progressInterval = .seconds(3600)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let estimator = RoundPermutationEstimator(playerCount: players, seed: 1, samples: samples, perRound: perRound)
    var directory: String?
    let coordinator: Coordinator
    if journal {
        let path = NSTemporaryDirectory() + "cluster-bench-\(UInt32.random(in: 0...UInt32.max))"
        directory = path
        coordinator = try Coordinator.start(runDirectory: path, configuration: settings,
                                            makeEstimator: { _ in estimator }, transport: try network.bind("c"), logger: logger)
    } else {
        coordinator = Coordinator(configuration: settings, estimator: estimator, transport: try network.bind("c"),
                                  journal: nil, logger: logger)
    }
    defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
    let tasks = (0..<workers).map { i in
        var w = WorkerConfiguration(name: "w\(i)", endpoint: "c", modelFingerprint: "m", dataFingerprint: "d", metric: "value")
        w.slots = slots
        w.heartbeatInterval = .milliseconds(500)
        w.batchSize = 64
        let worker = Worker(configuration: w, game: game, transport: network.connect("c"), logger: logger)
        return Task { try await worker.execute() }
    }
    let cpu0 = processCPUSeconds()
    let start = ContinuousClock.now
    let outcome = try await coordinator.execute()
    let elapsed = ContinuousClock.now - start
    let cpu = processCPUSeconds() - cpu0
    for t in tasks { _ = try? await t.value }
    precondition(outcome.status == .finished && outcome.report.samples == samples, "the run did not finish")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Measurement(seconds: seconds, units: samples, busyNanos: outcome.statistics.busyNanos,
                       journalNanos: outcome.statistics.journalNanos, syncs: outcome.statistics.journalSyncs,
                       workerNanos: outcome.statistics.workerNanos, processCPU: cpu)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func format(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
print("load average before the runs: \(load) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
let arguments = CommandLine.arguments
let repeats = arguments.count > 1 ? Int(arguments[1]) ?? 5 : 5
let samples = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000

print("Coordinator capacity, in-process transport, no-op game, 4 players (5 coalitions per unit), \(samples) units per run, median of \(repeats) runs")
print("busy = coordinator wall time not waiting for messages (journal included); journal = write + fsync")
print("workers  slots  journal   units/s   (min-max)          busy µs/unit  journal µs/unit  process CPU µs/unit")
for (workers, slots, journal) in [(1, 8, false), (4, 8, false), (16, 8, false), (64, 4, false), (16, 8, true), (64, 4, true)] {
    var rates: [Double] = [], busy: [Double] = [], cpu: [Double] = [], journalTime: [Double] = []
    for _ in 0..<repeats {
        let m = try await run(workers: workers, slots: slots, samples: samples, players: 4,
                              game: NoOpGame(playerCount: 4), journal: journal, perRound: 2_000)
        rates.append(Double(m.units) / m.seconds)
        busy.append(Double(m.busyNanos) / 1e3 / Double(m.units))
        journalTime.append(Double(m.journalNanos) / 1e3 / Double(m.units))
        cpu.append(m.processCPU * 1e6 / Double(m.units))
    }
    print("\(String(workers).padding(toLength: 9, withPad: " ", startingAt: 0))\(String(slots).padding(toLength: 7, withPad: " ", startingAt: 0))\((journal ? "fsync" : "off").padding(toLength: 10, withPad: " ", startingAt: 0))\(format(median(rates), 0).padding(toLength: 10, withPad: " ", startingAt: 0))(\(format(rates.min() ?? 0, 0))-\(format(rates.max() ?? 0, 0)))".padding(toLength: 62, withPad: " ", startingAt: 0) + "\(format(median(busy), 1))".padding(toLength: 14, withPad: " ", startingAt: 0)
          + "\(format(median(journalTime), 1))".padding(toLength: 17, withPad: " ", startingAt: 0) + format(median(cpu), 1))
}

print("")
let unitWork = Duration.milliseconds(10)
let spinUnits = 60
print("Parallel efficiency, CPU-bound game, \(unitWork) of work per coalition, 5 coalitions per unit, \(spinUnits) units in one round, median of 3 runs")
print("utilisation = worker evaluation time / (workers x wall time)")
var times: [Int: Double] = [:]
var overhead: [Double] = [], overheadWithoutJournal: [Double] = []
var utilisation: [Int: [Double]] = [:]
for workers in [1, 2] {
    var ts: [Double] = []
    for _ in 0..<3 {
        let m = try await run(workers: workers, slots: 2, samples: spinUnits, players: 4,
                              game: SpinGame(playerCount: 4, work: unitWork), journal: true, perRound: spinUnits)
        ts.append(m.seconds)
        utilisation[workers, default: []].append(Double(m.workerNanos) / 1e9 / (Double(workers) * m.seconds))
        overhead.append(Double(m.busyNanos) / Double(max(1, m.workerNanos)))
        overheadWithoutJournal.append(Double(m.busyNanos - min(m.busyNanos, m.journalNanos)) / Double(max(1, m.workerNanos)))
    }
    times[workers] = median(ts)
    print("workers \(workers): \(format(median(ts), 3)) s  (min \(format(ts.min() ?? 0, 3)), max \(format(ts.max() ?? 0, 3)))  utilisation \(format(100 * median(utilisation[workers] ?? []), 1))%")
}
if let t1 = times[1], let t2 = times[2] {
    print("speed-up 1 -> 2 workers: \(format(t1 / t2, 2))x, parallel efficiency \(format(100 * t1 / (2 * t2), 1))%")
}
print("coordinator busy time / worker evaluation time: median \(format(100 * median(overhead), 3))% with the journal, \(format(100 * median(overheadWithoutJournal), 3))% without its write+fsync time")
let loadAfter = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
print("load average after the runs: \(loadAfter)")
