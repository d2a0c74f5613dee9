import Engine

/// The suffix of a ``ModelCut`` split once more, at the global average pool after the players'
/// layer, when every player is in one layer whose channels reach the logits only through
/// per-channel operations, that pool and an affine head: then a removal changes each channel's
/// pooled value in one of two ways per image, and the logits of any mask follow from two pooled
/// evaluations per image and the head's response to each channel (see `LinearReadout`).
///
/// Lite0's `conv_head` (Conv, Clip, GlobalAveragePool, Flatten, Gemm) is such a layer, and so is
/// the last conv of most classification networks, which is where one looks for the filters a
/// class depends on. The readout is checked on every set of images it is built for: when the logits
/// with nothing removed are not the sum of the channels' contributions (a head that is not affine
/// after all), the set is evaluated by the engine as usual.
struct PooledHead: Sendable {
    /// The suffix's conv layer holding every player.
    let layer: ConvLayer
    /// The suffix up to the pool's output (`[N, channels, 1, 1]`), and a session running it.
    let pool: Session
    /// Means of `pool`'s units (for mean removal).
    let poolMeans: ChannelMeans?
    /// `pool`'s units of the players' layer.
    let poolUnits: Range<Int>
    /// The pool's output to the logits.
    let head: Session
    /// `[channels, classes]`: the head's response to one unit of each channel's pooled value.
    let weights: [Float]
    /// Logits per image.
    let classes: Int
    /// How removed channels are replaced.
    let removal: Removal

    /// Operators that act on each channel alone (elementwise, their other operands not fed by the
    /// players' layer; or pooling within each channel).
    static let perChannel: Set<String> = [
        "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Identity", "Dropout",
        "Add", "Sub", "Mul", "Div", "Tanh", "MaxPool", "AveragePool",
    ]
    /// Operators an affine head may hold (products with constant weights, checked numerically too).
    static let affine: Set<String> = [
        "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Gemm", "MatMul", "Add", "Sub", "Constant",
    ]

    /// The split for `players` (units of `suffix`), or nil when they are not all in one layer of
    /// that shape.
    init?(suffix: Model, players: [Int], removal: Removal, means: ChannelMeans?, threads: Int, microBatch: Int) throws {
        guard let first = players.first else { return nil }
        let layer = suffix.convLayers[suffix.unit(index: first).layer]
        guard players.allSatisfy({ layer.units.contains($0) }) else { return nil }
        guard let found = try Self.split(suffix: suffix, layerOutput: layer.outputName, channels: layer.channels) else { return nil }
        guard let poolLayer = found.pool.convLayers.first(where: { $0.outputName == layer.outputName }),
              poolLayer.channels == layer.channels else { return nil }
        self.layer = layer
        self.removal = removal
        poolUnits = poolLayer.units
        pool = Session(model: found.pool, threads: threads, microBatch: microBatch)
        if let means {
            // The pool's units are the suffix's conv layers it keeps: their means, matched by output.
            let byOutput = Dictionary(suffix.convLayers.map { ($0.outputName, $0) }, uniquingKeysWith: { a, _ in a })
            var values = [Float](repeating: 0, count: found.pool.unitCount)
            for l in found.pool.convLayers {
                guard let s = byOutput[l.outputName], s.channels == l.channels else { return nil }
                for c in 0..<l.channels { values[l.firstUnit + c] = means.values[s.firstUnit + c] }
            }
            poolMeans = ChannelMeans(modelFingerprint: found.pool.fingerprint, dataFingerprint: means.dataFingerprint,
                                     imageCount: means.imageCount, values: values)
        } else {
            poolMeans = nil
        }
        head = Session(model: found.head, threads: threads, microBatch: microBatch)
        // The head at zero and at each unit vector: its response to each channel.
        let c = layer.channels
        var probe = [Float](repeating: 0, count: (c + 1) * c)
        for k in 0..<c { probe[(k + 1) * c + k] = 1 }
        let out = try head.run(Tensor(shape: [c + 1, c, 1, 1], floats: probe)).asFloats
        guard out.count % (c + 1) == 0, out.count > 0 else { return nil }
        classes = out.count / (c + 1)
        var w = [Float](repeating: 0, count: c * classes)
        for k in 0..<c { for j in 0..<classes { w[k * classes + j] = out[(k + 1) * classes + j] - out[j] } }
        weights = w
    }

