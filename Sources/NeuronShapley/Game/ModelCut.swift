public import Engine

/// A model split in two at one activation, so that the part every coalition shares runs once per
/// image for a whole run, not once per evaluation.
///
/// Masks only change the network from the earliest layer holding a player onwards. The cut is the
/// latest single activation `v` (before that layer) through which everything the players and the
/// logits depend on flows: the *prefix* model computes `v` from the image, the *suffix* model
/// computes the logits from `v`. A game computes `v` for its images once, at set-up, and every
/// evaluation runs the suffix alone. When no such activation exists (a skip connection or a
/// shape computation reaching back to the input), the cut is the input itself: the suffix is the
/// whole model and the prefix is empty.
///
/// The suffix holds the same nodes and weights as the original, so it computes the same logits
/// (up to floating-point summation order) and its conv layers keep their names.
public struct ModelCut: Sendable {
    /// The whole model.
    public let full: Model
    /// The model computing the cut activation from the image, nil when the cut is the input.
    public let prefix: Model?
    /// The model computing the first output from the cut activation.
    public let suffix: Model
    /// The name of the cut activation (the model's input name when there is no prefix).
    public let cutValue: String
    /// The activation the prefix computes once per image, nil when there is no prefix.
    public var cachedValue: String? { prefix == nil ? nil : cutValue }
    /// For each unit of the full model, the same unit of the suffix, or nil when the suffix does
    /// not hold its layer.
    public let suffixUnit: [Int?]

    /// The cut for players `units` (global unit indices of `model`).
    public init(model: Model, players units: [Int]) throws {
        full = model
        let layers = Set(units.map { model.unit(index: $0).layer })
        if let found = try Self.bestCut(model: model, playerLayers: layers) {
            prefix = found.prefix
            suffix = found.suffix
            cutValue = found.value
        } else {
            prefix = nil
            suffix = model
            cutValue = model.inputName
        }
        var map = [Int?](repeating: nil, count: model.unitCount)
        let byOutput = Dictionary(suffix.convLayers.map { ($0.outputName, $0) }, uniquingKeysWith: { a, _ in a })
        for layer in model.convLayers {
            guard let s = byOutput[layer.outputName], s.channels == layer.channels else { continue }
            for c in 0..<layer.channels { map[layer.firstUnit + c] = s.firstUnit + c }
        }
        suffixUnit = map
    }

    /// The cut activation for `images` (`[N] + full.itemShape`): the prefix's output, or the images.
    public func frontier(_ images: Tensor, session: Session?) throws -> Tensor {
        guard let prefix else { return images }
        let s = session ?? Session(model: prefix, threads: 1)
        return try s.run(images)
    }

    /// The suffix units of full-model `units`.
    /// - Throws: ``NeuronShapleyError/unsupportedModel(reason:)`` for a unit the suffix lacks.
    public func suffixUnits(_ units: [Int]) throws -> [Int] {
        try units.map { u in
            guard u >= 0, u < suffixUnit.count, let s = suffixUnit[u] else {
                throw NeuronShapleyError.unsupportedModel(reason: "unit \(u) lies before the cut at '\(cutValue)'")
            }
            return s
        }
    }

    /// Activation-producing operators whose output may serve as the cut.
    static let cuttable: Set<String> = [
        "Conv", "Relu", "Clip", "MaxPool", "AveragePool", "BatchNormalization", "Sigmoid", "HardSwish",
        "HardSigmoid", "LeakyRelu", "Add", "Mul", "Div", "Erf", "Identity", "Dropout",
    ]

