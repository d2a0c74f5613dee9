public import Engine

/// Where a filter responds most strongly in one image.
public struct ActivationPeak: Sendable, Hashable {
    /// The image's position in the evaluated set.
    public var image: Int
    /// The largest value of the filter's output (before its activation function) in the image.
    public var value: Float
    /// The output row of the largest value.
    public var y: Int
    /// The output column of the largest value.
    public var x: Int
}

/// What the probe measured: per player the mean magnitude of its output, and for chosen players
/// their peak in every image.
public struct ActivationSummary: Sendable {
    /// Per player (in player order): the mean over images and positions of `|output|`.
    public var meanMagnitude: [Double]
    /// Per tracked unit (full-model unit index): its peak in each image, in image order.
    public var peaks: [Int: [ActivationPeak]]
}

/// Reads the conv outputs of the players on a set of images, through a copy of the cut's suffix
/// whose graph also outputs the player layers' activations (before their activation functions,
/// which is what a removed filter's replacement constant replaces).
public enum ActivationProbe {
    /// Runs the probe over `frontier` (cut activations, `[N] + suffix.itemShape`) `chunk` images at
    /// a time, for `players` (full-model units, in player order), recording peaks for `tracked`.
    public static func run(cut: ModelCut, players: [Int], frontier: Tensor, tracked: Set<Int>,
                           threads: Int, chunk: Int = 8) throws -> ActivationSummary {
        let suffix = cut.suffix
        let suffixPlayers = try cut.suffixUnits(players)
        let layerIndices = Array(Set(suffixPlayers.map { suffix.unit(index: $0).layer })).sorted()
        let layers = layerIndices.map { suffix.convLayers[$0] }
        var proto = suffix.proto
        guard var graph = proto.graph else { throw NeuronShapleyError.unsupportedModel(reason: "the model has no graph") }
        let existing = Set(graph.output.compactMap(\.name))
        for l in layers where !existing.contains(l.outputName) {
            graph.output.append(TensorType.valueInfo(name: l.outputName, itemShape: l.outputShape))
        }
        proto.graph = graph
        let probe = try Model(bytes: proto.serialized())
        let session = Session(model: probe, threads: threads, microBatch: chunk)
        let outputIndex = Dictionary(uniqueKeysWithValues: probe.outputNames.enumerated().map { ($0.element, $0.offset) })

        var sums = [Double](repeating: 0, count: players.count)
        var peaks: [Int: [ActivationPeak]] = [:]
        let n = frontier.shape.first ?? 0
        let item = Array(frontier.shape.dropFirst())
        let floats = frontier.asFloats
        let per = item.reduce(1, *)
        let playerOfSuffixUnit = Dictionary(uniqueKeysWithValues: suffixPlayers.enumerated().map { ($0.element, $0.offset) })
        var start = 0
        while start < n {
            let end = min(start + chunk, n)
            let batch = Tensor(shape: [end - start] + item, floats: Array(floats[(start * per)..<(end * per)]))
            let outputs = try session.runAll(batch)
            for layer in layers {
                guard let k = outputIndex[layer.outputName] else { continue }
                let values = outputs[k].asFloats
                let (c, h, w) = (layer.outputShape[0], layer.outputShape[1], layer.outputShape[2])
                let plane = h * w
                for channel in 0..<c {
                    let suffixUnit = layer.firstUnit + channel
                    guard let p = playerOfSuffixUnit[suffixUnit] else { continue }
                    let unit = players[p]
                    let track = tracked.contains(unit)
                    for i in 0..<(end - start) {
                        let base = (i * c + channel) * plane
                        var total = 0.0, best = -Float.infinity, at = 0
                        for j in 0..<plane {
                            let v = values[base + j]
                            total += Double(abs(v))
                            if v > best { best = v; at = j }
                        }
                        sums[p] += total / Double(plane)
                        if track {
                            peaks[unit, default: []].append(ActivationPeak(image: start + i, value: best, y: at / w, x: at % w))
                        }
                    }
                }
            }
            start = end
        }
        return ActivationSummary(meanMagnitude: sums.map { $0 / Double(max(n, 1)) }, peaks: peaks)
    }
}
