import Testing
@testable import Engine

/// Every fast kernel against the plain reference implementation, through one-node (or few-node)
/// models so that lowering, layouts and fusion are exercised too.
@Suite struct KernelTests {
    /// Runs `proto` on a random input with the fast plan (several micro-batch sizes) and the
    /// reference interpreter; returns the largest difference.
    static func compare(_ proto: ModelProto, inputShape: [Int], seed: UInt64) throws -> Float {
        let model = try Model(proto: proto)
        var rng = TestRandom(state: seed)
        let input = Tensor(shape: inputShape, floats: rng.floats(inputShape.reduce(1, *)))
        let expected = try ReferenceInterpreter.run(model, input: input)[0]
        var worst: Float = 0
        for micro in [1, 2, 5] {
            let out = try Session(model: model, threads: 2, microBatch: micro).run(input)
            worst = max(worst, out.maxAbsDifference(expected))
        }
        return worst
    }

    struct ConvCase: CustomTestStringConvertible, Sendable {
        let cin: Int, cout: Int, group: Int, kernel: [Int], stride: [Int], dilation: [Int], pads: [Int], size: [Int]
        let activation: String?
        var testDescription: String { "cin \(cin) cout \(cout) g \(group) k \(kernel) s \(stride) d \(dilation) p \(pads) \(size) \(activation ?? "-")" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(cin: 3, cout: 8, group: 1, kernel: [3, 3], stride: [2, 2], dilation: [1, 1], pads: [0, 0, 1, 1], size: [9, 10], activation: "Clip"),
        ConvCase(cin: 16, cout: 24, group: 1, kernel: [1, 1], stride: [1, 1], dilation: [1, 1], pads: [0, 0, 0, 0], size: [7, 5], activation: nil),
        ConvCase(cin: 8, cout: 8, group: 1, kernel: [1, 1], stride: [2, 2], dilation: [1, 1], pads: [0, 0, 0, 0], size: [8, 8], activation: "Relu"),
        ConvCase(cin: 40, cout: 40, group: 40, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [1, 1, 1, 1], size: [6, 7], activation: "Clip"),
        ConvCase(cin: 37, cout: 37, group: 37, kernel: [5, 5], stride: [2, 2], dilation: [1, 1], pads: [1, 2, 2, 1], size: [11, 9], activation: "HardSwish"),
        ConvCase(cin: 32, cout: 32, group: 32, kernel: [3, 3], stride: [1, 1], dilation: [2, 2], pads: [2, 2, 2, 2], size: [5, 5], activation: nil),
        ConvCase(cin: 12, cout: 18, group: 3, kernel: [3, 2], stride: [1, 2], dilation: [1, 1], pads: [1, 0, 1, 1], size: [6, 8], activation: "LeakyRelu"),
        ConvCase(cin: 8, cout: 16, group: 8, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [1, 1, 1, 1], size: [4, 4], activation: nil),
        ConvCase(cin: 5, cout: 7, group: 1, kernel: [5, 5], stride: [3, 2], dilation: [2, 1], pads: [3, 0, 0, 2], size: [13, 12], activation: "Sigmoid"),
        ConvCase(cin: 24, cout: 6, group: 1, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [0, 0, 0, 0], size: [1, 1].map { $0 + 2 }, activation: nil),
    ]

    @Test(arguments: convCases)
    func convolutionMatchesReference(_ c: ConvCase) throws {
        var rng = TestRandom(state: 42)
        let w = Tensor(shape: [c.cout, c.cin / c.group] + c.kernel, floats: rng.floats(c.cout * c.cin / c.group * c.kernel.reduce(1, *)))
        let b = Tensor(shape: [c.cout], floats: rng.floats(c.cout))
        var nodes = [ModelBuilder.node("Conv", ["x", "w", "b"], ["y"], [
            ModelBuilder.attribute("group", int: c.group), ModelBuilder.attribute("kernel_shape", ints: c.kernel),
            ModelBuilder.attribute("strides", ints: c.stride), ModelBuilder.attribute("dilations", ints: c.dilation),
            ModelBuilder.attribute("pads", ints: c.pads)])]
        var inits = ["w": w, "b": b]
        var output = "y"
        if let act = c.activation {
            if act == "Clip" {
                inits["lo"] = Tensor(shape: [], floats: [0])
                inits["hi"] = Tensor(shape: [], floats: [0.5])
                nodes.append(ModelBuilder.node("Clip", ["y", "lo", "hi"], ["z"]))
            } else {
                nodes.append(ModelBuilder.node(act, ["y"], ["z"], act == "LeakyRelu" ? [ModelBuilder.attribute("alpha", float: 0.2)] : []))
            }
            output = "z"
        }
        let proto = ModelBuilder.model(inputShape: [1, c.cin] + c.size, nodes: nodes, initializers: inits, outputs: [output])
        #expect(try KernelTests.compare(proto, inputShape: [5, c.cin] + c.size, seed: 1) < 1e-4)
    }

