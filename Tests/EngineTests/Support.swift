import Foundation
@testable import Engine

/// Locations of shared test material, relative to the repository root.
enum Paths {
    /// The repository root, derived from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared` next to the repository.
    static let shared = (root as NSString).appendingPathComponent("../shared")
    static let fixtures = shared + "/models/fixtures"
    static let lite0 = shared + "/models/efficientnet-lite0.onnx"
    static let lite0Reference = shared + "/models/efficientnet-lite0-reference"

    static func fixture(_ name: String) -> String { fixtures + "/\(name).onnx" }
    static let fixtureNames = ["vggish", "resnetish", "mobilenetish", "inceptionish", "denseish"]
}

/// A small deterministic generator (SplitMix64) for test data.
struct TestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }

    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

/// Builds small ONNX models in tests.
enum ModelBuilder {
    static func attribute(_ name: String, ints: [Int]) -> AttributeProto {
        var a = AttributeProto()
        a.name = name
        a.ints = ints.map { Int64($0) }
        a.type = AttributeProto.Kind.ints
        return a
    }

    static func attribute(_ name: String, int: Int) -> AttributeProto {
        var a = AttributeProto()
        a.name = name
        a.i = Int64(int)
        a.type = AttributeProto.Kind.int
        return a
    }

    static func attribute(_ name: String, float: Float) -> AttributeProto {
        var a = AttributeProto()
        a.name = name
        a.f = float
        a.type = AttributeProto.Kind.float
        return a
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String? = nil,
                     _ attributes: [AttributeProto] = []) -> NodeProto {
        var n = NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name ?? outputs.first
        n.attribute = attributes
        return n
    }

    /// A model with one float input of `inputShape` (first dimension symbolic) and the given nodes.
    static func model(input: String = "x", inputShape: [Int], nodes: [NodeProto], initializers: [String: Tensor],
                      outputs: [String]) -> ModelProto {
        var g = GraphProto()
        g.name = "test"
        g.node = nodes
        g.initializer = initializers.sorted { $0.key < $1.key }.map { $0.value.proto(name: $0.key) }
        g.input = [valueInfo(input, shape: inputShape)]
        g.output = outputs.map { valueInfo($0, shape: nil) }
        var m = ModelProto()
        m.irVersion = 8
        m.opsetImport = [OperatorSetIdProto(domain: "", version: 17)]
        m.graph = g
        return m
    }

    /// A ValueInfoProto for a float tensor; dimension 0 is the symbol `batch`.
    static func valueInfo(_ name: String, shape: [Int]?) -> ValueInfoProto {
        var w = ProtoWriter()
        w.writeMessage(1) { t in
            t.writeInt(1, 1)
            if let shape {
                t.writeMessage(2) { s in
                    for (i, d) in shape.enumerated() {
                        s.writeMessage(1) { dim in
                            if i == 0 { dim.writeString(2, "batch") } else { dim.writeInt(1, Int64(d)) }
                        }
                    }
                }
            }
        }
        // Round-trip through the decoder so the parsed dimensions are set.
        var outer = ProtoWriter()
        outer.writeString(1, name)
        outer.writeBytes(2, w.bytes)
        var reader = ProtoReader(bytes: outer.bytes, range: 0..<outer.bytes.count, message: "ValueInfoProto")
        var v = (try? ValueInfoProto(reader: &reader)) ?? ValueInfoProto()
        v.name = name
        return v
    }
}
