import ShapleyCore

extension CoordinatorCore {
    /// Rebuilds the estimator's state from journaled records: opens the estimator's rounds one
    /// after the other (they open deterministically), feeds each unit its journaled result and
    /// abandons the units journaled as abandoned; units without either are queued. Throws when a
    /// record fits no unit of this estimator (the journal belongs to another configuration).
    mutating func replay(_ records: [JournalRecord], journalPath: String) throws {
        guard !records.isEmpty else { return }
        var (pending, gaveUp) = JournalRecord.firstPerUnit(records)
        while !pending.isEmpty || !gaveUp.isEmpty {
            let units = estimator.nextWork(limit: 1 << 20)
            if units.isEmpty { break }
            for unit in units {
                if let reason = gaveUp.removeValue(forKey: unit.id) {
                    guard estimator.abandon(unitID: unit.id) else {
                        throw ClusterError.journal(path: journalPath, reason: "unit \(unit.id) was abandoned in this run but the run's estimator cannot go on without it; the run directory belongs to another configuration or estimator version")
                    }
                    markAbandoned(unit.id, reason: reason)
                    continue
                }
                guard let result = pending.removeValue(forKey: unit.id) else {
                    open[unit.id] = OpenUnit(unit: unit)
                    requeue(unit.id, isNew: true)
                    continue
                }
                if let problem = result.problem(for: unit) {
                    throw ClusterError.journal(path: journalPath, reason: "the journaled result of unit \(unit.id) does not fit the run's estimator (\(problem)); the run directory belongs to another configuration")
                }
                guard try estimator.ingest(result) else { continue }
                done.insert(unit.id)
                statistics.resultsAccepted += 1
                statistics.resultsReplayed += 1
                statistics.valuesAccepted += result.values.count
            }
        }
        if !pending.isEmpty || !gaveUp.isEmpty {
            throw ClusterError.journal(path: journalPath, reason: "\(pending.count + gaveUp.count) journaled records match no unit the run's estimator issues; the run directory belongs to another configuration or estimator version")
        }
        logger.info("replayed the journal", metadata: [
            "results": "\(statistics.resultsReplayed)", "abandoned": "\(abandoned.count)", "samples": "\(estimator.report().samples)"])
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
            quarantined: quarantined.keys.sorted(), abandoned: abandoned.sorted(), finished: report.finished, top: top,
            statistics: statistics, maxEvaluations: estimator.budget.maxEvaluations, maxSamples: estimator.budget.maxSamples)
    }
}
