import Dataset
import Engine
import Foundation
import NeuronShapley
import ShapleyCore
import Testing

/// The paper's use cases on the demo: class-specific accuracy, the accuracy gap between groups,
/// and an attack's success rate, each from the values to the report.
@Suite struct UseCaseTests {
    /// A short run of `settings` (a few filters of conv4, 60 test images) with its analysis.
    func analyse(_ settings: GameSettings, cleanData: String? = nil) throws -> (GameData, NetworkGame, AnalysisResults, String) {
        let data = try GameData.load(settings)
        let game = try NetworkGame(data: data)
        var options = EstimatorOptions(seed: 3)
        options.maxSamples = 2
        var estimator = try EstimatorRegistry.make("tmc", playerCount: game.playerCount, chanceLevel: game.chanceLevel, options: options)
        let report = try LocalRun.run(&estimator, game: game)
        var analysis = AnalysisOptions()
        analysis.topK = 3
        analysis.patchFilters = 1
        analysis.patchesPerFilter = 2
        analysis.randomSeeds = 2
        analysis.ablationSizes = [1, 3]
        analysis.cleanData = cleanData
        analysis.maxTest = 60
        let results = try RunAnalysis(data: data, report: report, options: analysis).perform()
        let info = RunInfo(command: "test", runID: "r", estimator: "tmc", estimatorOptions: [:], seed: 3, finished: true,
                           status: "finished", evaluations: report.evaluations, samples: report.samples, localWorkers: 0,
                           endpoint: nil, estimationSeconds: 0, analysisSeconds: 0, clusterDirectory: "")
        let md = RunReport.markdown(data: data, info: info, results: results, cutValue: game.evaluator.cut.cutValue,
                                    suffixLayers: 1, options: analysis)
        return (data, game, results, md)
    }

    @Test func classSpecificRunMeasuresTheClassAndOverallAccuracy() throws {
        let (data, game, results, md) = try analyse(demoSettings(metric: "class:9", players: "conv4:0-7", maxValidation: 40))
        let labels = try #require(data.images.labels)
        #expect(data.validation.filter { labels[$0] == 9 }.count * 2 == data.validation.count)
        #expect(game.chanceLevel == 0.5)
        #expect(results.measured.map(\.name) == ["class:9", "accuracy"])
        // Overall accuracy is measured on the whole test part, not the balanced one.
        #expect(results.measured[1].images > results.measured[0].images)
        #expect(md.contains("## Filters class 9 (9) depends on"))
    }

    @Test func fairnessRunMeasuresTheGapAndBothGroups() throws {
        var settings = demoSettings(metric: "gap:straight,curved", players: "conv4:0-7", maxValidation: 40)
        settings.groups = Paths.examples + "/groups.tsv"
        let (data, game, results, md) = try analyse(settings)
        // The game's full value is the gap computed independently from the logits.
        let part = data.images.subset(data.validation)
        let logits = try Session(model: data.model, threads: 2).run(Tensor(shape: part.shape, floats: part.inputs)).asFloats
        let predicted = Logits.top1(logits, classes: 10)
        let groups = try #require(part.groups), labels = try #require(part.labels)
        func accuracy(_ g: String) -> Double {
            let members = groups.indices.filter { groups[$0] == g }
            return Double(members.filter { predicted[$0] == labels[$0] }.count) / Double(members.count)
        }
        #expect(abs(try game.fullValue() - (accuracy("straight") - accuracy("curved"))) < 1e-12)
        #expect(results.measured.map(\.name) == ["gap:straight,curved", "accuracy", "subgroup:straight", "subgroup:curved"])
        #expect(md.contains("## Filters whose removal narrows the gap between `straight` and `curved`"))
    }

    @Test func attackRunMeasuresSuccessAndCleanAccuracy() throws {
        var settings = demoSettings(metric: "attack", players: "conv4:0-7", maxValidation: 40)
        settings.data = Paths.examples + "/adversarial"
        settings.targets = Paths.examples + "/targets.tsv"
        let (data, game, results, md) = try analyse(settings, cleanData: Paths.demoImages)
        #expect(data.images.count == 200)
        // Every committed adversarial image reaches its target on the unablated model.
        #expect(try game.fullValue() == 1)
        #expect(results.measured.map(\.name) == ["attack", "accuracy on attacked images", "clean accuracy"])
        #expect(results.measured[0].full == 1 && results.measured[1].full == 0)
        #expect(results.measured[2].full > 0.9)
        #expect(md.contains("## Filters responsible for the attack's success"))
    }
}
