import Foundation
import Testing

/// The built `nshap` executable, found next to the test bundle.
enum NShapExecutable {
    static let path: String? = {
        var dirs: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append((exe as NSString).deletingLastPathComponent)
        }
        dirs.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for dir in dirs {
            var d = dir
            for _ in 0..<4 {
                if FileManager.default.isExecutableFile(atPath: d + "/nshap") { return d + "/nshap" }
                d = (d as NSString).deletingLastPathComponent
            }
        }
        return nil
    }()
}

/// Runs `nshap` with `arguments` in `directory`, killing it after `timeout`; returns its exit
/// status (nil when killed) and its output.
func runNShap(_ arguments: [String], in directory: String, timeout: Duration,
              environment: [String: String] = [:]) throws -> (status: Int32?, stdout: String, stderr: String) {
    let executable = try #require(NShapExecutable.path, "build nshap first (swift build --build-tests)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let tag = UInt32.random(in: 0...UInt32.max)
    let out = directory + "/out-\(tag).txt", err = directory + "/err-\(tag).txt"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
    var status: Int32? = nil
    if process.isRunning {
        process.terminate()
        usleep(500_000)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    } else {
        process.waitUntilExit()
        status = process.terminationStatus
    }
    let text = { (p: String) in (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
    return (status, text(out), text(err))
}

@Suite(.serialized) struct RunProcessTests {
    @Test func runOnTheDemoThenPruneItsTopFilters() throws {
        let directory = Paths.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache"
        let run = try runNShap(["run", "--players", "conv4:0-23", "--estimator", "tmc", "--samples", "2", "--max-validation", "24",
                                "--random-seeds", "2", "--ablation-sizes", "1,3", "--patch-filters", "2", "--top-k", "3",
                                "--loo-limit", "0", "--out", "r", "--progress-interval", "1"],
                               in: directory, timeout: .seconds(240), environment: ["NSHAP_CACHE_DIR": cache])
        #expect(run.status == 0, "nshap run failed: \(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("top 3 filters (tmc"))
        #expect(run.stdout.contains("run directory: \(directory)/r"))
        #expect(run.stderr.contains("using the embedded demo"))
        #expect(run.stderr.contains("evaluations"), "progress is streamed")
        for file in ["report.md", "values.csv", "ablation.svg", "layers.svg", "cluster/config.json", "cluster/journal.log"] {
            #expect(FileManager.default.fileExists(atPath: "\(directory)/r/\(file)"), "\(file)")
        }
        let report = try String(contentsOfFile: directory + "/r/report.md", encoding: .utf8)
        #expect(report.contains("leave-one-out values skipped"))

        let prune = try runNShap(["prune", Paths.demoModel, "--top", "3", "r", "-o", "pruned.onnx"], in: directory, timeout: .seconds(120))
        #expect(prune.status == 0, "nshap prune failed: \(prune.stderr)")
        #expect(prune.stdout.contains("wrote pruned.onnx: 3 filters removed (mean): conv4:"))
        #expect(prune.stdout.contains("differ from the masked network's by at most 0"))

        let again = try runNShap(["run", "--players", "conv4", "--out", "r"], in: directory, timeout: .seconds(60),
                                 environment: ["NSHAP_CACHE_DIR": cache])
        #expect(again.status != 0 && again.stderr.contains("already holds a run"))
    }

    @Test func filesThatAreNotImagesAreSkippedAndNamed() throws {
        let directory = Paths.temporaryDirectory("skipped")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Two classes of the demo images and a PNG cut short.
        for digit in ["0", "1"] {
            try FileManager.default.copyItem(atPath: Paths.demoImages + "/" + digit, toPath: directory + "/images/" + digit)
        }
        let first = try FileManager.default.contentsOfDirectory(atPath: directory + "/images/1").sorted()[0]
        let png = try Data(contentsOf: URL(fileURLWithPath: directory + "/images/1/" + first))
        try png.prefix(png.count / 2).write(to: URL(fileURLWithPath: directory + "/images/1/cut.png"))
        let run = try runNShap(["run", Paths.demoModel, "--data", "images", "--players", "conv4:0-3", "--estimator", "tmc",
                                "--samples", "1", "--max-validation", "8", "--random-seeds", "1", "--ablation-sizes", "1",
                                "--patch-filters", "0", "--top-k", "2", "--loo-limit", "0", "--workers", "1", "--out", "r"],
                               in: directory, timeout: .seconds(180), environment: ["NSHAP_CACHE_DIR": directory + "/cache"])
        #expect(run.status == 0, "nshap run failed: \(run.stderr.suffix(2000))")
        #expect(run.stderr.contains("skipped 1 file(s) that could not be read as images: 1/cut.png (cannot decode"))
        #expect(run.stderr.contains("warning: the values rest on only 8 validation image(s)"))
        let report = try String(contentsOfFile: directory + "/r/report.md", encoding: .utf8)
        #expect(report.contains("1 skipped: `1/cut.png` (cannot decode"))
    }

    @Test func aWorkerWithOtherPlayersIsRefused() throws {
        let directory = Paths.temporaryDirectory("refuse")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let endpoint = "ipc://\(directory)/c.ipc"
        let game = ["--model", Paths.demoModel, "--data", Paths.demoImages, "--max-validation", "20"]
        let executable = try #require(NShapExecutable.path)
        let coordinator = Process()
        coordinator.executableURL = URL(fileURLWithPath: executable)
        coordinator.arguments = ["coordinator", "--bind", endpoint, "--run-dir", directory + "/run", "--estimator", "tmc",
                                 "--samples", "1", "--players", "conv4", "--quiet"] + game
        coordinator.standardOutput = FileHandle.nullDevice
        coordinator.standardError = FileHandle.nullDevice
        try coordinator.run()
        defer { if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL); coordinator.waitUntilExit() } }
        let worker = try runNShap(["worker", "--connect", endpoint, "--players", "conv3", "--give-up", "60"] + game,
                                  in: directory, timeout: .seconds(120))
        #expect(worker.status == 2, "refused with exit status 2: \(worker.stderr.suffix(1000))")
        #expect(worker.stderr.contains("refused") && worker.stderr.contains("model"))
    }
}
