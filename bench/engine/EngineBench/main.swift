// Benchmark driver for the engine: times full forward passes, masked evaluations and kernel
// profiles of a model. Run through bench/engine/run.sh and bench/engine/masks.sh.
import Dispatch
import Engine
import Foundation

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

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
let micro = Int(option("micro-batch", "8")) ?? 8
let images = Int(option("batch", "32")) ?? 32
let iterations = Int(option("iterations", "5")) ?? 5
let session = Session(model: model, threads: threads, microBatch: micro)
let input = batch(source, images)

switch mode {
case "run":
    _ = try session.run(input)  // warm-up: plans and arenas
    for _ in 0..<iterations {
        let t0 = now()
        _ = try session.run(input)
        print(String(format: "ms_per_image %.3f", (now() - t0) * 1000 / Double(images)))
    }
case "profile":
    _ = try session.profile(batch(source, micro))
    let timings = try session.profile(input)
    let total = timings.map(\.seconds).reduce(0, +)
    var byKind: [String: Double] = [:]
    for t in timings { byKind[String(t.label.split(separator: " ").first ?? ""), default: 0] += t.seconds }
    print(String(format: "total %.1f ms for %d images (%.2f ms/image, 1 thread)", total * 1000, images, total * 1000 / Double(images)))
    for (k, v) in byKind.sorted(by: { $0.value > $1.value }) { print(String(format: "%8.1f ms  %5.1f%%  %@", v * 1000, v / total * 100, k)) }
    for t in timings.sorted(by: { $0.seconds > $1.seconds }).prefix(Int(option("top", "15")) ?? 15) {
        print(String(format: "%8.2f ms  %@", t.seconds * 1000, t.label))
    }
default:
    print("usage: engine-bench run|profile [--model M] [--input NPY] [--threads T] [--micro-batch M] [--batch B] [--iterations I]")
}
