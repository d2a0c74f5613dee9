import Foundation

/// BatchNormalization in inference mode: `y = (x - mean) / sqrt(var + epsilon) * scale + B`,
/// lowered to a per-channel affine kernel (any layout) with a fused activation.
///
/// It is not folded into a preceding Conv: a Conv's output channels are players, and masking them
/// must happen before the normalisation, as in the original network.
struct BatchNormOp: Operator {
    let epsilon: Float

    init(_ a: Attributes) throws {
        epsilon = try a.float("epsilon", default: 1e-5)
        if try a.int("training_mode", default: 0) != 0 {
            throw a.node.invalid("training_mode 1 is not supported; export the model in eval mode")
        }
    }

    /// Per-channel (scale, shift).
    func affine(_ inputs: [ValueFacts?], channels: Int, node: NodeInfo) throws -> ([Float], [Float]) {
        let s = try node.floatConstant(inputs, 1, "scale"), b = try node.floatConstant(inputs, 2, "B")
        let m = try node.floatConstant(inputs, 3, "mean"), v = try node.floatConstant(inputs, 4, "var")
        guard [s, b, m, v].allSatisfy({ $0.count == channels }) else {
            throw node.mismatch("scale, B, mean and var must have \(channels) values")
        }
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let k = Float(Double(s[c]) / (Double(v[c]) + Double(epsilon)).squareRoot())
            scale[c] = k
            shift[c] = b[c] - m[c] * k
        }
        return (scale, shift)
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let x = try node.input(inputs, 0, "X")
        guard x.shape.count >= 2 else { throw node.mismatch("input \(x.shape) needs a channel axis") }
        _ = try affine(inputs, channels: x.shape[1], node: node)
        return [ValueFacts(shape: x.shape, isFloat: true)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "X")
        let c = x.shape[1]
        let (scale, shift) = try affine(inputs.map { $0.map { ValueFacts(constant: $0) } }, channels: c, node: node)
        let inner = x.shape.dropFirst(2).reduce(1, *)
        let v = x.asFloats
        return [Tensor(shape: x.shape, floats: v.indices.map { i in
            let ch = (i / inner) % c
            return v[i] * scale[ch] + shift[ch]
        })]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "X")
        let s = b.shape(xv)
        let (scale, shift) = try affine(inputs.map { $0.flatMap { b.facts[$0] } }, channels: s[1], node: node)
        let layout = b.layout(xv)
        let fusion = b.takeFusion()
        let out = fusion?.output ?? outputs[0]
        b.define(out, layout: layout)
        let act = fusion?.activation ?? .identity
        let (outer, inner) = layout == .nhwc ? (s[0] * s[2] * s[3], 1) : (s[0], s.dropFirst(2).reduce(1, *))
        b.emit(inputs: [xv], outputs: [out], inPlace: (out, xv), label: "BatchNormalization \(node.name)") { r in
            ChannelAffineKernel(input: r(xv), output: r(out), outer: outer, channels: s[1], inner: inner,
                                scale: scale, shift: shift, activation: act)
        }
    }
}
