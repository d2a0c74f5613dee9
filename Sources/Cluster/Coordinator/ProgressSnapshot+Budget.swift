import Foundation

/// How far a run is through its estimator's budget, and how long the rest would take at the
/// current pace: on a large model the default budget can last days, and a progress line that says
/// so lets the user bound the run (a time limit, fewer evaluations) before waiting for it.
extension ProgressSnapshot {
    /// Coalition values received so far: the estimator counts evaluations once their sample is
    /// complete, which on a large game trails what the workers have sent by minutes.
    public var evaluationsReceived: Int { max(statistics.valuesAccepted, evaluations) }

    /// The share of the budget spent: the larger of the shares of its caps, nil without caps.
    public var budgetSpent: Double? {
        var shares: [Double] = []
        if let cap = maxEvaluations, cap > 0 { shares.append(Double(evaluationsReceived) / Double(cap)) }
        if let cap = maxSamples, cap > 0 { shares.append(Double(samples) / Double(cap)) }
        return shares.max().map { min(1, $0) }
    }

    /// Seconds until the first cap is reached at the current rate of evaluations (samples at the
    /// evaluations they have cost on average); nil without caps, without a rate yet, or for a
    /// sample cap before any sample is complete. An upper bound on the run's remaining time: the
    /// stopping rule may end it sooner.
    public var secondsToBudget: Double? {
        guard evaluationsPerSecond > 0, evaluationsPerSecond.isFinite else { return nil }
        var left: [Double] = []
        if let cap = maxEvaluations {
            left.append(Double(max(0, cap - evaluationsReceived)) / evaluationsPerSecond)
        }
        if let cap = maxSamples, samples > 0 {
            let perSample = Double(evaluations) / Double(samples)
            left.append(Double(max(0, cap - samples)) * perSample / evaluationsPerSecond)
        }
        return left.min()
    }

    /// The budget in words for a progress line, nil without caps: "budget 30% spent (the rest: at
    /// most 23 min at this rate)".
    public var budgetSummary: String? {
        guard let spent = budgetSpent else { return nil }
        let rest = secondsToBudget.map { " (the rest: at most \(Self.duration($0)) at this rate)" } ?? ""
        return "budget \(Self.percent(spent)) spent" + rest
    }

    /// `share` as a percentage with a precision that shows progress on long runs.
    public static func percent(_ share: Double) -> String {
        let p = 100 * share
        if p > 0 && p < 0.1 { return "<0.1%" }
        return p < 10 ? String(format: "%.1f%%", p) : String(format: "%.0f%%", p)
    }

    /// `seconds` in the largest unit that keeps it readable: seconds, minutes, hours or days.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "forever" }
        switch seconds {
        case ..<120: return String(format: "%.0f s", seconds)
        case ..<(120 * 60): return String(format: "%.0f min", seconds / 60)
        case ..<(48 * 3600): return String(format: "%.1f h", seconds / 3600)
        default: return String(format: "%.0f d", seconds / 86_400)
        }
    }
}
