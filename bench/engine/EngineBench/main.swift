// Benchmark driver for the engine: times full forward passes, masked evaluations and kernel
// profiles of a model. Run through bench/engine/run.sh and bench/engine/masks.sh.
import Digest
import Dispatch
import Engine
import Foundation

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds (user + system) of the whole process so far.
func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

/// `count` images taken cyclically from `source`.
func batch(_ source: Tensor, _ count: Int) -> Tensor {
    let item = source.shape.dropFirst().reduce(1, *)
    let values = source.asFloats
    var out: [Float] = []
    out.reserveCapacity(count * item)
    for i in 0..<count { let j = i % source.shape[0]; out += values[j * item..<(j + 1) * item] }
    return Tensor(shape: [count] + Array(source.shape.dropFirst()), floats: out)
}

let mode = CommandLine.arguments.dropFirst().first ?? "run"
let model = try Model.load(path: option("model", "../shared/models/efficientnet-lite0.onnx"))
let source = try NPY.read(path: option("input", "../shared/models/efficientnet-lite0-reference/input.npy"))
let threads = Int(option("threads", "2")) ?? 2
let micro = Int(option("micro-batch", "16")) ?? 16
let early = Int(option("early", "1")) ?? 1
let split = Int(option("split", "65536")) ?? 65536
let images = Int(option("batch", "32")) ?? 32
let iterations = Int(option("iterations", "5")) ?? 5
let session = Session(model: model, threads: threads, microBatch: micro, earlyMicroBatch: early, stageSplitFloats: split)
let input = batch(source, images)

