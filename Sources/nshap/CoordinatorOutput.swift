import ArgumentParser
import Cluster
import Foundation
import Logging
import ShapleyCore
import Synchronization

/// Where a coordinator's progress and result go.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write the result (every player's estimate and interval) as JSON to this file.", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("progress-json"), help: ArgumentHelp("Append one JSON progress line per report to this file ('-' for standard output).", valueName: "FILE"))
    var progressJSON: String?

    @Option(name: .customLong("progress-interval"), help: ArgumentHelp("Seconds between progress reports.", valueName: "SECONDS"))
    var progressInterval: Double = 2

    @Flag(name: .long, help: "No progress lines on the terminal.")
    var quiet = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String = "info"

    /// The log level, validated.
    var level: Logger.Level {
        get throws {
            guard let l = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
            }
            return l
        }
    }
}

/// Sets up swift-log once per process: lines on standard error at `level`.
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrap(_ level: Logger.Level) {
        let first = done.withLock { d -> Bool in defer { d = true }; return !d }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Receives progress snapshots: a line on the terminal, a JSON line in a file.
final class ProgressSink: Sendable {
    private let quiet: Bool
    private let file: Mutex<FileHandle?>
    private let toStandardOutput: Bool

    init(_ options: OutputOptions) throws {
        quiet = options.quiet
        toStandardOutput = options.progressJSON == "-"
        if let path = options.progressJSON, path != "-" {
            // The file may live in the run directory, which the run creates later.
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw ValidationError("--progress-json \(path): cannot create the file")
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw ValidationError("--progress-json \(path): cannot open the file for writing")
            }
            handle.seekToEndOfFile()
            file = Mutex(handle)
        } else {
            file = Mutex(nil)
        }
    }

    func report(_ snapshot: ProgressSnapshot) {
        if !quiet { FileHandle.standardError.write(Data((snapshot.line + "\n").utf8)) }
        guard toStandardOutput || file.withLock({ $0 != nil }) else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Players without a marginal yet have unbounded intervals.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard var data = try? encoder.encode(snapshot) else { return }
        data.append(0x0A)
        if toStandardOutput { FileHandle.standardOutput.write(data) }
        file.withLock { $0?.write(data) }
    }
}

/// The result of a run as written by `--output`: everything needed to compare two runs.
struct ResultDocument: Codable, Hashable {
    struct Estimate: Codable, Hashable {
        var player: Int
        var value: Double
        var lower: Double
        var upper: Double
        var marginals: Int
    }

    struct Quarantined: Codable, Hashable {
        var unit: UInt64
        var reason: String
        /// The estimator went on without it (its sample is not in the estimates).
        var abandoned: Bool
    }

    var runID: String
    var status: String
    var estimator: String
    var seed: UInt64
    var samples: Int
    var evaluations: Int
    var finished: Bool
    var topK: [Int]
    var estimates: [Estimate]
    var quarantined: [Quarantined]
    var statistics: CoordinatorStatistics

    init(run: RunConfiguration, outcome: CoordinatorOutcome) {
        let r = outcome.report
        runID = run.runID
        status = outcome.status.rawValue
        estimator = r.estimator
        seed = run.seed
        samples = r.samples
        evaluations = r.evaluations
        finished = r.finished
        topK = r.topK
        estimates = r.players.map { Estimate(player: $0.player, value: $0.value, lower: $0.lower, upper: $0.upper, marginals: $0.marginals) }
        let abandoned = Set(outcome.abandoned)
        quarantined = outcome.quarantined.map { Quarantined(unit: $0.unit, reason: $0.reason, abandoned: abandoned.contains($0.unit)) }
        statistics = outcome.statistics
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A run stopped before every player had a marginal has unbounded intervals.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ValidationError("--output \(path): cannot write the result: \(error.localizedDescription)")
        }
    }

    /// A short table of the top players for the terminal.
    func summary(limit: Int = 10) -> String {
        var lines = ["run \(runID): \(status) after \(samples) samples, \(evaluations) evaluations (\(estimator), seed \(seed))"]
        let ranked = topK.isEmpty
            ? estimates.sorted { $0.value != $1.value ? $0.value > $1.value : $0.player < $1.player }.map(\.player)
            : topK
        let byPlayer = Dictionary(uniqueKeysWithValues: estimates.map { ($0.player, $0) })
        lines.append("rank  player        value  interval")
        for (i, p) in ranked.prefix(limit).enumerated() {
            guard let e = byPlayer[p] else { continue }
            lines.append(String(format: "%4d  %6d  %11.6f  [%.6f, %.6f]", i + 1, p, e.value, e.lower, e.upper))
        }
        if !quarantined.isEmpty {
            lines.append("quarantined units: \(quarantined.map { "\($0.unit)\($0.abandoned ? " (abandoned: its sample is left out)" : "")" }.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
