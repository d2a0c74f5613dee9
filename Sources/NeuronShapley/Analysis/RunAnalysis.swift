public import Dataset
public import ShapleyCore
import Foundation

/// Settings of the checks made after the values are estimated.
public struct AnalysisOptions: Sendable, Codable, Hashable {
    /// The size of the top set reported (and visualised).
    public var topK = 10
    /// Numbers of filters removed in the ablation curves.
    public var ablationSizes = Ablation.defaultSizes
    /// Random rankings averaged in the random baseline.
    public var randomSeeds = 5
    /// Top filters whose patches are drawn.
    public var patchFilters = 10
    /// Patches per drawn filter.
    public var patchesPerFilter = 8
    /// Leave-one-out values are computed when there are at most this many players.
    public var leaveOneOutLimit = 5000
    /// For the attack metric: clean images whose accuracy is reported beside the success rate.
    public var cleanData: String?
    /// The checks use at most this many test images (a stratified subset), when set.
    public var maxTest: Int?
    /// Engine threads of the checks; nil uses every core of the machine (the local workers have
    /// stopped by then). The checks' numbers do not depend on it.
    public var threads: Int?

    /// The defaults.
    public init() {}
}

/// Everything measured after the values: the tables, the baselines, the ablation curves and the
/// patches of the top filters.
public struct AnalysisResults: Sendable {
    /// Every player's row, best first.
    public var rows: [ValueRow]
    /// Top-k filters per layer.
    public var layers: [LayerRow]
    /// The rankings compared in the ablations (Shapley first).
    public var rankings: [Ranking]
    /// The ablation curves on the test part.
    public var curves: [AblationCurve]
    /// Per measured metric: its name, where it is measured, how many images, and its unablated value.
    public var measured: [(name: String, metric: String, part: String, images: Int, full: Double)]
    /// Patches of the top filters (by player), strongest first.
    public var patches: [(row: ValueRow, patches: [(patch: PatchGallery.Patch, bitmap: Bitmap)])]
    /// The metric on the validation part with nothing removed.
    public var validationFullValue: Double
    /// Notes on what was skipped and why.
    public var notes: [String]
}

/// Runs the checks of a finished estimate: rankings by Shapley value and by the baselines (weight
/// norm, mean activation magnitude, leave-one-out value), ablation curves on the test part against
/// random removals, and the top filters' strongest image patches.
public final class RunAnalysis: Sendable {
    /// The game's data.
    public let data: GameData
    /// The estimate being checked.
    public let report: EstimateReport
    /// The settings.
    public let options: AnalysisOptions

    /// An analysis of `report` for the game of `data`.
    public init(data: GameData, report: EstimateReport, options: AnalysisOptions) {
        self.data = data
        self.report = report
        self.options = options
    }

    /// Measures everything, reporting each step through `progress`.
    public func perform(progress: (String) -> Void = { _ in }) throws -> AnalysisResults {
        var notes: [String] = []
        let units = data.players.units
        progress("preparing the network cut and the validation and test images")
        let threads = options.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        let evaluator = try MaskedEvaluator(data: data, players: units, threads: threads)
        let playerUnits = try evaluator.cut.suffixUnits(units)
        let validation = try evaluator.prepare(data, indices: data.validation, metric: data.metric)
        let rows = ValuesTable.rows(report: report, data: data, topK: options.topK)

        // Baselines.
        var rankings = [Ranking(name: "shapley", meaning: "estimated Shapley value", players: report.ranking)]
        rankings.append(Ranking.byScore(try WeightNorms.of(units, in: data.model), name: "weight-norm",
                                        meaning: "L2 norm of the filter's weights"))
        let top = Array(rows.prefix(options.patchFilters))
        progress("probing activations on \(validation.count) validation images")
        let summary = try ActivationProbe.run(cut: evaluator.cut, players: units, frontier: validation.frontier,
                                              tracked: Set(top.map(\.unit)), threads: evaluator.session.threads)
        rankings.append(Ranking.byScore(summary.meanMagnitude, name: "activation",
                                        meaning: "mean |output| of the filter on the validation images"))
        if units.count <= options.leaveOneOutLimit {
            progress("leave-one-out values of \(units.count) filters on the validation images")
            let clock = ContinuousClock(), start = clock.now
            var reported = start
            let loo = try LeaveOneOut.measure(evaluator: evaluator, playerUnits: playerUnits, on: validation, metric: data.metric) { done in
                let now = clock.now
                guard now - reported >= .seconds(60), done < units.count else { return }
                reported = now
                let elapsed = Double((now - start).components.seconds)
                let left = elapsed * Double(units.count - done) / Double(done)
                progress("leave-one-out: \(done) of \(units.count) filters; about \(Int(left.rounded())) s left at the rate so far "
                         + "(a removal costs the network after its layer, so later layers go faster)")
            }
            rankings.append(loo.ranking)
            let ties = loo.ties
            if ties.distinct < units.count {
                notes.append("leave-one-out: the \(units.count) filters' drops of \(data.metric.description) take \(ties.distinct) distinct values "
                             + "(\(ties.zero) filters drop nothing); equal drops are ordered by the drop of the metric's smooth counterpart, "
                             + "the mean log-probability of what it counts")
            }
        } else {
            notes.append("leave-one-out values skipped: \(units.count) players is more than the limit of \(options.leaveOneOutLimit)")
        }

        // Ablations on the test part.
        var measured: [MeasuredMetric] = []
        let test = Self.capped(data.test, labels: data.images.labels, cap: options.maxTest)
        if test.isEmpty {
            notes.append("no ablation curves: the test part is empty")
        } else {
            progress("ablation curves on \(test.count) test images")
            measured = try measuredMetrics(evaluator: evaluator, test: test, notes: &notes)
        }
        let curves = try Ablation.run(evaluator: evaluator, playerUnits: playerUnits, rankings: rankings,
                                      sizes: options.ablationSizes, randomSeeds: options.randomSeeds, metrics: measured)

        // Patches.
        progress("patches of the top \(top.count) filters")
        let fields = ReceptiveField.ofConvLayers(data.model)
        var patches: [(row: ValueRow, patches: [(patch: PatchGallery.Patch, bitmap: Bitmap)])] = []
        for row in top {
            guard let field = fields[row.layerIndex], let peaks = summary.peaks[row.unit] else {
                notes.append("no patches for \(row.address): its receptive field could not be followed through the graph")
                continue
            }
            patches.append((row, PatchGallery.patches(peaks: peaks, field: field, data: data, indices: data.validation,
                                                      count: options.patchesPerFilter)))
        }
        return AnalysisResults(
            rows: rows, layers: ValuesTable.layers(rows), rankings: rankings, curves: curves,
            measured: measured.map { m in (m.name, m.metric.description, m.name.hasPrefix("clean") ? "clean test part" : "test part",
                                           m.set.count, m.set.fullValue) },
            patches: patches, validationFullValue: validation.fullValue, notes: notes)
    }