    /// The readout of `frontier` (`[N] + suffix item`), or nil when the logits with nothing removed
    /// are not the sum of the channels' contributions.
    func readout(_ frontier: Tensor) throws -> LinearReadout? {
        let n = frontier.shape.first ?? 0, c = layer.channels
        let pooled = try pool.evaluate(images: frontier, masks: [.none, Mask(removing: poolUnits)], removal: removal,
                                       means: poolMeans).asFloats
        guard pooled.count == 2 * n * c else { return nil }
        let kept = Array(pooled[0..<(n * c)]), removed = Array(pooled[(n * c)...])
        let base1 = try head.run(Tensor(shape: [n, c, 1, 1], floats: kept)).asFloats
        let base0 = try head.run(Tensor(shape: [n, c, 1, 1], floats: removed)).asFloats
        var delta = [Float](repeating: 0, count: c * n)
        for i in 0..<n { for k in 0..<c { delta[k * n + i] = kept[i * c + k] - removed[i * c + k] } }
        let readout = try LinearReadout(channels: c, images: n, classes: classes, weights: weights, delta: delta,
                                        base0: base0, base1: base1)
        let scale = base1.reduce(Float(1)) { max($0, abs($1)) }
        return readout.closureError() <= 1e-3 * scale ? readout : nil
    }

    /// The readout's channels removed by `units` (suffix units), or nil when one lies outside the layer.
    func channels(_ units: [Int]) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(units.count)
        for u in units.sorted() {
            guard layer.units.contains(u) else { return nil }
            if out.last != u - layer.firstUnit { out.append(u - layer.firstUnit) }
        }
        return out
    }

    /// The pool and head models, or nil when the layer's output does not reach the logits through
    /// per-channel operations, one global average pool and an affine head.
    static func split(suffix: Model, layerOutput: String, channels: Int) throws -> (pool: Model, head: Model)? {
        guard let graph = suffix.proto.graph, let output = graph.output.first?.name else { return nil }
        let nodes = graph.node
        var producer: [String: Int] = [:], consumers: [String: [Int]] = [:]
        for (k, n) in nodes.enumerated() {
            for o in n.output where !o.isEmpty { producer[o] = k }
            for i in n.input where !i.isEmpty { consumers[i, default: []].append(k) }
        }
        // Everything the layer's output feeds, up to the pool.
        var region = Set<Int>(), gap: Int?
        var stack = consumers[layerOutput] ?? []
        while let k = stack.popLast() {
            let op = nodes[k].opType ?? ""
            if op == "GlobalAveragePool" {
                if let g = gap, g != k { return nil }
                gap = k
                continue
            }
            guard perChannel.contains(op) else { return nil }
            if region.insert(k).inserted { for o in nodes[k].output where !o.isEmpty { stack += consumers[o] ?? [] } }
        }
        guard let gap, let pooled = nodes[gap].output.first, !pooled.isEmpty, output != pooled,
              let last = producer[output], !region.contains(last) else { return nil }
        // The head: what the output needs beyond the pool, which must be the pool's descendants
        // (and constants) only, of affine operators.
        var downstream = Set<Int>()
        stack = consumers[pooled] ?? []
        while let k = stack.popLast() {
            if downstream.insert(k).inserted { for o in nodes[k].output where !o.isEmpty { stack += consumers[o] ?? [] } }
        }
        let initializers = Set(graph.initializer.compactMap(\.name))
        var head = Set<Int>()
        var values = [output]
        while let v = values.popLast() {
            if v.isEmpty || v == pooled || initializers.contains(v) { continue }
            guard let k = producer[v] else { return nil }
            let op = nodes[k].opType ?? ""
            guard downstream.contains(k) || (op == "Constant" && nodes[k].input.isEmpty), affine.contains(op) else { return nil }
            if head.insert(k).inserted { values += nodes[k].input }
        }
        let poolNodes = ModelCut.backward(from: pooled, nodes: nodes, producer: producer, initializers: initializers, stop: nil)
        let poolProto = try ModelCut.submodel(suffix.proto, keeping: poolNodes, inputs: graph.input.filter { $0.name == suffix.inputName },
                                              outputs: [pooled], shapes: [:])
        let headProto = try ModelCut.submodel(suffix.proto, keeping: head, inputs: [], outputs: [output],
                                              shapes: [pooled: [channels, 1, 1]])
        let pool = try Model(bytes: poolProto.serialized())
        guard pool.outputItemShape == [channels, 1, 1] else { return nil }
        return (pool, try Model(bytes: headProto.serialized()))
    }
}