    /// The latest usable cut, or nil when only the input works.
    static func bestCut(model: Model, playerLayers: Set<Int>) throws -> (value: String, prefix: Model, suffix: Model)? {
        guard let graph = model.proto.graph, let output = graph.output.first?.name else { return nil }
        let nodes = graph.node
        var producer: [String: Int] = [:]
        for (k, n) in nodes.enumerated() { for o in n.output where !o.isEmpty { producer[o] = k } }
        let initializers = Set(graph.initializer.compactMap(\.name))
        let input = model.inputName
        let playerNodes = Set(playerLayers.compactMap { l -> Int? in
            let name = model.convLayers[l].outputName
            return producer[name]
        })
        guard playerNodes.count == playerLayers.count, let first = playerNodes.min() else { return nil }

        // Nodes the logits need when `cut` is given; nil when they reach back to the input.
        func closure(from targets: [String], stopAt cut: String?) -> Set<Int>? {
            var seen = Set<Int>(), stack = targets
            while let v = stack.popLast() {
                if v.isEmpty || v == cut || initializers.contains(v) { continue }
                if v == input { return nil }
                guard let k = producer[v] else { return nil }
                if seen.insert(k).inserted { stack += nodes[k].input }
            }
            return seen
        }

        for k in stride(from: first - 1, through: 0, by: -1) {
            guard Self.cuttable.contains(nodes[k].opType ?? ""), let v = nodes[k].output.first, !v.isEmpty else { continue }
            guard let suffixNodes = closure(from: [output], stopAt: v), playerNodes.isSubset(of: suffixNodes) else { continue }
            let prefixProto = try submodel(model.proto, keeping: backward(from: v, nodes: nodes, producer: producer,
                                                                          initializers: initializers, stop: nil),
                                           inputs: graph.input.filter { $0.name == input }, outputs: [v], shapes: [:])
            let prefix = try Model(bytes: prefixProto.serialized())
            let probe = try Session(model: prefix, threads: 1).run(Tensor(shape: [1] + model.itemShape, repeating: 0))
            guard probe.isFloat, probe.shape.count >= 2, probe.shape[0] == 1 else { continue }
            let item = Array(probe.shape.dropFirst())
            let suffixProto = try submodel(model.proto, keeping: suffixNodes, inputs: [],
                                           outputs: [output], shapes: [v: item])
            return (v, prefix, try Model(bytes: suffixProto.serialized()))
        }
        return nil
    }

    /// Nodes needed for `value`, stopping at `stop`.
    static func backward(from value: String, nodes: [NodeProto], producer: [String: Int], initializers: Set<String>,
                         stop: String?) -> Set<Int> {
        var seen = Set<Int>(), stack = [value]
        while let v = stack.popLast() {
            if v.isEmpty || v == stop || initializers.contains(v) { continue }
            guard let k = producer[v] else { continue }
            if seen.insert(k).inserted { stack += nodes[k].input }
        }
        return seen
    }

    /// A copy of `proto` with only the nodes `keep` (in their order), the initializers they read,
    /// the given graph inputs plus one float input `[N] + shape` per entry of `shapes`, and
    /// `outputs` as graph outputs (value infos kept where the original had them).
    static func submodel(_ proto: ModelProto, keeping keep: Set<Int>, inputs: [ValueInfoProto], outputs: [String],
                         shapes: [String: [Int]]) throws -> ModelProto {
        guard var graph = proto.graph else { throw NeuronShapleyError.unsupportedModel(reason: "the model has no graph") }
        let kept = graph.node.enumerated().filter { keep.contains($0.offset) }.map(\.element)
        let read = Set(kept.flatMap(\.input))
        let known = Dictionary((graph.output + graph.valueInfo + graph.input).compactMap { v in v.name.map { ($0, v) } },
                               uniquingKeysWith: { a, _ in a })
        graph.node = kept
        graph.initializer = graph.initializer.filter { read.contains($0.name ?? "") }
        graph.input = inputs + shapes.keys.sorted().map { TensorType.valueInfo(name: $0, itemShape: shapes[$0] ?? []) }
        graph.output = outputs.map { name in known[name] ?? TensorType.valueInfo(name: name, itemShape: nil) }
        graph.valueInfo = []
        var out = proto
        out.graph = graph
        return out
    }
}