    /// The metrics the ablation curves report for the game's metric (see the type's documentation).
    func measuredMetrics(evaluator: MaskedEvaluator, test: [Int], notes: inout [String]) throws -> [MeasuredMetric] {
        let metric = data.metric
        var out = [MeasuredMetric(name: metric.description, metric: metric,
                                  set: try evaluator.prepare(data, indices: test, metric: metric))]
        let labelled = data.images.labels != nil
        switch metric {
        case .accuracy:
            break
        case .classAccuracy:
            let all = Self.capped(GameData.split(data.images, settings: data.settings, metric: .accuracy).test,
                                  labels: data.images.labels, cap: options.maxTest)
            out.append(MeasuredMetric(name: "accuracy", metric: .accuracy, set: try evaluator.prepare(data, indices: all, metric: .accuracy)))
        case .accuracyGap(let a, let b):
            let set = try evaluator.prepare(data, indices: test, metric: .accuracy)
            out.append(MeasuredMetric(name: "accuracy", metric: .accuracy, set: set))
            for g in [a, b] {
                let s = try evaluator.prepare(data, indices: test, metric: .subgroupAccuracy(g))
                out.append(MeasuredMetric(name: "subgroup:\(g)", metric: .subgroupAccuracy(g), set: s))
            }
        case .attackSuccess:
            if labelled {
                out.append(MeasuredMetric(name: "accuracy on attacked images", metric: .accuracy,
                                          set: try evaluator.prepare(data, indices: test, metric: .accuracy)))
            }
            if let clean = options.cleanData {
                var settings = data.settings
                settings.data = clean
                settings.targets = nil
                settings.groups = nil
                settings.metric = "accuracy"
                settings.maxValidation = nil
                let cleanData = try GameData.load(settings)
                let cleanTest = Self.capped(cleanData.test, labels: cleanData.images.labels, cap: options.maxTest)
                out.append(MeasuredMetric(name: "clean accuracy", metric: .accuracy,
                                          set: try evaluator.prepare(cleanData, indices: cleanTest, metric: .accuracy)))
            } else {
                notes.append("no clean accuracy: give the clean images with --clean-data")
            }
        default:
            if labelled {
                out.append(MeasuredMetric(name: "accuracy", metric: .accuracy,
                                          set: try evaluator.prepare(data, indices: test, metric: .accuracy)))
            }
        }
        return out
    }

    /// At most `cap` of `indices` (a stratified subset, by their labels), in ascending order.
    static func capped(_ indices: [Int], labels: [Int]?, cap: Int?) -> [Int] {
        guard let cap, cap < indices.count else { return indices }
        let split = Split(count: indices.count, labels: labels.map { l in indices.map { l[$0] } },
                          validationFraction: (Double(cap) + 0.5) / Double(indices.count), seed: 0x7e57)
        return split.validation.map { indices[$0] }
    }
}
