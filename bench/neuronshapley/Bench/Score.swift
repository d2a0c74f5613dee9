import Foundation

/// `score`: when did each raced estimator's top-k first reach, and then keep, a precision against
/// a reference ranking? With `--tolerance ε` a filter outside the reference's top k also counts
/// when its reference value is within ε of the k-th (an ε-good top k, for references whose values
/// near the boundary are closer than their own precision).
enum Score {
    struct Reached {
        var seconds: Double
        var evaluations: Int
    }

    static func run(_ o: Options, files: [String]) {
        let k = o.int("k") ?? 10
        guard k >= 1 else { fail("--k \(k): expected at least 1") }
        let target = o.double("target") ?? 0.9
        if let list = o.string("truth") {
            // The reference's top k given by its filters' addresses (a reference whose run files
            // are gone, read from the results where its ranking was recorded).
            guard let first = files.first else { fail("score --truth: give at least one race result") }
            let addresses = readJSON(Race.Result.self, from: first).addresses
            let names = list.split(separator: ",").map { $0.filter { $0 != " " } }
            let truth = Set(names.map { name -> Int in
                guard let i = addresses.firstIndex(of: name) else {
                    fail("--truth: no player \(name) in \(first); players are named like \(addresses.prefix(3).joined(separator: ", "))")
                }
                return i
            })
            guard truth.count == k else { fail("--truth lists \(truth.count) distinct players; expected k = \(k)") }
            print("reference: the given top \(k): " + names.joined(separator: ", "))
            table(files: files, truth: truth, k: k, target: target, ours: o.string("ours"))
            return
        }
        let reference = readJSON(Race.Result.self, from: o.require("reference"))
        var truth = Set(reference.ranking.prefix(k))
        print("reference: \(reference.estimator), \(reference.evaluations) evaluations, \(reference.samples) samples; top \(k): "
              + reference.ranking.prefix(k).map { reference.addresses[$0] }.joined(separator: ", "))
        if let tolerance = o.double("tolerance"), let kth = reference.ranking.dropFirst(k - 1).first {
            // An ε-good top k: a filter whose reference value is within ε of the k-th also counts.
            let floor = reference.values[kth] - tolerance
            let near = reference.ranking.dropFirst(k).prefix { reference.values[$0] >= floor }
            truth.formUnion(near)
            print("tolerance \(tolerance): also counted (reference value >= \(String(format: "%.4f", floor))): "
                  + (near.isEmpty ? "none" : near.map { reference.addresses[$0] }.joined(separator: ", ")))
        }
        if let second = o.string("reference2") {
            let other = readJSON(Race.Result.self, from: second)
            let overlap = Set(other.ranking.prefix(k)).intersection(truth).count
            print("reference check: an independent run (\(other.estimator), seed in \(second)) shares \(overlap) of the top \(k)")
        }
        table(files: files, truth: truth, k: k, target: target, ours: o.string("ours"))
    }

    /// One row per run: when its top k first reached, and then kept, `target` precision against
    /// `truth`; then each run's ratio to `ours`.
    static func table(files: [String], truth: Set<Int>, k: Int, target: Double, ours base: String?) {
        print("estimator | status | evaluations | seconds | final precision@\(k) | first >= \(target): evaluations, s | kept >= \(target) from: evaluations, s")
        var rows: [(String, Reached?)] = []
        for file in files {
            let r = readJSON(Race.Result.self, from: file)
            let precisions = r.snapshots.map { Double(Set($0.top.prefix(k)).intersection(truth).count) / Double(k) }
            let final = Double(Set(r.topK.prefix(k)).intersection(truth).count) / Double(k)
            let first = r.snapshots.indices.first { precisions[$0] >= target }
            var kept: Int? = nil
            if final >= target {
                var i = r.snapshots.count
                while i > 0 && precisions[i - 1] >= target { i -= 1 }
                kept = i < r.snapshots.count ? i : nil
            }
            func cell(_ i: Int?) -> String {
                guard let i else { return "not reached" }
                return "\(r.snapshots[i].evaluations), \(String(format: "%.0f", r.snapshots[i].elapsed))"
            }
            print("\(r.estimator) | \(r.status) | \(r.evaluations) | \(String(format: "%.0f", r.seconds)) | \(String(format: "%.1f", final)) | \(cell(first)) | \(cell(kept))")
            rows.append((r.estimator, kept.map { Reached(seconds: r.snapshots[$0].elapsed, evaluations: r.snapshots[$0].evaluations) }))
        }
        if let base, let ours = rows.first(where: { $0.0 == base })?.1 {
            for (name, reached) in rows where name != base {
                guard let reached else {
                    print("\(name) did not keep precision@\(k) >= \(target) within its run: ratio > its whole run")
                    continue
                }
                let e = Double(reached.evaluations) / Double(max(ours.evaluations, 1)), t = reached.seconds / max(ours.seconds, 1e-9)
                print("\(name) / \(base): \(String(format: "%.1f", e))x the evaluations, \(String(format: "%.1f", t))x the wall time")
            }
        }
    }
}
