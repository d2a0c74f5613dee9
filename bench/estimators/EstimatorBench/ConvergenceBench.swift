import Foundation
import ShapleyCore

/// Convergence to exact values and interval coverage on games with exact Shapley values.
struct ConvergenceBench {
    let arguments: Arguments

    /// An estimator as configured for these figures, by label.
    enum Kind: String, CaseIterable, Sendable {
        case permutation, antithetic, tmc, tmcUntruncated = "tmc-untruncated", bandit, adaptive

        func make(playerCount n: Int, seed: UInt64, budget: Int, chance: Double?) throws -> any Estimator {
            switch self {
            case .permutation, .antithetic:
                var c = PermutationSampling.Configuration(playerCount: n, seed: seed)
                c.budget = Budget(maxEvaluations: budget)
                c.antithetic = self == .antithetic
                return try PermutationSampling(c)
            case .tmc, .tmcUntruncated:
                var c = TruncatedMonteCarlo.Configuration(playerCount: n, seed: seed)
                c.budget = Budget(maxEvaluations: budget)
                c.floor = self == .tmc ? chance : -1e9
                c.tolerance = self == .tmc ? 0.2 : 0
                return try TruncatedMonteCarlo(c)
            case .bandit:
                var c = NeuronShapleyBandit.Configuration(playerCount: n, seed: seed)
                c.topK = max(1, n / 10)
                c.floor = chance ?? 0
                c.budget = Budget(maxEvaluations: budget)
                return try NeuronShapleyBandit(c)
            case .adaptive:
                // Direct measurement only, no pruning: the estimator's unbiased core.
                var c = AdaptiveTopK.Configuration(playerCount: n, seed: seed)
                c.screening = false
                c.minObservations = Int.max / 2
                c.budget = Budget(maxEvaluations: budget)
                return try AdaptiveTopK(c)
            }
        }
    }

    static let games: [(name: String, make: @Sendable () throws -> any ReferenceGame)] = [
        ("voting-50", { try WeightedVotingGame(playerCount: 50, seed: 1) }),
        ("airport-50", { try AirportGame(playerCount: 50, seed: 1) }),
        ("collapse-14", { try CollapsingNetworkGame(playerCount: 14, seed: 1) }),
    ]

    func runConvergence() throws {
        let budgets = [1_000, 4_000, 16_000, 64_000, 256_000]
        let seeds = max(2, arguments.seeds)
        struct Row: Sendable { var game: String; var kind: Kind; var budget: Int; var rmse: [Double] }
        var jobs: [@Sendable () throws -> Row] = []
        for game in Self.games {
            for kind in Kind.allCases {
                for budget in budgets {
                    jobs.append {
                        let g = try game.make()
                        let truth = try g.referenceValues() ?? []
                        var errors: [Double] = []
                        for seed in 1...UInt64(seeds) {
                            var e = try kind.make(playerCount: g.playerCount, seed: seed, budget: budget, chance: g.chanceLevel)
                            let r = try LocalRun.run(&e, game: g)
                            let se = zip(r.players.map(\.value), truth).map { ($0 - $1) * ($0 - $1) }
                            errors.append((se.reduce(0, +) / Double(se.count)).squareRoot())
                        }
                        return Row(game: game.name, kind: kind, budget: budget, rmse: errors)
                    }
                }
            }
        }
        let rows = try parallel(jobs, threads: arguments.threads)
        var csv = ["game,estimator,evaluations,rmse_median"]
        var lines = ["root-mean-square error against exact Shapley values (median over \(seeds) seeds)",
                     "game          estimator        " + budgets.map { String(format: "%10@", "\($0)" as NSString) }.joined()]
        for game in Self.games {
            for kind in Kind.allCases {
                let mine = rows.filter { $0.game == game.name && $0.kind == kind }
                var line = String(format: "%-13@ %-16@", game.name as NSString, kind.rawValue as NSString)
                for b in budgets {
                    let m = PrecisionBench.median(mine.first { $0.budget == b }?.rmse ?? [])
                    line += String(format: "%10.5f", m)
                    csv.append("\(game.name),\(kind.rawValue),\(b),\(m)")
                }
                lines.append(line)
            }
        }
        print(lines.joined(separator: "\n"))
        try write(csv, to: "convergence.csv")
    }

    func runCoverage() throws {
        let seeds = max(20, arguments.seeds * 20)
        let budget = 20_000
        struct Row: Sendable { var game: String; var kind: Kind; var covered: Int; var total: Int; var width: Double }
        var jobs: [@Sendable () throws -> Row] = []
        for game in Self.games {
            for kind in Kind.allCases {
                jobs.append {
                    let g = try game.make()
                    let truth = try g.referenceValues() ?? []
                    var covered = 0, total = 0, width = 0.0
                    for seed in 1...UInt64(seeds) {
                        var e = try kind.make(playerCount: g.playerCount, seed: seed, budget: budget, chance: g.chanceLevel)
                        let r = try LocalRun.run(&e, game: g)
                        for p in r.players where p.lower.isFinite && p.upper.isFinite {
                            total += 1
                            width += p.upper - p.lower
                            if p.lower <= truth[p.player] && truth[p.player] <= p.upper { covered += 1 }
                        }
                    }
                    return Row(game: game.name, kind: kind, covered: covered, total: total, width: width / Double(max(1, total)))
                }
            }
        }
        let rows = try parallel(jobs, threads: arguments.threads)
        var csv = ["game,estimator,coverage,intervals,mean_width"]
        var lines = ["coverage of the exact values by each estimator's intervals, \(seeds) seeds, \(budget) evaluations each",
                     "(permutation, tmc: 95% normal; bandit: empirical Bernstein, delta 0.2 per player; adaptive: normal with a union bound, 1 - 0.1/n per player)",
                     "game          estimator         coverage  intervals  mean width"]
        for r in rows {
            let rate = Double(r.covered) / Double(max(1, r.total))
            lines.append(String(format: "%-13@ %-16@  %7.3f  %9d  %10.5f", r.game as NSString, r.kind.rawValue as NSString, rate, r.total, r.width))
            csv.append("\(r.game),\(r.kind.rawValue),\(rate),\(r.total),\(r.width)")
        }
        print(lines.joined(separator: "\n"))
        try write(csv, to: "coverage.csv")
    }

    func write(_ lines: [String], to name: String) throws {
        let dir = URL(fileURLWithPath: "bench/out", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}
