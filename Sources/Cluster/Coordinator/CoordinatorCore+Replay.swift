import ShapleyCore

extension CoordinatorCore {
    /// Rebuilds the estimator's state from journaled results: opens the estimator's rounds one after
    /// the other (they open deterministically) and feeds each unit its journaled result; units
    /// without one are queued. Throws when a journaled result fits no unit of this estimator (the
    /// journal belongs to another configuration).
    mutating func replay(_ results: [WorkResult], journalPath: String) throws {
        guard !results.isEmpty else { return }
        var pending: [UInt64: WorkResult] = [:]
        for r in results where pending[r.id] == nil { pending[r.id] = r }
        while !pending.isEmpty {
            let units = estimator.nextWork(limit: 1 << 20)
            if units.isEmpty { break }
            for unit in units {
                guard let result = pending.removeValue(forKey: unit.id) else {
                    open[unit.id] = OpenUnit(unit: unit)
                    requeue(unit.id, isNew: true)
                    continue
                }
                if let problem = Self.problem(with: result, for: unit) {
                    throw ClusterError.journal(path: journalPath, reason: "the journaled result of unit \(unit.id) does not fit the run's estimator (\(problem)); the run directory belongs to another configuration")
                }
                guard try estimator.ingest(result) else { continue }
                done.insert(unit.id)
                statistics.resultsAccepted += 1
                statistics.resultsReplayed += 1
                statistics.valuesAccepted += result.values.count
            }
        }
        if !pending.isEmpty {
            throw ClusterError.journal(path: journalPath, reason: "\(pending.count) journaled results match no unit the run's estimator issues; the run directory belongs to another configuration or estimator version")
        }
        logger.info("replayed the journal", metadata: ["results": "\(statistics.resultsReplayed)", "samples": "\(estimator.report().samples)"])
    }

    /// The progress report for this moment.
    func snapshot(elapsed: Double, valuesPerSecond: Double) -> ProgressSnapshot {
        let report = estimator.report()
        let k = settings.progressTopK
        let chosen = report.topK.isEmpty ? Array(report.ranking.prefix(k)) : Array(report.topK.prefix(k))
        let top = chosen.compactMap { p -> ProgressPlayer? in
            guard p >= 0 && p < report.players.count else { return nil }
            let e = report.players[p]
            return ProgressPlayer(player: p, value: e.value, lower: e.lower, upper: e.upper)
        }
        return ProgressSnapshot(
            elapsedSeconds: elapsed, samples: report.samples, evaluations: report.evaluations,
            evaluationsPerSecond: valuesPerSecond, activePlayers: report.activePlayers,
            workers: sessions.count, leases: leases.count, queued: queuedCount,
            quarantined: quarantined.keys.sorted(), finished: report.finished, top: top,
            statistics: statistics)
    }
}