switch mode {
case "run":
    _ = try session.run(input)  // warm-up: plans and arenas
    for _ in 0..<iterations {
        let t0 = now(), c0 = processCPU()
        _ = try session.run(input)
        print(String(format: "ms_per_image %.3f cpu_ms_per_image %.3f", (now() - t0) * 1000 / Double(images),
                     (processCPU() - c0) * 1000 / Double(images)))
    }
case "profile":
    // CPU time per kernel; the minimum over repetitions filters out other processes' interference.
    _ = try session.profile(batch(source, micro))
    var best: [String: Double] = [:]
    var order: [String] = []
    var totals: [Double] = []
    for _ in 0..<(Int(option("repeat", "3")) ?? 3) {
        let timings = try session.profile(input)
        totals.append(timings.map(\.seconds).reduce(0, +))
        for t in timings {
            if best[t.label] == nil { order.append(t.label) }
            best[t.label] = min(best[t.label] ?? .infinity, t.seconds)
        }
    }
    let total = best.values.reduce(0, +)
    print(String(format: "sum of per-kernel minima %.1f ms CPU for %d images (%.2f ms/image); totals %@", total * 1000, images,
                 total * 1000 / Double(images), totals.map { String(format: "%.1f", $0 * 1000 / Double(images)) }.joined(separator: " ")))
    var byKind: [String: Double] = [:]
    for (label, v) in best { byKind[String(label.split(separator: " ").first ?? ""), default: 0] += v }
    for (k, v) in byKind.sorted(by: { $0.value > $1.value }) {
        print(String(format: "%8.2f ms/image  %5.1f%%  %@", v * 1000 / Double(images), v / total * 100, k))
    }
    for label in order.sorted(by: { (best[$0] ?? 0) > (best[$1] ?? 0) }).prefix(Int(option("top", "15")) ?? 15) {
        print(String(format: "%8.3f ms/image  %@", (best[label] ?? 0) * 1000 / Double(images), label))
    }
case "masks":
    // Coalitions of units from one region of the network, valued on the same images: one call per
    // coalition through the whole network, against one call for all with prefix caching.
    let coalitions = Int(option("coalitions", "32")) ?? 32
    let fraction = Double(option("fraction", "0.5")) ?? 0.5
    let means = try session.channelMeans(batches: [input])
    let regions: [(String, ClosedRange<Int>)] = [("early", 1...5), ("middle", 18...26), ("late", 42...48), ("last", 48...48)]
    print("images \(images), coalitions \(coalitions), \(Int(fraction * 100))% of each region's units removed at random, threads \(threads)")
    let only = option("only", "all")  // "toggles" skips the regions
    var state: UInt64 = 0
    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
    for (name, layers) in regions where layers.upperBound < model.convLayers.count && only != "toggles" {
        let units = layers.flatMap { model.convLayers[$0].units }
        state = 0x5eed
        let masks = (0..<coalitions).map { _ in Mask(removing: units.filter { _ in Double(next() % 1000) / 1000 < fraction }) }
        // Warm-up (plans), and the check that every way computes the same logits.
        let checked = Array(masks.prefix(4))
        let reference = try session.evaluate(images: input, masks: checked, means: means, prefixCaching: false)
        let difference = max(try session.evaluate(images: input, masks: checked, means: means).maxAbsDifference(reference),
                             try session.evaluate(images: input, masks: checked, means: means, splitting: false).maxAbsDifference(reference))
        let kept = ImageBatch(input)
        _ = try session.evaluate(kept, masks: Array(masks.prefix(1)), means: means)
        var alone: [Double] = [], batched: [Double] = [], batchedFull: [Double] = [], whole: [Double] = [], reused: [Double] = []
        for _ in 0..<iterations {
            var t0 = now()
            for m in masks { _ = try session.evaluate(images: input, masks: [m], means: means, prefixCaching: false) }
            alone.append(now() - t0)
            t0 = now()
            _ = try session.evaluate(images: input, masks: masks, means: means, prefixCaching: false)
            batchedFull.append(now() - t0)
            t0 = now()
            _ = try session.evaluate(images: input, masks: masks, means: means, splitting: false)
            whole.append(now() - t0)
            t0 = now()
            _ = try session.evaluate(images: input, masks: masks, means: means)
            batched.append(now() - t0)
            t0 = now()
            _ = try session.evaluate(kept, masks: masks, means: means)
            reused.append(now() - t0)
        }
        let first = model.convLayers[layers.lowerBound].name, last = model.convLayers[layers.upperBound].name
        print(String(format: "%@ (%@ .. %@, %d units): one at a time %.3f s, batched %.3f s, batched + prefix cache %.3f s; speed-up %.2fx (prefix cache alone %.2fx)",
                     name, first, last, units.count, median(alone), median(batchedFull), median(batched),
                     median(alone) / median(batched), median(batchedFull) / median(batched)))
        print(String(format: "    first differing layer's convolution per pair %.3f s, once per image %.3f s: %.2fx (logits agree within %.1e)",
                     median(whole), median(batched), median(whole) / median(batched), difference))
        print(String(format: "    once-per-image work kept from an earlier call %.3f s: %.2fx faster than once per call",
                     median(reused), median(batched) / median(reused)))
    }
    // A base coalition over the whole network (half of all units removed) and the same base with
    // one unit toggled per mask, as the adaptive estimator's direct measurements reach the engine:
    // the units in play (`in-play` of them, at random) toggled in unit order, `batch-masks` masks
    // per call. Timed: `coalitions / batch-masks` calls at random places in that order. The
    // removals the masks of a call share run once per image up to the first layer they differ in.
    let perCall = Int(option("batch-masks", "16")) ?? 16
    let inPlay = min(model.unitCount, Int(option("in-play", "1000")) ?? 1000)
    state = 0xba5e
    let base = (0..<model.unitCount).filter { _ in next() % 2 == 0 }
    let baseSet = Set(base)
    var pool = Array(0..<model.unitCount)
    for i in 0..<inPlay { pool.swapAt(i, i + Int(next() % UInt64(model.unitCount - i))) }
    let order = pool[0..<inPlay].sorted()
    let calls = (0..<max(1, coalitions / perCall)).map { _ -> [Mask] in
        let start = Int(next() % UInt64(max(1, inPlay - perCall + 1)))
        return order[start..<min(inPlay, start + perCall)].map { u in
            Mask(removing: baseSet.contains(u) ? base.filter { $0 != u } : base + [u])
        }
    }
    for call in calls { _ = try session.evaluate(images: input, masks: call, means: means) }  // warm-up: plans
    for call in calls { _ = try session.evaluate(images: input, masks: call, means: means, splitting: false) }
    var whole: [Double] = [], shared: [Double] = [], unsplit: [Double] = []
    for _ in 0..<iterations {
        var t0 = now()
        for call in calls { _ = try session.evaluate(images: input, masks: call, means: means, prefixCaching: false) }
        whole.append(now() - t0)
        t0 = now()
        for call in calls { _ = try session.evaluate(images: input, masks: call, means: means, splitting: false) }
        unsplit.append(now() - t0)
        t0 = now()
        for call in calls { _ = try session.evaluate(images: input, masks: call, means: means) }
        shared.append(now() - t0)
    }
    print(String(format: "base + toggles (half of all %d units removed; %d calls of %d masks among %d units in play): whole network per mask %.3f s, shared removals in the prefix %.3f s; speed-up %.2fx",
                 model.unitCount, calls.count, perCall, inPlay, median(whole), median(shared), median(whole) / median(shared)))
    print(String(format: "    first differing layer's convolution per pair %.3f s, once per image %.3f s: %.2fx",
                 median(unsplit), median(shared), median(unsplit) / median(shared)))
case "sha":
    // SHA-256 throughput (fingerprints of models and data sets).
    let data = [UInt8](repeating: 0x5a, count: 64 << 20)
    let t0 = now()
    _ = SHA256.hex(data)
    print(String(format: "sha256 %.0f MB/s", 64 / (now() - t0)))
default:
    print("usage: engine-bench run|profile|masks [--model M] [--input NPY] [--threads T] [--micro-batch M] [--batch B] [--iterations I]; masks: [--coalitions C] [--fraction F] [--batch-masks M] [--in-play P] [--only toggles]")
}
