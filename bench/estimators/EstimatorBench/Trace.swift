import ShapleyCore

/// Precision of an estimator's ranking along its run, at geometric checkpoints of evaluations.
struct Trace {
    /// (evaluations, precision per k) at each checkpoint; the last is the final state.
    var points: [(evaluations: Int, precision: [Double])] = []
    /// The final report.
    var final: EstimateReport?

    /// The evaluations from which precision for `ks[index]` stays at or above `level` to the end
    /// of the run, or `nil` if it does not end there.
    func evaluationsToReach(_ level: Double, index: Int) -> Int? {
        var reach: Int?
        for p in points {
            if p.precision[index] >= level { if reach == nil { reach = p.evaluations } } else { reach = nil }
        }
        return reach
    }

    /// Runs `estimator` on `game`, recording precision@k for each of `ks` whenever the
    /// evaluations have grown by `growth` since the last checkpoint, and at the end.
    /// With `settle`, the run also ends once precision has stayed at or above `level` for every
    /// k from some evaluation count `E` to `settle·E` (the runs then cost less than the budget and
    /// `evaluationsToReach` reports `E`).
    static func run<E: Estimator>(_ estimator: inout E, game: CollapsingNetworkGame, ks: [Int],
                                  growth: Double = 1.02, level: Double = 0.9, settle: Double? = 4) throws -> Trace {
        let truth = ks.map { game.trueTopK($0) }
        return try run(&estimator, game: game, ks: ks, growth: growth, level: level, settle: settle) { ranking in
            zip(ks, truth).map { TopKPrecision.precision(ranking, truth: $1, k: $0) }
        }
    }

    /// The same for any incremental game, with `precision` scoring a ranking at each of `ks`.
    static func run<E: Estimator, G: IncrementalGame>(_ estimator: inout E, game: G, ks: [Int],
                                                      growth: Double = 1.02, level: Double = 0.9, settle: Double? = 4,
                                                      precision: ([Int]) -> [Double]) throws -> Trace {
        var evaluator = IncrementalEvaluator(game: game)
        var trace = Trace()
        var evaluations = 0
        var next = 1
        func checkpoint() {
            let report = estimator.report()
            let ranking = report.ranking
            trace.points.append((evaluations, precision(ranking)))
            trace.final = report
        }
        while !estimator.isFinished {
            let units = estimator.nextWork(limit: .max)
            guard !units.isEmpty else { break }
            for u in units {
                let r = try evaluator.evaluate(u)
                evaluations += r.values.count
                _ = try estimator.ingest(r)
            }
            if evaluations >= next {
                checkpoint()
                next = max(evaluations + 1, Int(Double(evaluations) * growth))
                if let settle, ks.indices.allSatisfy({ i in
                    trace.evaluationsToReach(level, index: i).map { Double(evaluations) >= settle * Double($0) } ?? false
                }) {
                    return trace
                }
            }
        }
        checkpoint()
        return trace
    }
}