    @Test(arguments: [
        ("MaxPool", [3, 3], [2, 2], [1, 1, 1, 1], 0, 0), ("MaxPool", [2, 2], [2, 2], [0, 0, 0, 0], 1, 0),
        ("AveragePool", [3, 3], [1, 1], [1, 1, 1, 1], 0, 1), ("AveragePool", [3, 3], [2, 2], [1, 1, 1, 1], 0, 0),
        ("AveragePool", [2, 3], [2, 2], [0, 1, 1, 0], 1, 1), ("MaxPool", [3, 3], [1, 1], [0, 0, 0, 0], 0, 0),
    ])
    func poolingMatchesReference(op: String, kernel: [Int], stride: [Int], pads: [Int], ceil: Int, includePad: Int) throws {
        var attrs = [ModelBuilder.attribute("kernel_shape", ints: kernel), ModelBuilder.attribute("strides", ints: stride),
                     ModelBuilder.attribute("pads", ints: pads), ModelBuilder.attribute("ceil_mode", int: ceil)]
        if op == "AveragePool" { attrs.append(ModelBuilder.attribute("count_include_pad", int: includePad)) }
        let proto = ModelBuilder.model(inputShape: [1, 11, 9, 8], nodes: [ModelBuilder.node(op, ["x"], ["y"], attrs)],
                                       initializers: [:], outputs: ["y"])
        #expect(try KernelTests.compare(proto, inputShape: [3, 11, 9, 8], seed: 2) < 1e-5)
    }

    @Test func pooledShapesFollowCeilMode() throws {
        #expect(ConvGeometry.outputSize(9, k: 2, s: 2, d: 1, p0: 0, p1: 0) == 4)
        #expect(ConvGeometry.outputSize(9, k: 2, s: 2, d: 1, p0: 0, p1: 0, ceil: true) == 5)
        #expect(ConvGeometry.outputSize(8, k: 3, s: 2, d: 1, p0: 1, p1: 1, ceil: true) == 5)  // as ONNX Runtime
        #expect(ConvGeometry.outputSize(6, k: 3, s: 3, d: 1, p0: 1, p1: 1, ceil: true) == 3)
        #expect(ConvGeometry.outputSize(5, k: 2, s: 2, d: 1, p0: 0, p1: 0, ceil: true) == 3)
        #expect(ConvGeometry.outputSize(224, k: 3, s: 2, d: 1, p0: 0, p1: 1) == 112)
    }

    @Test func broadcastingArithmeticMatchesReference() throws {
        // NHWC conv output combined with per-channel, per-image, scalar and full operands.
        var rng = TestRandom(state: 3)
        let w = Tensor(shape: [6, 4, 1, 1], floats: rng.floats(24))
        let inits: [String: Tensor] = [
            "w": w, "perChannel": Tensor(shape: [6, 1, 1], floats: rng.floats(6)), "scalar": Tensor(shape: [], floats: [0.7]),
            "row": Tensor(shape: [5], floats: rng.floats(5)), "plane": Tensor(shape: [1, 1, 3, 5], floats: rng.floats(15)),
        ]
        let nodes = [
            ModelBuilder.node("Conv", ["x", "w"], ["c"]),
            ModelBuilder.node("GlobalAveragePool", ["c"], ["g"]),
            ModelBuilder.node("Sigmoid", ["g"], ["s"]),
            ModelBuilder.node("Mul", ["c", "s"], ["m"]),            // squeeze-and-excite scaling
            ModelBuilder.node("Add", ["m", "perChannel"], ["a"]),
            ModelBuilder.node("Div", ["a", "scalar"], ["d"]),
            ModelBuilder.node("Sub", ["row", "d"], ["e"]),          // broadcast on the left
            ModelBuilder.node("Mul", ["e", "plane"], ["f"]),
            ModelBuilder.node("Add", ["f", "c"], ["y"]),            // residual
        ]
        let proto = ModelBuilder.model(inputShape: [1, 4, 3, 5], nodes: nodes, initializers: inits, outputs: ["y"])
        #expect(try KernelTests.compare(proto, inputShape: [4, 4, 3, 5], seed: 4) < 1e-5)
    }

