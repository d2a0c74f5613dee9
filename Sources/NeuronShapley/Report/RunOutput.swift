import Dataset
import Engine
public import ShapleyCore
import Foundation

/// The files of a run directory written by `nshap run`:
///
/// | file | holds |
/// | --- | --- |
/// | `report.md` | the report tying everything together, with every setting |
/// | `values.csv`, `values.json` | every player: address, layer, channel, estimate, interval, marginals, rank |
/// | `layers.csv`, `layers.svg` | the top-k filters per layer |
/// | `ablation.csv`, `ablation*.svg` | the metric after removing top filters by each ranking, and at random |
/// | `patches/*.png` | the top filters' strongest image patches; `sheet.png` all of them |
/// | `settings.json` | the game and analysis settings (read back by `nshap prune --top`) |
/// | `run.json` | the command, the estimator and its cost |
/// | `cluster/` | the coordinator's configuration and journal |
public enum RunOutput {
    /// The settings as saved in `settings.json`.
    public struct SavedSettings: Codable, Sendable {
        /// The game.
        public var game: GameSettings
        /// The checks.
        public var analysis: AnalysisOptions

        /// Saved settings.
        public init(game: GameSettings, analysis: AnalysisOptions) {
            self.game = game
            self.analysis = analysis
        }
    }

    /// Writes every file of the run to `directory`.
    public static func write(to directory: String, data: GameData, report: EstimateReport, info: RunInfo,
                             results: AnalysisResults, options: AnalysisOptions, cut: ModelCut) throws {
        try create(directory + "/patches")
        try text(ValuesTable.csv(results.rows), directory + "/values.csv")
        try json(results.rows, directory + "/values.json")
        try text(ValuesTable.layersCSV(results.layers), directory + "/layers.csv")
        try text(Ranking.csv(results.rankings, addresses: data.players.addresses(in: data.model)), directory + "/baselines.csv")
        try text(ValuesTable.layersChart(results.layers, topK: results.rows.filter(\.inTopK).count), directory + "/layers.svg")
        if !results.curves.isEmpty {
            try text(Ablation.csv(results.curves), directory + "/ablation.csv")
            for (i, m) in results.measured.enumerated() {
                let title = "\(m.name) after removing filters (\(m.images) \(m.part) images)"
                try text(Ablation.chart(results.curves, metric: m.name, title: title), directory + "/" + RunReport.chartFile(i))
            }
        }
        var rows: [[Bitmap]] = []
        for (row, patches) in results.patches where !patches.isEmpty {
            let cell = 96
            let strip = patches.map { PatchGallery.enlarged($0.bitmap, to: cell) }
            try bytes(try PNGEncoder.encode(PatchGallery.sheet([strip], cell: cell)), directory + "/patches/" + RunReport.patchFile(row))
            rows.append(strip)
        }
        if !rows.isEmpty { try bytes(try PNGEncoder.encode(PatchGallery.sheet(rows, cell: 96)), directory + "/patches/sheet.png") }
        try json(SavedSettings(game: data.settings, analysis: options), directory + "/settings.json")
        try json(info, directory + "/run.json")
        let md = RunReport.markdown(data: data, info: info, results: results, cutValue: cut.cachedValue,
                                    suffixLayers: cut.suffix.convLayers.count, options: options)
        try text(md, directory + "/report.md")
    }

    /// Writes `settings.json` (before the estimation starts, so that an interrupted run can resume).
    public static func saveSettings(_ settings: SavedSettings, in directory: String) throws {
        try create(directory)
        try json(settings, directory + "/settings.json")
    }

    /// Reads `settings.json` of a run directory.
    public static func settings(in directory: String) throws -> SavedSettings {
        let path = directory + "/settings.json"
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw NeuronShapleyError.invalidRunDirectory(path: directory, reason: "has no settings.json")
        }
        do {
            return try JSONDecoder().decode(SavedSettings.self, from: bytes)
        } catch {
            throw NeuronShapleyError.invalidRunDirectory(path: directory, reason: "settings.json is unreadable: \(error)")
        }
    }

    /// Reads `values.json` of a run directory (rows ranked best first).
    public static func values(in directory: String) throws -> [ValueRow] {
        let path = directory + "/values.json"
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw NeuronShapleyError.invalidRunDirectory(path: directory, reason: "has no values.json")
        }
        do {
            return try decoder().decode([ValueRow].self, from: bytes).sorted { $0.rank < $1.rank }
        } catch {
            throw NeuronShapleyError.invalidRunDirectory(path: directory, reason: "values.json is unreadable: \(error)")
        }
    }

    static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw NeuronShapleyError.file(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
    }

    static func text(_ s: String, _ path: String) throws { try bytes(Array(s.utf8), path) }

    static func bytes(_ b: [UInt8], _ path: String) throws {
        do {
            try Data(b).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NeuronShapleyError.file(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    static func json<T: Encodable>(_ value: T, _ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            try bytes(Array(try encoder.encode(value)), path)
        } catch let e as NeuronShapleyError {
            throw e
        } catch {
            throw NeuronShapleyError.file(path: path, reason: "cannot encode: \(error)")
        }
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
