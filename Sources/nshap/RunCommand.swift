import ArgumentParser
import Cluster
import Engine
import Foundation
import Logging
import NeuronShapley
import ShapleyCore

/// `nshap run`: Neuron Shapley end to end, from a model and labelled images to a run directory
/// with the values, the ablation checks and a report.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Find the filters a network's behaviour depends on, check them by ablation, and write a report.",
        discussion: """
        The labelled images are split (by --split-seed) into a validation part, on which the Shapley values of the chosen filters are estimated, and a test part, on which removing the top filters is compared with removing random filters, or the top filters by weight norm, by mean activation and by leave-one-out value. The estimation runs through the cluster: a coordinator in this process and --workers local worker processes; with --coordinator ENDPOINT remote workers can join too (the command they need is printed). Without MODEL, the embedded demo (a digits CNN and its 450 test images) is used.

        The run directory holds report.md, values.csv/.json, layers.csv/.svg, ablation.csv/.svg, patches/*.png, settings.json, run.json and the coordinator's journal (cluster/); an interrupted run continues with --resume RUN_DIR.

        Metrics: accuracy, class:N (the class's images against as many others), logprob, logit, agreement (with the unablated model), subgroup:G and gap:A,B (with --groups FILE), attack (with --targets FILE; --clean-data DIR adds clean accuracy).
        """)

    @Argument(help: ArgumentHelp("The ONNX model (default: the embedded demo).", valueName: "MODEL.onnx"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Labelled images: class folders, an image or an .npy tensor (default with the demo: its test images).", valueName: "DIR"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("accuracy, class:N, logprob, logit, agreement, subgroup:G, gap:A,B or attack.", valueName: "METRIC"))
    var metric: String = "accuracy"

    @Option(name: .long, help: ArgumentHelp("The filters that are players: layer names, globs ('blocks.6.*'), layer index ranges ('40-48'), unit addresses ('conv1:0-7'), or all.", valueName: "LAYERS"))
    var players: String = "all"

    @Option(name: .customLong("top-k"), help: ArgumentHelp("How many top filters to search for and report.", valueName: "K"))
    var topK: Int = 10

    @Option(name: .long, help: ArgumentHelp("How removed filters are replaced: mean, zero or bias.", valueName: "MODE"))
    var removal: String = "mean"

    @Option(name: .long, help: ArgumentHelp("The estimator: \(EstimatorRegistry.names.joined(separator: ", ")) (default: \(RunDefaults.estimator)).", valueName: "NAME"))
    var estimator: String?

    @Option(name: .long, help: ArgumentHelp("Local worker processes (default 2; 0 with --coordinator to use remote workers only).", valueName: "N"))
    var workers: Int?

    @Option(name: .long, help: ArgumentHelp("Also let remote workers join on this address, e.g. tcp://*:5555 (CURVE off loopback: see --keys).", valueName: "ENDPOINT"))
    var coordinator: String?

    @Option(name: .long, help: ArgumentHelp("The run directory (default: runs/run-TIME-ID).", valueName: "RUN_DIR"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Continue the run kept in this directory (its saved settings are used).", valueName: "RUN_DIR"))
    var resume: String?

    @Option(name: .long, help: ArgumentHelp("The run seed (which walks and coalitions are sampled).", valueName: "SEED"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Stop after this many samples.", valueName: "N"))
    var samples: Int?

    @Option(name: .long, help: ArgumentHelp("Stop after this many evaluations (default with the demo: \(RunDefaults.demoEvaluations)).", valueName: "N"))
    var evaluations: Int?

    @Option(name: .customLong("time-limit"), help: ArgumentHelp("Stop estimating after this many seconds and check the values estimated so far.", valueName: "SECONDS"))
    var timeLimit: Double?

    @Option(name: .customLong("set"), help: ArgumentHelp("An estimator setting KEY=VALUE (repeatable), as for 'nshap coordinator'.", valueName: "KEY=VALUE"))
    var settings: [String] = []

    @OptionGroup(title: "Data") var dataOptions: RunDataOptions
    @OptionGroup(title: "Checks") var checks: RunCheckOptions
    @OptionGroup(title: "Security (with --coordinator)") var security: CoordinatorSecurityOptions

    @Option(name: .customLong("progress-interval"), help: ArgumentHelp("Seconds between progress lines.", valueName: "SECONDS"))
    var progressInterval: Double = 2

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String = "warning"

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k \(topK): expected at least 1") }
        if let workers, workers < 0 || workers > 256 { throw ValidationError("--workers \(workers): expected 0 to 256") }
        if (workers ?? 2) == 0 && coordinator == nil { throw ValidationError("--workers 0 needs --coordinator ENDPOINT for remote workers") }
        if resume != nil && (out != nil || model != nil) { throw ValidationError("--resume RUN_DIR continues a run with its saved settings; give no MODEL or --out") }
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit \(timeLimit): expected a positive number of seconds") }
        if let e = estimator, !EstimatorRegistry.names.contains(e.lowercased()) {
            throw ValidationError("--estimator \(e): expected one of \(EstimatorRegistry.names.joined(separator: ", "))")
        }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        LogSetup.bootstrap(Logger.Level(rawValue: logLevel.lowercased()) ?? .warning)
        let logger = Logger(label: "nshap.run")
        let say: @Sendable (String) -> Void = { line in
            if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        let (directory, saved, estimatorArguments) = try prepare(say: say)
        say("loading \(saved.game.model) and \(saved.game.data)")
        let data = try GameData.load(saved.game)
        say("\(data.players.count) players in \(data.players.layers(of: data.model).count) layers; \(data.validation.count) validation and \(data.test.count) test images; metric \(data.metric)")
        if data.validation.count < 16 {
            say("warning: the values rest on only \(data.validation.count) validation image(s), so the metric moves in coarse steps; give more images or a larger --max-validation or --validation-fraction")
        }
        if !data.images.skipped.isEmpty {
            let first = data.images.skipped.prefix(5).map { "\($0.name) (\($0.reason))" }.joined(separator: ", ")
            say("skipped \(data.images.skippedCount) file(s) that could not be read as images: \(first)\(data.images.skippedCount > 5 ? ", …" : "")")
        }

        let workerCount = workers ?? (coordinator == nil ? 2 : 0)
        let cluster = RunCluster(
            data: data, estimator: estimatorArguments, workers: workerCount, bind: coordinator, security: security,
            batchSize: dataOptions.batchSize, clusterDirectory: directory + "/cluster", resume: resume != nil,
            progressInterval: progressInterval, quiet: quiet, workerLogLevel: logLevel, timeLimit: timeLimit)
        let estimated = try await cluster.run(logger: logger)
        let report = estimated.outcome.report
        say("estimated: \(report.evaluations) evaluations in \(String(format: "%.1f", estimated.seconds)) s (\(estimated.outcome.status.rawValue)); checking on the test part")

        let clock = ContinuousClock(), start = clock.now
        let analysis = RunAnalysis(data: data, report: report, options: saved.analysis)
        let results = try analysis.perform(progress: say)
        let elapsed = clock.now - start
        let info = RunInfo(
            command: Self.commandLine(), runID: estimated.run.runID, estimator: estimated.run.estimator,
            estimatorOptions: estimated.run.options, seed: estimated.run.seed, finished: report.finished,
            status: estimated.outcome.status.rawValue, evaluations: report.evaluations, samples: report.samples,
            localWorkers: workerCount, endpoint: coordinator.map { _ in estimated.endpoint },
            estimationSeconds: estimated.seconds,
            analysisSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
            clusterDirectory: directory + "/cluster", activePlayers: report.activePlayers)
        let cut = try ModelCut(model: data.model, players: data.players.units)
        try RunOutput.write(to: directory, data: data, report: report, info: info, results: results, options: saved.analysis, cut: cut)
        print(RunSummary.text(results: results, info: info, directory: directory))
        if estimated.outcome.status == .stopped && timeLimit == nil { throw ExitCode(75) }
    }

    /// The run directory, the saved settings and the estimator's arguments, for a new or resumed run.
    func prepare(say: (String) -> Void) throws -> (String, RunOutput.SavedSettings, EstimatorArguments) {
        if let resume {
            var saved = try RunOutput.settings(in: resume)
            if let threads = checks.checkThreads { saved.analysis.threads = threads }
            let (_, run) = try RunDirectory.open(at: resume + "/cluster")
            let arguments = try EstimatorArguments.parse(["--estimator", run.estimator, "--seed", "\(run.seed)"])
            return (resume, saved, arguments)
        }
        var game: GameSettings
        var isDemo = false
        if let model {
            guard let data else { throw ValidationError("MODEL needs --data DIR: the labelled images the values are computed on") }
            game = GameSettings(model: model, data: data, metric: metric, players: players)
        } else {
            let demo = try DemoBundle.location()
            say("no model given: using the embedded demo (\(demo.directory))")
            game = GameSettings(model: demo.model, data: data ?? demo.images, metric: metric, players: players)
            isDemo = true
        }
        guard let mode = Removal(rawValue: removal) else {
            throw ValidationError("--removal \(removal): expected one of \(Removal.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        game.removal = mode
        try dataOptions.apply(to: &game, demo: isDemo)
        let directory = out ?? "runs/\(CoordinatorLauncher.newRunID())"
        guard !FileManager.default.fileExists(atPath: directory + "/cluster/config.json") else {
            throw ValidationError("--out \(directory) already holds a run; continue it with --resume \(directory) or choose another directory")
        }
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        game.cacheDirectory = directory + "/cache"
        game = game.absolutized()
        var analysis = try checks.options(topK: topK)
        analysis.cleanData = dataOptions.cleanData.map { GameSettings.absolutePath($0) }
        if isDemo, analysis.cleanData == nil, game.metric == "attack", data != nil {
            // The demo's own test images are the clean counterpart of attacked demo images.
            analysis.cleanData = try DemoBundle.location().images
        }
        let saved = RunOutput.SavedSettings(game: game, analysis: analysis)
        try RunOutput.saveSettings(saved, in: directory)
        var args = ["--estimator", estimator ?? RunDefaults.estimator, "--seed", "\(seed)", "--top-k", "\(topK)"]
        if let samples { args += ["--samples", "\(samples)"] }
        if let e = evaluations ?? (isDemo && samples == nil ? RunDefaults.demoEvaluations : nil) { args += ["--evaluations", "\(e)"] }
        for s in settings { args += ["--set", s] }
        return (directory, saved, try EstimatorArguments.parse(args))
    }

    /// The command line as typed, for the report.
    static func commandLine() -> String {
        (["nshap"] + CommandLine.arguments.dropFirst()).map(RunCluster.quoted).joined(separator: " ")
    }
}