    @Test func headOperatorsMatchReference() throws {
        var rng = TestRandom(state: 5)
        let inits: [String: Tensor] = [
            "w": Tensor(shape: [6, 3, 3, 3], floats: rng.floats(162)),
            "scale": Tensor(shape: [6], floats: rng.floats(6)), "bias": Tensor(shape: [6], floats: rng.floats(6)),
            "mean": Tensor(shape: [6], floats: rng.floats(6)), "var": Tensor(shape: [6], floats: rng.floats(6).map { abs($0) + 0.1 }),
            "fc": Tensor(shape: [12, 4], floats: rng.floats(48)), "fcb": Tensor(shape: [4], floats: rng.floats(4)),
            "mm": Tensor(shape: [4, 3], floats: rng.floats(12)), "axes": Tensor(shape: [2], int64s: [2, 3]),
        ]
        let nodes = [
            ModelBuilder.node("Conv", ["x", "w"], ["c"], [ModelBuilder.attribute("pads", ints: [1, 1, 1, 1])]),
            ModelBuilder.node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["bn"]),
            ModelBuilder.node("Relu", ["bn"], ["r"]),
            ModelBuilder.node("Conv", ["x", "w"], ["c2"]),
            ModelBuilder.node("ReduceMean", ["r"], ["rm"], [ModelBuilder.attribute("axes", ints: [2, 3]), ModelBuilder.attribute("keepdims", int: 0)]),
            ModelBuilder.node("GlobalAveragePool", ["c2"], ["gp"]),
            ModelBuilder.node("Flatten", ["gp"], ["fl"]),
            ModelBuilder.node("Concat", ["rm", "fl"], ["cat"], [ModelBuilder.attribute("axis", int: 1)]),
            ModelBuilder.node("Gemm", ["cat", "fc", "fcb"], ["h"], [ModelBuilder.attribute("alpha", float: 0.5)]),
            ModelBuilder.node("Relu", ["h"], ["hr"]),
            ModelBuilder.node("MatMul", ["hr", "mm"], ["o"]),
            ModelBuilder.node("Softmax", ["o"], ["y"], [ModelBuilder.attribute("axis", int: 1)]),
        ]
        let proto = ModelBuilder.model(inputShape: [1, 3, 6, 5], nodes: nodes, initializers: inits, outputs: ["y"])
        #expect(try KernelTests.compare(proto, inputShape: [3, 3, 6, 5], seed: 6) < 1e-5)
    }

    @Test func channelConcatAndFlattenOfFeatureMapsMatchReference() throws {
        var rng = TestRandom(state: 8)
        let inits: [String: Tensor] = [
            "w1": Tensor(shape: [3, 2, 1, 1], floats: rng.floats(6)), "w2": Tensor(shape: [5, 2, 3, 3], floats: rng.floats(90)),
            "shape": Tensor(shape: [2], int64s: [0, -1]),
        ]
        let nodes = [
            ModelBuilder.node("Conv", ["x", "w1"], ["a"]),
            ModelBuilder.node("Conv", ["x", "w2"], ["b"], [ModelBuilder.attribute("pads", ints: [1, 1, 1, 1])]),
            ModelBuilder.node("Concat", ["a", "b", "x"], ["c"], [ModelBuilder.attribute("axis", int: 1)]),
            ModelBuilder.node("Tanh", ["c"], ["t"]),
            ModelBuilder.node("Reshape", ["t", "shape"], ["y"]),
        ]
        let proto = ModelBuilder.model(inputShape: [1, 2, 4, 3], nodes: nodes, initializers: inits, outputs: ["y"])
        #expect(try KernelTests.compare(proto, inputShape: [3, 2, 4, 3], seed: 9) < 1e-5)
    }

    @Test func fusionFoldsActivationsIntoConvolutions() throws {
        let model = try Model.load(path: Paths.fixture("mobilenetish"))
        let labels = try Session(model: model).kernelLabels(batch: 2)
        #expect(!labels.contains { $0.hasPrefix("Clip") })       // every Clip follows a Conv with one consumer
        #expect(labels.contains { $0.hasPrefix("Sigmoid") })      // the SE Sigmoid's input has two consumers
        #expect(labels.contains { $0.hasPrefix("depthwise") })
    }

    @Test func buffersAreReused() throws {
        let model = try Model.load(path: Paths.lite0)
        let session = Session(model: model)
        let plan = try session.fullPlan(batch: 1)
        let spec = try model.specialization(batch: 1)
        let total = spec.runtimeNodes.flatMap { model.graph.nodes[$0].outputs }.compactMap { spec.facts[$0]?.shape }
            .map { $0.reduce(1, *) }.reduce(0, +)
        // Far less memory than one buffer per value.
        #expect(plan.arenaFloats * 4 < total)
    }
}
