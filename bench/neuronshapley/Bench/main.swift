import Foundation

// neuronshapley-bench: evidence for Neuron Shapley end to end (scripts and results: bench/neuronshapley/RESULTS.md).
let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: neuronshapley-bench cost|race|score|walk|pairs|trace [options]") }
let options = Options(arguments.dropFirst(2))
do {
    switch arguments[1] {
    case "cost": try Cost.run(options)
    case "race": try await Race.run(options)
    case "walk": try Walk.run(options)
    case "pairs": try Pairs.run(options)
    case "trace": try Trace.run(options)
    case "score": Score.run(options, files: Array(arguments.dropFirst(2)).filter { $0.hasSuffix(".json") && !options.strings("reference").contains($0) && !options.strings("reference2").contains($0) })
    default: fail("unknown command \(arguments[1]); use cost, race, score, walk, pairs or trace")
    }
} catch {
    fail("\(error)")
}
