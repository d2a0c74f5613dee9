import Cluster
import Foundation
import ShapleyCore

/// `trace`: replays a finished run's journal through its estimator, without evaluating anything,
/// and records every player's direct marginals and value at regular numbers of evaluations, so
/// that one can see when each filter was in play (its count grows) and when it was set aside.
/// The replay rebuilds the estimator from the run's saved configuration (its options, with
/// `--set KEY=VALUE` overrides for a run made before an option's default changed) and checks
/// itself: the units must be the ones the journal holds, and `--expect RACE.json` compares the
/// replay's final marginal counts with those the race recorded.
enum Trace {
    struct Record: Codable {
        var evaluations: Int
        var marginals: [Int]
        var values: [Double]
        var top: [Int]
    }

    struct Result: Codable {
        var runDirectory: String
        var estimator: String
        var options: [String: String]
        var seed: UInt64
        var playerCount: Int
        var evaluations: Int
        var records: [Record]
    }

    static func run(_ o: Options) throws {
        let path = o.require("run-dir")
        let every = o.int("every") ?? 500
        guard every > 0 else { fail("--every \(o.string("every") ?? ""): expected a positive number of evaluations") }
        let (directory, saved) = try RunDirectory.open(at: path)
        var configuration = saved
        guard FileManager.default.fileExists(atPath: directory.journalPath) else {
            fail("\(path): no journal.log (expected the run directory of a finished run)")
        }
        for (key, value) in o.settings() { configuration.options[key] = value }
        let journal = try Journal(path: directory.journalPath)
        defer { journal.close() }
        var (pending, gaveUp) = JournalRecord.firstPerUnit(journal.records)
        var estimator = try RunConfiguration.registryEstimator(configuration)
        var records: [Record] = []
        var next = every
        func record(_ report: EstimateReport) {
            records.append(Record(evaluations: report.evaluations, marginals: report.players.map(\.marginals),
                                  values: report.players.map(\.value),
                                  top: report.topK.isEmpty ? Array(report.ranking.prefix(10)) : report.topK))
        }
        while !pending.isEmpty || !gaveUp.isEmpty {
            let units = estimator.nextWork(limit: 1 << 20)
            if units.isEmpty { break }
            for unit in units {
                if gaveUp.removeValue(forKey: unit.id) != nil {
                    guard estimator.abandon(unitID: unit.id) else { fail("unit \(unit.id) was abandoned in the run but its estimator cannot go on without it") }
                    continue
                }
                guard let result = pending.removeValue(forKey: unit.id) else {
                    fail("the journal of \(path) holds no result for unit \(unit.id): it ends there, or the estimator (with these options) is not the one that ran")
                }
                if let problem = result.problem(for: unit) {
                    fail("the journaled result of unit \(unit.id) does not fit it (\(problem)): the estimator (with these options) is not the one that ran")
                }
                _ = try estimator.ingest(result)
            }
            let report = estimator.report()
            if report.evaluations >= next {
                record(report)
                while next <= report.evaluations { next += every }
            }
        }
        if !pending.isEmpty {
            fail("\(pending.count) journaled results match no unit the estimator issued: the estimator (with these options) is not the one that ran")
        }
        let report = estimator.report()
        if records.last?.evaluations != report.evaluations { record(report) }
        if let expected = o.string("expect") {
            guard let marginals = readJSON(Race.Result.self, from: expected).marginals else {
                fail("--expect \(expected): a race result without marginal counts (written before they were recorded)")
            }
            guard marginals == report.players.map(\.marginals) else {
                fail("the replay's final marginal counts differ from \(expected)'s: the estimator (with these options) is not the one that ran")
            }
            log("replay matches \(expected): \(report.evaluations) evaluations, the same marginal counts")
        }
        writeJSON(Result(runDirectory: path, estimator: configuration.estimator, options: configuration.options, seed: configuration.seed,
                         playerCount: configuration.playerCount, evaluations: report.evaluations, records: records),
                  to: o.require("out"))
        log("trace: \(records.count) records up to \(report.evaluations) evaluations; wrote \(o.require("out"))")
    }
}
