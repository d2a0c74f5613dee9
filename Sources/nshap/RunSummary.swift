import Foundation
import NeuronShapley

/// What `nshap run` prints when it is done: the top filters, what removing them did, and where
/// the run directory is.
enum RunSummary {
    static func text(results: AnalysisResults, info: RunInfo, directory: String) -> String {
        var lines: [String] = []
        let top = results.rows.filter(\.inTopK)
        let cap = info.estimatorOptions["maxEvaluations"].flatMap { Int($0) }
        let ending = info.status != "finished" ? ", stopped before its stopping rule"
            : (cap.map { info.evaluations >= $0 } ?? false) ? ", at its evaluation budget" : ""
        lines.append("top \(top.count) filters (\(info.estimator), \(info.evaluations) evaluations, \(String(format: "%.1f", info.estimationSeconds)) s\(ending))")
        lines.append("rank  filter                              value  interval")
        for r in top {
            let name = r.address.count > 30 ? String(r.address.prefix(29)) + "…" : r.address
            lines.append(String(format: "%4d  ", r.rank) + name.padding(toLength: 30, withPad: " ", startingAt: 0)
                         + String(format: " %10.5f  [%.5f, %.5f]", r.value, r.lower, r.upper))
        }
        if let main = results.measured.first {
            let curves = results.curves.filter { $0.metric == main.name }
            let k = curves.first?.sizes.last { $0 <= top.count } ?? 0
            if k > 0 {
                let parts = curves.compactMap { c -> String? in
                    guard let j = c.sizes.firstIndex(of: k) else { return nil }
                    let spread = c.spread.map { String(format: " ± %.4f", $0[j]) } ?? ""
                    return "\(c.method) \(String(format: "%.4f", c.values[j]))\(spread)"
                }
                lines.append("\(main.name) on \(main.images) test images: \(String(format: "%.4f", main.full)) with every filter; after removing \(k): " + parts.joined(separator: ", "))
            }
        }
        let absolute = GameSettings.absolutePath(directory)
        lines.append("run directory: \(absolute) (report: \(absolute)/report.md)")
        return lines.joined(separator: "\n")
    }
}
