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
///
/// `--marginals FILE` (runs of the adaptive estimator) also writes every direct marginal the run
/// folded, one CSV row per toggled player of a base coalition: the base's sample and size, the
/// base's value, the player, its marginal (the toggled value against the base's, signed by
/// membership) and its importance weight; `fullValue` and `emptyValue` repeat `v(N)` and `v(∅)`.
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
        // Read only: a run still being written keeps its journal as it is.
        var (pending, gaveUp) = JournalRecord.firstPerUnit(try Journal.readRecords(path: directory.journalPath))
        var estimator = try RunConfiguration.registryEstimator(configuration)
        var records: [Record] = []
        var next = every
        let marginalsPath = o.string("marginals")
        if marginalsPath != nil && !(estimator is AdaptiveTopK) {
            fail("--marginals \(marginalsPath ?? ""): the run's estimator is \(configuration.estimator); only the adaptive estimator's bases carry toggled marginals")
        }
        var coalitions: [(spec: CoalitionSpec, value: Double, weight: Double)] = []
        var lostSamples = Set<UInt64>()
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
                    // The estimator discards a base with an abandoned unit whole.
                    for case .prefix(let sample, _, _) in unit.coalitions { lostSamples.insert(sample) }
                    guard estimator.abandon(unitID: unit.id) else { fail("unit \(unit.id) was abandoned in the run but its estimator cannot go on without it") }
                    continue
                }
                guard let result = pending.removeValue(forKey: unit.id) else {
                    fail("the journal of \(path) holds no result for unit \(unit.id): it ends there, or the estimator (with these options) is not the one that ran")
                }
                if let problem = result.problem(for: unit) {
                    fail("the journaled result of unit \(unit.id) does not fit it (\(problem)): the estimator (with these options) is not the one that ran")
                }
                if marginalsPath != nil, let adaptive = estimator as? AdaptiveTopK {
                    // Weights before the ingest: the last result of a round folds it and updates the proposal.
                    for (spec, value) in zip(unit.coalitions, result.values) {
                        guard case .prefix(_, let removed, _) = spec else { continue }
                        coalitions.append((spec, value, adaptive.baseWeight(size: configuration.playerCount - Int(removed))))
                    }
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
        if let marginalsPath {
            writeMarginals(coalitions, skipping: lostSamples, seed: configuration.seed, playerCount: configuration.playerCount, to: marginalsPath)
        }
        writeJSON(Result(runDirectory: path, estimator: configuration.estimator, options: configuration.options, seed: configuration.seed,
                         playerCount: configuration.playerCount, evaluations: report.evaluations, records: records),
                  to: o.require("out"))
        log("trace: \(records.count) records up to \(report.evaluations) evaluations; wrote \(o.require("out"))")
    }

    /// Writes the direct marginals of the base coalitions among `coalitions` (see `--marginals`).
    /// A base is a sample with a coalition of no toggle and some with one; screening walks (no
    /// toggles) and bases with an abandoned unit (`lost`, which the estimator discards) are skipped.
    static func writeMarginals(_ coalitions: [(spec: CoalitionSpec, value: Double, weight: Double)], skipping lost: Set<UInt64>,
                               seed: UInt64, playerCount n: Int, to path: String) {
        var full: Double?, empty: Double?
        var bases: [UInt64: (removed: Int32, value: Double?, weight: Double, toggles: [(Int32, Double)])] = [:]
        for (spec, value, weight) in coalitions {
            guard case .prefix(let sample, let removed, let toggle) = spec else { continue }
            if toggle == nil && removed == 0 { full = value }
            if toggle == nil && Int(removed) == n { empty = value }
            var base = bases[sample] ?? (removed, nil, weight, [])
            if let toggle { base.toggles.append((toggle, value)) } else { base.value = value }
            bases[sample] = base
        }
        var lines = ["sample,size,baseValue,player,marginal,weight,fullValue,emptyValue"]
        for sample in bases.keys.sorted() {
            guard !lost.contains(sample), let base = bases[sample], !base.toggles.isEmpty, let value = base.value else { continue }
            let position = Permutation.positions(of: Permutation.order(seed: seed, index: sample, playerCount: n))
            for (player, toggled) in base.toggles {
                let m = CoalitionSpec.toggledMarginal(base: value, toggled: toggled, wasMember: Int(position[Int(player)]) >= Int(base.removed))
                lines.append("\(sample),\(n - Int(base.removed)),\(value),\(player),\(m),\(base.weight),\(full ?? .nan),\(empty ?? .nan)")
            }
        }
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            fail("--marginals \(path): \(error.localizedDescription)")
        }
        let written = bases.filter { !lost.contains($0.key) && !$0.value.toggles.isEmpty && $0.value.value != nil }.count
        log("trace: \(lines.count - 1) direct marginals of \(written) bases; wrote \(path)")
    }
}
