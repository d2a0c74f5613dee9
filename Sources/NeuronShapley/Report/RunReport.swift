import Dataset
import Foundation

/// `report.md`: the settings, the top filters, where they sit, what removing them does on held-out
/// images next to the baselines, the use case's own summary, and the top filters' patches.
public enum RunReport {
    /// The report's Markdown text. `cutValue` names the activation up to which the prefix cache
    /// runs the network once per image, nil when the players leave no prefix to cache.
    public static func markdown(data: GameData, info: RunInfo, results r: AnalysisResults, cutValue: String?,
                                suffixLayers: Int, options: AnalysisOptions) -> String {
        let s = data.settings
        var md: [String] = []
        md.append("# Neuron Shapley: \(URL(fileURLWithPath: s.model).lastPathComponent), metric \(data.metric)")
        md.append("")
        md.append("Command: `\(info.command)`")
        md.append("")
        md.append("## Settings")
        md.append("")
        md.append("| setting | value |")
        md.append("| --- | --- |")
        md.append("| model | `\(s.model)` (SHA-256 \(data.model.fingerprint.prefix(16))…, \(data.model.convLayers.count) conv layers, \(data.model.unitCount) filters) |")
        let skipped = data.images.skipped.prefix(5).map { "`\($0.name)` (\($0.reason))" }.joined(separator: ", ")
        let more = data.images.skippedCount > 5 ? ", …" : ""
        md.append("| data | `\(s.data)`: \(data.images.count) images, \(data.images.skippedCount) skipped\(skipped.isEmpty ? "" : ": " + skipped + more) |")
        let cap = s.maxValidation.map { ", capped at \($0)" } ?? ""
        md.append("| split | seed \(s.splitSeed), validation fraction \(s.validationFraction)\(cap): \(data.validation.count) validation images (values), \(data.test.count) test images (checks) |")
        let chance = data.chanceLevel.map { format($0) } ?? "none"
        md.append("| metric | `\(data.metric)` (chance level \(chance)); unablated on the validation part: \(format(r.validationFullValue)) |")
        md.append("| players | `\(s.players)`: \(data.players.count) filters in \(data.players.layers(of: data.model).count) layer(s) |")
        md.append("| removal | `\(s.removal.rawValue)`\(s.removal == .mean ? " (each removed filter's output is replaced by its mean over the validation images)" : "") |")
        if let cutValue {
            md.append("| prefix cache | the network up to `\(cutValue)` runs once per image; each evaluation runs the remaining \(suffixLayers) conv layers |")
        } else {
            md.append("| prefix cache | none: the players include the model's first layers, so each evaluation runs the whole network (\(suffixLayers) conv layers) |")
        }
        let opts = info.estimatorOptions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let budget = info.estimatorOptions["maxEvaluations"].flatMap { Int($0) }
        let ending: String
        if info.status != "finished" {
            ending = "stopped before its stopping rule (\(info.status))"
        } else if let active = info.activePlayers, active > 0 {
            let limit = budget.map { "its budget of \($0) evaluations" } ?? "its budget"
            ending = "stopped by \(limit) with \(active) players still unresolved (not by its stopping rule)"
        } else if let budget, info.evaluations >= budget {
            ending = "stopped at its budget of \(budget) evaluations (not by its stopping rule)"
        } else {
            ending = "stopping rule met"
        }
        md.append("| estimator | `\(info.estimator)`\(opts.isEmpty ? "" : " (\(opts))"), seed \(info.seed); \(ending) |")
        md.append("| cost | \(info.evaluations) evaluations (\(info.samples) samples) in \(format(info.estimationSeconds, digits: 1)) s on \(info.localWorkers) local worker(s)\(info.endpoint.map { " and remote workers at \($0)" } ?? ""); checks \(format(info.analysisSeconds, digits: 1)) s |")
        md.append("")

        let top = r.rows.filter(\.inTopK)
        md.append("## Top \(top.count) filters")
        md.append("")
        md.append("| rank | filter | Shapley value | interval | marginals |")
        md.append("| ---: | --- | ---: | --- | ---: |")
        for row in top { md.append("| \(row.rank) | `\(row.address)` | \(format(row.value)) | [\(format(row.lower)), \(format(row.upper))] | \(row.marginals) |") }
        if let last = top.map(\.lower).min(), let next = r.rows.first(where: { !$0.inTopK }) {
            let separated = last > next.upper
            md.append("")
            md.append(separated
                ? "The intervals separate the top \(top.count) from the rest (lowest lower bound \(format(last)) > best upper bound outside, \(format(next.upper)) of `\(next.address)`)."
                : "The intervals do not fully separate the top \(top.count) from the rest (lowest lower bound in the top: \(format(last)); upper bound of the best filter outside, `\(next.address)`: \(format(next.upper))).")
        }
        md.append("")
        md.append("All \(r.rows.count) players: [values.csv](values.csv), [values.json](values.json).")
        md.append("")

        md.append("## Important filters by layer")
        md.append("")
        md.append("![top filters by layer](layers.svg)")
        md.append("")
        md.append("| layer | filters | in the top \(top.count) |")
        md.append("| --- | ---: | ---: |")
        for l in r.layers where l.inTopK > 0 { md.append("| `\(l.layer)` | \(l.players) | \(l.inTopK) |") }
        md.append("")
        md.append("Every layer: [layers.csv](layers.csv).")
        md.append("")

        md += ablationSection(r, options: options)
        md += useCaseSection(data: data, results: r)

        if !r.patches.isEmpty {
            md.append("## What the top filters see")
            md.append("")
            md.append("For each top filter, the validation images where its output peaks highest, cropped to the filter's receptive field around the peak (strongest first).")
            md.append("")
            for (row, patches) in r.patches {
                md.append("**#\(row.rank) `\(row.address)`** (value \(format(row.value))): ![\(row.address)](patches/\(patchFile(row)))")
                md.append("")
                md.append(patches.map { "`\($0.patch.image)` (\(format(Double($0.patch.value), digits: 2)))" }.joined(separator: ", "))
                md.append("")
            }
            md.append("All top filters together: ![sheet](patches/sheet.png)")
            md.append("")
        }
        if !r.notes.isEmpty {
            md.append("## Notes")
            md.append("")
            for n in r.notes { md.append("- \(n)") }
            md.append("")
        }
        return md.joined(separator: "\n")
    }

    /// The ablation tables and charts.
    static func ablationSection(_ r: AnalysisResults, options: AnalysisOptions) -> [String] {
        guard !r.curves.isEmpty else { return [] }
        var md = ["## Removing filters on held-out images", ""]
        md.append("Each column removes the first k filters of a ranking and measures on the test part (never used for the values). Rankings: "
                  + r.rankings.map { "`\($0.name)` (\($0.meaning))" }.joined(separator: ", ")
                  + ", and `random` (\(options.randomSeeds) random orders: mean ± standard deviation).")
        md.append("")
        for (i, m) in r.measured.enumerated() {
            let curves = r.curves.filter { $0.metric == m.name }
            guard let first = curves.first else { continue }
            md.append("### \(m.name) (\(m.images) images of the \(m.part); nothing removed: \(format(m.full)))")
            md.append("")
            md.append("![ablation \(m.name)](\(chartFile(i)))")
            md.append("")
            md.append("| k | " + curves.map(\.method).joined(separator: " | ") + " |")
            md.append("| ---: | " + curves.map { _ in "---:" }.joined(separator: " | ") + " |")
            for (j, k) in first.sizes.enumerated() {
                let cells = curves.map { c in c.spread.map { "\(format(c.values[j])) ± \(format($0[j]))" } ?? format(c.values[j]) }
                md.append("| \(k) | " + cells.joined(separator: " | ") + " |")
            }
            md.append("")
        }
        md.append("Data: [ablation.csv](ablation.csv); each filter's score and rank by every baseline: [baselines.csv](baselines.csv).")
        md.append("")
        return md
    }

    /// A summary in the words of the metric's use case.
    static func useCaseSection(data: GameData, results r: AnalysisResults) -> [String] {
        let k = r.rows.filter(\.inTopK).count
        func value(_ metric: String, _ method: String, removed: Int) -> Double? {
            guard let c = r.curves.first(where: { $0.metric == metric && $0.method == method }),
                  let j = c.sizes.firstIndex(of: removed) else { return nil }
            return c.values[j]
        }
        func change(_ metric: String) -> String {
            guard let before = value(metric, "shapley", removed: 0) else { return "not measured" }
            let size = r.curves.first { $0.metric == metric }?.sizes.last { $0 <= k } ?? 0
            guard let after = value(metric, "shapley", removed: size) else { return "not measured" }
            return "\(format(before)) → \(format(after)) after removing the top \(size)"
        }
        let names = r.rows.filter(\.inTopK).map { "`\($0.address)`" }.joined(separator: ", ")
        var md: [String] = []
        switch data.metric {
        case .classAccuracy(let c):
            let label = data.classes.map { $0.names[c] } ?? "\(c)"
            md = ["## Filters class \(c) (\(label)) depends on", "",
                  "The \(k) filters with the largest values for `class:\(c)`: \(names).", "",
                  "- class-\(c) metric on the test part: \(change("class:\(c)"))",
                  "- accuracy on all test images: \(change("accuracy"))", ""]
        case .accuracyGap(let a, let b):
            md = ["## Filters whose removal narrows the gap between `\(a)` and `\(b)`", "",
                  "The value is the accuracy gap (group `\(a)` minus group `\(b)`): the filters with the largest values widen it most, so removing them narrows it. They are \(names).", "",
                  "- gap on the test part: \(change(data.metric.description))",
                  "- accuracy on the test part: \(change("accuracy"))",
                  "- accuracy of `\(a)`: \(change("subgroup:\(a)"))",
                  "- accuracy of `\(b)`: \(change("subgroup:\(b)"))", ""]
        case .attackSuccess:
            md = ["## Filters responsible for the attack's success", "",
                  "The value is the attack's success rate (adversarial images classified as their target): the filters with the largest values carry the attack. They are \(names).", "",
                  "- attack success rate on the test part: \(change("attack"))",
                  "- accuracy on the attacked images: \(change("accuracy on attacked images"))",
                  "- clean accuracy: \(change("clean accuracy"))", ""]
        default:
            md = ["## Summary", "", "- `\(data.metric)` on the test part: \(change(data.metric.description))", ""]
        }
        return md
    }

    /// The file name of a top filter's patch strip.
    public static func patchFile(_ row: ValueRow) -> String {
        let safe = String(row.layer.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
        return String(format: "rank-%02d-", row.rank) + "\(safe)-\(row.channel).png"
    }

    /// The file name of the ablation chart of measured metric `i`.
    public static func chartFile(_ i: Int) -> String { i == 0 ? "ablation.svg" : "ablation-\(i + 1).svg" }

    /// `v` with `digits` decimals.
    static func format(_ v: Double, digits: Int = 4) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "∞" : "-∞" }
        return String(format: "%.\(digits)f", v)
    }
}
