import Foundation

/// Renders a progress report in Prometheus' text exposition format (version 0.0.4).
enum PrometheusText {
    static func render(_ snapshot: ProgressSnapshot?, run: RunConfiguration?) -> String {
        guard let s = snapshot else { return "# no progress yet\n" }
        let label = run.map { "{run=\"\(escape($0.runID))\"}" } ?? ""
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Double) {
            out += "# HELP nshap_\(name) \(help)\n# TYPE nshap_\(name) \(type)\nnshap_\(name)\(label) \(value)\n"
        }
        let st = s.statistics
        metric("samples", "gauge", "Samples aggregated by the estimator.", Double(s.samples))
        metric("evaluations", "gauge", "Evaluations counted by the estimator.", Double(s.evaluations))
        metric("evaluations_per_second", "gauge", "Coalition values received per second, recently.", s.evaluationsPerSecond)
        metric("active_players", "gauge", "Players still being sampled.", Double(s.activePlayers))
        metric("workers", "gauge", "Connected workers.", Double(s.workers))
        metric("leases", "gauge", "Leases outstanding.", Double(s.leases))
        metric("queued_units", "gauge", "Units waiting for a worker.", Double(s.queued))
        metric("quarantined_units", "gauge", "Units quarantined.", Double(s.quarantined.count))
        metric("abandoned_units", "gauge", "Quarantined units the estimator went on without.", Double(s.abandoned.count))
        metric("finished", "gauge", "1 once the stopping rule is met.", s.finished ? 1 : 0)
        if let spent = s.budgetSpent {
            metric("budget_spent_ratio", "gauge", "Share of the estimator's budget spent (the larger of its caps' shares).", spent)
        }
        if let left = s.secondsToBudget {
            metric("budget_seconds_left", "gauge", "Seconds until the budget is spent at the current rate (an upper bound on the run).", left)
        }
        metric("results_accepted_total", "counter", "Results accepted.", Double(st.resultsAccepted))
        metric("results_duplicate_total", "counter", "Duplicate results ignored.", Double(st.duplicateResults))
        metric("results_invalid_total", "counter", "Results refused.", Double(st.invalidResults))
        metric("leases_granted_total", "counter", "Leases granted.", Double(st.leasesGranted))
        metric("leases_expired_total", "counter", "Leases whose deadline passed.", Double(st.leasesExpired))
        metric("workers_lost_total", "counter", "Workers declared dead.", Double(st.workersLost))
        metric("workers_refused_total", "counter", "Workers refused at the handshake.", Double(st.workersRefused))
        metric("malformed_messages_total", "counter", "Frames dropped as malformed.", Double(st.malformedMessages))
        metric("worker_seconds_total", "counter", "Seconds workers spent on accepted results.", Double(st.workerNanos) / 1e9)
        metric("journal_seconds_total", "counter", "Seconds spent writing and syncing the journal.", Double(st.journalNanos) / 1e9)
        metric("journal_syncs_total", "counter", "Journal fsync calls.", Double(st.journalSyncs))
        metric("coordinator_busy_seconds_total", "counter", "Seconds the coordinator spent not waiting for messages.", Double(st.busyNanos) / 1e9)
        return out
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
