import Foundation
import ShapleyCore

/// Evaluations needed to reach precision@k >= 0.9 on collapsing-network (or weighted voting) games, per method,
/// medians over seeds, and the ratio original bandit / ours.
struct PrecisionBench {
    let arguments: Arguments
    static let ks = [10, 100]
    static let level = 0.9

    struct Job: Sendable {
        var players: Int
        var seed: UInt64
        var method: Method
        var k: Int? // nil: one trace serves every k
    }

    struct Outcome: Sendable {
        var job: Job
        var reach: [Int?]     // per k in `ks`
        var finalEvaluations: Int
        var finalPrecision: [Double]
        var finished: Bool
        var seconds: Double
    }

    func run() throws {
        var jobs: [Job] = []
        for n in arguments.sizes {
            for seed in 1...UInt64(arguments.seeds) {
                for m in arguments.methods {
                    if m.searchesK { for k in Self.ks { jobs.append(Job(players: n, seed: seed, method: m, k: k)) } }
                    else { jobs.append(Job(players: n, seed: seed, method: m, k: nil)) }
                }
            }
        }
        let budgetPerPlayer = arguments.budgetPerPlayer
        let start = Date()
        // Weighted voting games (weights 1...10, quota half the total): exact values by dynamic
        // programming, once per game; tied players at the k-th value count as correct.
        let voting = arguments.game == "voting"
        var exact: [String: [Double]] = [:]
        if voting {
            for n in arguments.sizes {
                for seed in 1...UInt64(arguments.seeds) {
                    exact["\(n)/\(seed)"] = try WeightedVotingGame(playerCount: n, seed: seed).exactShapleyValues()
                }
            }
        }
        let values = exact
        let outcomes = try parallel(jobs.map { job in
            { @Sendable () throws -> Outcome in
                let t0 = Date()
                // Methods that search a k are traced for that k only; the others for every k.
                let ks = job.k.map { [$0] } ?? Self.ks
                let trace: Trace
                if voting, let v = values["\(job.players)/\(job.seed)"] {
                    let game = try WeightedVotingGame(playerCount: job.players, seed: job.seed)
                    trace = try job.method.trace(game: game, seed: job.seed &* 7919, k: job.k ?? 100, ks: ks,
                                                 budget: budgetPerPlayer * job.players) { ranking in
                        ks.map { TopKPrecision.precision(ranking, values: v, k: $0, tolerance: 1e-9) }
                    }
                } else {
                    let game = try CollapsingNetworkGame(playerCount: job.players, seed: job.seed)
                    trace = try job.method.trace(game: game, seed: job.seed &* 7919, k: job.k ?? 100, ks: ks,
                                                 budget: budgetPerPlayer * job.players)
                }
                let last = trace.points.last
                let reach = Self.ks.map { k in ks.firstIndex(of: k).flatMap { trace.evaluationsToReach(Self.level, index: $0) } }
                let precision = Self.ks.map { k in ks.firstIndex(of: k).map { last?.precision[$0] ?? 0 } ?? .nan }
                return Outcome(job: job, reach: reach, finalEvaluations: last?.evaluations ?? 0, finalPrecision: precision,
                               finished: trace.final?.finished ?? false, seconds: Date().timeIntervalSince(t0))
            }
        }, threads: arguments.threads)
        print(table(outcomes))
        print(String(format: "game %@; wall time %.0f s on %d threads; budget %d evaluations per player; game seeds 1...%d",
                     arguments.game as NSString, Date().timeIntervalSince(start), arguments.threads, budgetPerPlayer, arguments.seeds))
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func table(_ outcomes: [Outcome]) -> String {
        var lines = ["evaluations E from which precision@k stays >= 0.9 (every method: traced until it has stayed there",
                     "from E to 4E, or until the method stops or its budget is spent); runs that never get there count at their budget",
                     "players      k  method               median   [min, max]            reached  | at stop: evaluations  precision@k  (s/run)"]
        for n in arguments.sizes {
            for (ki, k) in Self.ks.enumerated() {
                var medians: [Method: Double] = [:]
                var perSeed: [Method: [UInt64: Int]] = [:]
                for m in arguments.methods {
                    let rows = outcomes.filter { $0.job.players == n && $0.job.method == m && ($0.job.k == nil || $0.job.k == k) }
                    let reached = rows.compactMap { $0.reach[ki] }
                    perSeed[m] = Dictionary(uniqueKeysWithValues: rows.compactMap { r in r.reach[ki].map { (r.job.seed, $0) } })
                    // Runs that never reach count as the budget (a lower bound on what they need).
                    let values = rows.map { Double($0.reach[ki] ?? $0.finalEvaluations) }
                    let med = Self.median(values)
                    medians[m] = reached.count * 2 > rows.count ? med : .infinity
                    let medText = reached.count * 2 > rows.count ? fmt(med) : ">" + fmt(med)
                    let range = "[\(fmt(Double(reached.min() ?? 0))), \(fmt(Double(reached.max() ?? 0)))]"
                    let stopEvals = Self.median(rows.map { Double($0.finalEvaluations) })
                    let stopPrecision = Self.median(rows.map { $0.finalPrecision[ki] })
                    let seconds = Self.median(rows.map(\.seconds))
                    lines.append(String(format: "%7d  %5d  %@  %@  %@  %d/%d  | %@  %.2f  (%.1f)", n, k, pad(m.rawValue, 19) as NSString,
                                        pad(medText, 8) as NSString, pad(range, 20) as NSString, reached.count, rows.count,
                                        pad(fmt(stopEvals), 10) as NSString, stopPrecision, seconds))
                }
                if let b = medians[.bandit], let a = medians[.adaptive] {
                    let ratios = (perSeed[.bandit] ?? [:]).compactMap { seed, be in (perSeed[.adaptive]?[seed]).map { Double(be) / Double($0) } }
                    lines.append(String(format: "%7d  %5d  ratio bandit/adaptive: %@ (ratio of medians), per-seed median %@", n, k,
                                        (b.isFinite && a.isFinite ? String(format: "%.1fx", b / a) : "n/a") as NSString,
                                        (ratios.isEmpty ? "n/a" : String(format: "%.1fx", Self.median(ratios))) as NSString))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    func fmt(_ x: Double) -> String {
        if !x.isFinite { return "inf" }
        if x >= 1e6 { return String(format: "%.2fM", x / 1e6) }
        if x >= 1e3 { return String(format: "%.1fk", x / 1e3) }
        return String(format: "%.0f", x)
    }
}
