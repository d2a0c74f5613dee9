import Digest
import Foundation
import Synchronization

/// A loaded ONNX model: its decoded protocol buffer, its typed graph, and its conv layers (the
/// players). Loading checks every operator and infers every shape (for one image), so a model that
/// loads will run.
///
/// The first graph input is the image input (`[N, C, H, W]` with a free batch dimension and
/// fixed other dimensions); the first graph output is what `Session.run` and `Session.evaluate`
/// return (the logits).
public final class Model: Sendable {
    /// The decoded model (edit a copy and `serialized()` it to write a modified model).
    public let proto: ModelProto
    /// The model's conv layers, in topological order.
    public let convLayers: [ConvLayer]
    /// The number of units (output channels of all conv layers).
    public let unitCount: Int
    /// The name of the image input.
    public let inputName: String
    /// The shape of one input item, e.g. `[3, 224, 224]`.
    public let itemShape: [Int]
    /// The names of the graph outputs.
    public let outputNames: [String]
    /// The shape of one item of the first output, e.g. `[1000]`.
    public let outputItemShape: [Int]
    /// The default-domain operator set version.
    public let opsetVersion: Int
    /// Whether every value computed at run time keeps the batch as its first dimension, so items
    /// can be computed in any grouping. When a model mixes items (say, a Reshape folding the batch
    /// into another dimension), sessions run each call's items in one piece.
    public let itemsAreIndependent: Bool

    let graph: Graph
    /// Conv layers by node index.
    let layersByNode: [Int: ConvLayer]
    private let bytes: [UInt8]
    private let fingerprintCache = Mutex<String?>(nil)
    private let specializations = Mutex<[Int: Specialization]>([:])

    /// Loads the `.onnx` file at `path`.
    public static func load(path: String) throws -> Model {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.cannotRead(path: path, reason: "no such file or not readable")
        }
        do {
            return try Model(bytes: [UInt8](data))
        } catch let e as EngineError {
            if case .malformedProtobuf = e { throw EngineError.cannotRead(path: path, reason: e.description) }
            throw e
        }
    }

    /// Decodes and checks a serialized model.
    public convenience init(bytes: [UInt8]) throws {
        try self.init(proto: try ModelProto(bytes: bytes), bytes: bytes)
    }

    /// Checks a decoded model (its fingerprint is that of its serialization).
    public convenience init(proto: ModelProto) throws {
        try self.init(proto: proto, bytes: proto.serialized())
    }

    private init(proto: ModelProto, bytes: [UInt8]) throws {
        guard let g = proto.graph else { throw EngineError.unsupportedModel(reason: "the file has no graph") }
        let opset = Int(proto.opsetImport.first { ($0.domain ?? "").isEmpty || $0.domain == "ai.onnx" }?.version ?? 13)
        let graph = try Graph(proto: g, opset: opset)
        guard let input = graph.inputs.first else { throw EngineError.unsupportedModel(reason: "the graph has no input") }
        guard graph.inputs.count == 1 else {
            throw EngineError.unsupportedModel(reason: "the graph has \(graph.inputs.count) inputs; only models with one image input are supported")
        }
        guard let output = graph.outputs.first else { throw EngineError.unsupportedModel(reason: "the graph has no output") }
        let dims = graph.inputDimensions[input] ?? []
        var item: [Int] = []
        for d in dims.dropFirst() {
            guard case .value(let v) = d, v > 0 else {
                throw EngineError.unsupportedModel(reason: "input '\(graph.valueNames[input])' has dimensions \(dims); all but the first (batch) must be fixed")
            }
            item.append(Int(v))
        }
        guard !dims.isEmpty else {
            throw EngineError.unsupportedModel(reason: "input '\(graph.valueNames[input])' has no declared shape")
        }
        let spec = try Specialization(graph: graph, inputShapes: [input: [1] + item])
        var layers: [ConvLayer] = []
        var byNode: [Int: ConvLayer] = [:]
        var used = Set<String>()
        var first = 0
        for k in spec.runtimeNodes where graph.nodes[k].op is ConvOp {
            let node = graph.nodes[k]
            let out = node.outputs[0]
            guard let f = spec.facts[out], f.shape.count == 4 else { continue }
            var name = ConvLayer.stableName(nodeName: node.info.name, outputName: graph.valueNames[out])
            if used.contains(name) {
                var i = 2
                while used.contains("\(name)_\(i)") { i += 1 }
                name = "\(name)_\(i)"
            }
            used.insert(name)
            let (conv, w) = (node.op as? ConvOp, node.inputs.count > 1 ? node.inputs[1].flatMap { spec.facts[$0]?.shape } : nil)
            let layer = ConvLayer(index: layers.count, name: name, nodeName: node.info.name, outputName: graph.valueNames[out],
                                  channels: f.shape[1], outputShape: Array(f.shape.dropFirst()),
                                  kernel: w.map { Array($0.suffix(2)) } ?? [], groups: conv?.group ?? 1,
                                  firstUnit: first, nodeIndex: k)
            first += layer.channels
            layers.append(layer)
            byNode[k] = layer
        }
        guard let outFacts = spec.facts[output] else { throw EngineError.unsupportedModel(reason: "the output is never computed") }
        let spec2 = try Specialization(graph: graph, inputShapes: [input: [2] + item])
        let independent = spec.runtimeNodes.flatMap { graph.nodes[$0].outputs }.allSatisfy { v in
            guard let a = spec.facts[v]?.shape, let b = spec2.facts[v]?.shape else { return true }
            return a.first == 1 && b.first == 2 && a.dropFirst() == b.dropFirst()
        }
        self.proto = proto
        self.bytes = bytes
        self.graph = graph
        self.convLayers = layers
        self.layersByNode = byNode
        self.unitCount = first
        self.inputName = graph.valueNames[input]
        self.itemShape = item
        self.outputNames = graph.outputs.map { graph.valueNames[$0] }
        self.outputItemShape = Array(outFacts.shape.dropFirst())
        self.opsetVersion = opset
        self.itemsAreIndependent = independent
        specializations.withLock { $0[1] = spec; $0[2] = spec2 }
    }

    /// The SHA-256 of the model's bytes (hex), computed on first use.
    public var fingerprint: String {
        if let f = fingerprintCache.withLock({ $0 }) { return f }
        let f = SHA256.hex(bytes)
        fingerprintCache.withLock { $0 = f }
        return f
    }

    /// The graph specialised to a batch of `batch` items (cached).
    func specialization(batch: Int) throws -> Specialization {
        if let s = specializations.withLock({ $0[batch] }) { return s }
        guard let input = graph.inputs.first else { throw EngineError.unsupportedModel(reason: "the graph has no input") }
        let s = try Specialization(graph: graph, inputShapes: [input: [batch] + itemShape])
        specializations.withLock { $0[batch] = s }
        return s
    }
}
