// Decoding and preprocessing throughput of the Dataset module on a folder of images, and the
// fidelity of its inputs against a reference tensor made by Pillow + torchvision arithmetic.
//
//   dataset-bench SIDECAR DATA [--repeats N] [--compare REFERENCE.npy]
//
// Prints, for 1 and 2 threads, the median wall time of loading DATA (decode + preprocess, no
// cache) over N runs, the per-image time of decoding alone, and with --compare the largest and
// mean absolute difference to the reference tensor (same file order: sorted relative paths).
import Dataset
import Digest
import Foundation

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// CPU time of the calling thread, in seconds (insensitive to other processes on a busy machine).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// CPU time of the whole process (all threads), in seconds.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let (s, atto) = (ContinuousClock.now - start).components
    return Double(s) + Double(atto) * 1e-18
}

var arguments = Array(CommandLine.arguments.dropFirst())
var repeats = 5
var comparePath: String?
if let i = arguments.firstIndex(of: "--repeats"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    repeats = n
    arguments.removeSubrange(i...(i + 1))
}
if let i = arguments.firstIndex(of: "--compare"), i + 1 < arguments.count {
    comparePath = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
guard arguments.count == 2 else {
    print("usage: dataset-bench SIDECAR DATA [--repeats N] [--compare REFERENCE.npy]")
    exit(2)
}
do {
    let sidecar = try Sidecar(contentsOf: arguments[0])
    let folder = try ImageFolder(path: arguments[1], classes: try sidecar.classLabels())
    print("data: \(arguments[1]) (\(folder.entries.count) files), preprocessing: \(sidecar.preprocessing.key)")

    // Decoding alone, one thread.
    let files = try folder.entries.map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) }.map { [UInt8]($0) }
    var decodeTimes: [Double] = [], decodeCPU: [Double] = []
    for _ in 0..<repeats {
        let cpu = threadCPUSeconds()
        decodeTimes.append(try seconds { for (i, f) in files.enumerated() { _ = try ImageDecoder().decode(f, name: "\(i)") } })
        decodeCPU.append(threadCPUSeconds() - cpu)
    }
    print(String(format: "decode only, 1 thread: %.3f ms/image wall, %.3f ms/image of CPU time (medians of %d)",
                 median(decodeTimes) / Double(files.count) * 1e3, median(decodeCPU) / Double(files.count) * 1e3, repeats))

    // Hashing alone (the fingerprint reads every byte).
    let totalBytes = files.reduce(0) { $0 + $1.count }
    var hashTimes: [Double] = [], hashCPU: [Double] = []
    for _ in 0..<repeats {
        let cpu = threadCPUSeconds()
        hashTimes.append(seconds { for f in files { _ = SHA256.hex(f) } })
        hashCPU.append(threadCPUSeconds() - cpu)
    }
    print(String(format: "SHA-256 of the files, 1 thread: %.0f MB/s wall, %.0f MB/s of CPU time (medians of %d)",
                 Double(totalBytes) / median(hashTimes) / 1e6, Double(totalBytes) / median(hashCPU) / 1e6, repeats))

    var loaded: LabeledImages?
    var perThreads: [Int: Double] = [:]
    for threads in [1, 2] {
        let loader = ImageLoader(preprocessing: sidecar.preprocessing, threads: threads, cache: nil)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<repeats {
            let before = processCPUSeconds()
            times.append(try seconds { loaded = try loader.load(folder) })
            cpu.append(processCPUSeconds() - before)
        }
        perThreads[threads] = median(times)
        let cpuNote = String(format: ", %.3f s of CPU time (all threads)", median(cpu))
        print(String(format: "decode + preprocess, %d thread(s): %.3f s for %d images, %.3f ms/image (median of %d; min %.3f, max %.3f)%@",
                     threads, median(times), folder.entries.count, median(times) / Double(folder.entries.count) * 1e3,
                     repeats, times.min() ?? 0, times.max() ?? 0, cpuNote))
    }
    if let one = perThreads[1], let two = perThreads[2] {
        print(String(format: "speed-up of 2 threads over 1: %.2fx", one / two))
    }
    if let comparePath, let images = loaded {
        let reference = try NPYArray(contentsOf: comparePath)
        guard reference.shape == images.shape else {
            print("reference shape \(reference.shape) differs from ours \(images.shape)")
            exit(1)
        }
        var worst: Float = 0, total = 0.0, differing = 0
        for (a, b) in zip(images.inputs, reference.floats) {
            let d = abs(a - b)
            worst = max(worst, d)
            total += Double(d)
            if d > 0 { differing += 1 }
        }
        print(String(format: "against %@: max abs diff %.3g, mean abs diff %.3g, %d of %d values differ",
                     comparePath, worst, total / Double(images.inputs.count), differing, images.inputs.count))
    }
} catch {
    print("error: \(error)")
    exit(1)
}
