/// ONNX `Conv` (2-D): groups and depthwise, strides, dilations, explicit or automatic padding.
///
/// Lowered to `DepthwiseKernel` when every group has one input and one output channel, otherwise
/// to `ConvGemmKernel`; activations that follow are fused into the epilogue. Each output channel
/// of a Conv node is a player (see `ConvLayer`).
struct ConvOp: Operator {
    let kernelShape: [Int]?
    let strides: [Int]
    let dilations: [Int]
    let pads: [Int]?
    let autoPad: String
    let group: Int

    init(_ a: Attributes) throws {
        try a.reject(unless: ["kernel_shape", "strides", "dilations", "pads", "auto_pad", "group"])
        kernelShape = a.ints("kernel_shape")
        strides = a.ints("strides") ?? [1, 1]
        dilations = a.ints("dilations") ?? [1, 1]
        pads = a.ints("pads")
        autoPad = a.string("auto_pad", default: "NOTSET")
        group = try a.int("group", default: 1)
        guard strides.count == 2, dilations.count == 2, strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }) else {
            throw a.node.invalid("only 2-D convolutions with positive strides and dilations are supported (strides \(strides), dilations \(dilations))")
        }
        if let pads, pads.count != 4 || pads.contains(where: { $0 < 0 }) {
            throw a.node.invalid("pads \(pads) must be 4 non-negative numbers")
        }
        guard group > 0 else { throw a.node.invalid("group \(group) must be positive") }
        guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].contains(autoPad) else {
            throw a.node.invalid("auto_pad '\(autoPad)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
        }
    }

    /// The geometry for input `x` and weights `w` shapes.
    func geometry(_ x: [Int], _ w: [Int], node: NodeInfo) throws -> ConvGeometry {
        guard x.count == 4, w.count == 4 else {
            throw node.mismatch("input \(x) and weights \(w) must be rank 4 (only 2-D convolutions are supported)")
        }
        guard x[1] == w[1] * group, w[0] % group == 0 else {
            throw node.mismatch("input has \(x[1]) channels, weights \(w) with group \(group) expect \(w[1] * group)")
        }
        if let k = kernelShape, k != [w[2], w[3]] {
            throw node.mismatch("kernel_shape \(k) does not match weights \(w)")
        }
        let (kh, kw) = (w[2], w[3])
        var p = pads ?? [0, 0, 0, 0]
        if autoPad != "NOTSET" {
            p = [0, 0, 0, 0]
            if autoPad != "VALID" {
                for (i, (n, k)) in [(x[2], kh), (x[3], kw)].enumerated() {
                    let out = (n + strides[i] - 1) / strides[i]
                    let total = max(0, (out - 1) * strides[i] + (k - 1) * dilations[i] + 1 - n)
                    let small = total / 2, large = total - small
                    p[i] = autoPad == "SAME_UPPER" ? small : large
                    p[i + 2] = autoPad == "SAME_UPPER" ? large : small
                }
            }
        }
        let oh = ConvGeometry.outputSize(x[2], k: kh, s: strides[0], d: dilations[0], p0: p[0], p1: p[2])
        let ow = ConvGeometry.outputSize(x[3], k: kw, s: strides[1], d: dilations[1], p0: p[1], p1: p[3])
        guard oh > 0, ow > 0 else { throw node.mismatch("a \(kh)x\(kw) kernel does not fit input \(x)") }
        return ConvGeometry(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: w[0],
                            outHeight: oh, outWidth: ow, kernelH: kh, kernelW: kw, strideH: strides[0], strideW: strides[1],
                            dilationH: dilations[0], dilationW: dilations[1], padTop: p[0], padLeft: p[1],
                            padBottom: p[2], padRight: p[3], groups: group)
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "X"), w = try node.input(inputs, 1, "W")
        let g = try geometry(x.shape, w.shape, node: node)
        if inputs.count > 2, let b = inputs[2], b.shape != [g.outChannels] {
            throw node.mismatch("bias \(b.shape) must be [\(g.outChannels)]")
        }
        return [ValueFacts(shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], isFloat: true)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "X"), w = try node.input(inputs, 1, "W")
        let g = try geometry(x.shape, w.shape, node: node)
        let bias = inputs.count > 2 ? inputs[2]?.asFloats : nil
        let y = Reference.conv(x.asFloats, g, weights: w.asFloats, bias: bias)
        return [Tensor(shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], floats: y)]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "X"), wv = try node.input(inputs, 1, "W")
        guard let w = b.constantFloats(wv) else {
            throw node.invalid("weights must be constant (an initializer); computed weights are not supported")
        }
        let g = try geometry(b.shape(xv), b.shape(wv), node: node)
        let x = b.require(xv, .nhwc)
        let (out, epilogue) = try finish(node, inputs: inputs, outputs: outputs, channels: g.outChannels, builder: &b)
        if g.isDepthwise {
            // [C, 1, kh, kw] -> [kh, kw, C]
            var dw = [Float](repeating: 0, count: w.count)
            let taps = g.kernelH * g.kernelW
            for c in 0..<g.outChannels { for t in 0..<taps { dw[t * g.outChannels + c] = w[c * taps + t] } }
            b.emit(inputs: [x], outputs: [out], label: "depthwise \(node.name)") { r in
                DepthwiseKernel(input: r(x), output: r(out), geometry: g, weights: dw, epilogue: epilogue)
            }
        } else {
            // [Cout, Cin/g, kh, kw] -> [Cout, kh, kw, Cin/g]
            let cg = g.inPerGroup, taps = g.kernelH * g.kernelW
            var packed = [Float](repeating: 0, count: w.count)
            for o in 0..<g.outChannels {
                for ci in 0..<cg { for t in 0..<taps { packed[(o * taps + t) * cg + ci] = w[(o * cg + ci) * taps + t] } }
            }
            let chunk = ConvGemmKernel.chunkRows(outChannels: g.outChannels, patchSize: g.patchSize, pointwise: g.isPointwise)
            let kernel = { (r: PlanBuilder.Resolver) -> any Kernel in
                ConvGemmKernel(input: r(x), output: r(out), geometry: g, weights: packed, epilogue: epilogue, chunkRows: chunk)
            }
            b.emit(inputs: [x], outputs: [out], scratch: g.isPointwise ? 0 : chunk * g.patchSize,
                   label: "conv \(node.name)", make: kernel)
        }
    }

    /// Lowers only the epilogue of this node (masks, statistics, the fused activation), reading its
    /// `accumulator`: the product plus bias, computed elsewhere (see `GraphCut`).
    func lowerEpilogue(_ node: NodeInfo, inputs: [Int?], outputs: [Int], accumulator: Int,
                       builder b: inout PlanBuilder) throws {
        let shape = b.shape(accumulator)
        guard shape.count == 4 else { throw node.mismatch("output \(shape) must be rank 4") }
        let acc = b.require(accumulator, .nhwc)
        let (out, epilogue) = try finish(node, inputs: inputs, outputs: outputs, channels: shape[1], builder: &b)
        let pixels = shape[2] * shape[3]
        b.emit(inputs: [acc], outputs: [out], inPlace: (out, acc), label: "epilogue \(node.name)") { r in
            EpilogueKernel(input: r(acc), output: r(out), items: shape[0], pixels: pixels, epilogue: epilogue)
        }
    }

    /// The output value (the fused activation's, if any) and the epilogue finishing it.
    private func finish(_ node: NodeInfo, inputs: [Int?], outputs: [Int], channels: Int,
                        builder b: inout PlanBuilder) throws -> (Int, Epilogue) {
        let bias = (inputs.count > 2 ? inputs[2] : nil).flatMap { b.constantFloats($0) }
        if inputs.count > 2, inputs[2] != nil, bias == nil {
            throw node.invalid("bias must be constant (an initializer)")
        }
        let fusion = b.takeFusion()
        let out = fusion?.output ?? outputs[0]
        b.define(out, layout: .nhwc)
        let epilogue = Epilogue(bias: bias ?? [Float](repeating: 0, count: channels),
                                activation: fusion?.activation ?? .identity, layer: b.currentLayer)
        return (out, epilogue)
    }
}
