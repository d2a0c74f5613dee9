public import Engine

/// The region of the input image that one output position of a layer sees, computed through the
/// ONNX graph.
///
/// Along each spatial axis a value has a receptive field `size`, a `jump` (the input distance
/// between neighbouring output positions) and a `start` (the input coordinate of the centre of
/// position 0's field). A convolution or pooling with kernel `k`, stride `s`, dilation `d` and
/// leading pad `p` maps `(size, jump, start)` to
/// `(size + (d(k-1)) * jump, jump * s, start + (d(k-1)/2 - p) * jump)`; element-wise operators
/// and activations keep the field of their widest spatial input (skip connections join fields
/// that are centred alike). Fields are not clipped to the image; ``crop(layer:y:x:height:width:)``
/// clips.
public struct ReceptiveField: Sendable, Hashable {
    /// One axis of a field.
    public struct Axis: Sendable, Hashable {
        /// The field's extent in input pixels.
        public var size: Double
        /// Input pixels between neighbouring output positions.
        public var jump: Double
        /// Input coordinate of the centre of position 0's field.
        public var start: Double

        /// The input's own axis: every pixel sees itself.
        public static let identity = Axis(size: 1, jump: 1, start: 0)

        func through(kernel k: Int, stride s: Int, dilation d: Int, padBegin p: Int) -> Axis {
            let span = Double(d * (k - 1))
            return Axis(size: size + span * jump, jump: jump * Double(s), start: start + (span / 2 - Double(p)) * jump)
        }
    }

    /// The vertical axis.
    public var height: Axis
    /// The horizontal axis.
    public var width: Axis

    /// The receptive field of every conv layer of `model` (indexed by layer), or nil for a layer
    /// whose field could not be followed through the graph.
    public static func ofConvLayers(_ model: Model) -> [ReceptiveField?] {
        let fields = propagate(model)
        return model.convLayers.map { fields[$0.outputName] }
    }

    /// The input rectangle (top, left, height, width; clipped to an image of `height x width`)
    /// seen by output position (`y`, `x`).
    public func crop(y: Int, x: Int, imageHeight: Int, imageWidth: Int) -> (top: Int, left: Int, height: Int, width: Int) {
        func range(_ a: Axis, _ i: Int, _ limit: Int) -> (Int, Int) {
            let centre = a.start + Double(i) * a.jump
            let lo = Int((centre - (a.size - 1) / 2).rounded(.down))
            let hi = Int((centre + (a.size - 1) / 2).rounded(.up))
            let l = max(0, min(lo, limit - 1)), h = max(l, min(hi, limit - 1))
            return (l, h - l + 1)
        }
        let (top, h) = range(height, y, imageHeight)
        let (left, w) = range(width, x, imageWidth)
        return (top, left, h, w)
    }

    /// Fields of every value reachable from the input through spatial operators.
    static func propagate(_ model: Model) -> [String: ReceptiveField] {
        guard let graph = model.proto.graph else { return [:] }
        let initial = ReceptiveField(height: .identity, width: .identity)
        var fields: [String: ReceptiveField] = [model.inputName: initial]
        let initializers = Dictionary(graph.initializer.compactMap { t in t.name.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
        for node in graph.node {
            let op = node.opType ?? ""
            let known = node.input.compactMap { fields[$0] }
            guard let widest = known.max(by: { $0.height.size * $0.width.size < $1.height.size * $1.width.size }) else { continue }
            var out = widest
            switch op {
            case "Conv", "MaxPool", "AveragePool", "LpPool":
                guard let x = node.input.first, let inField = fields[x] else { continue }
                let attributes = Dictionary(node.attribute.compactMap { a in a.name.map { ($0, a) } }, uniquingKeysWith: { a, _ in a })
                var kernel = attributes["kernel_shape"]?.ints.map(Int.init) ?? []
                if kernel.isEmpty, op == "Conv", node.input.count > 1, let w = initializers[node.input[1]], w.dims.count == 4 {
                    kernel = w.dims.suffix(2).map(Int.init)
                }
                guard kernel.count == 2 else { continue }
                let strides = attributes["strides"]?.ints.map(Int.init) ?? [1, 1]
                let dilations = attributes["dilations"]?.ints.map(Int.init) ?? [1, 1]
                var pads = attributes["pads"]?.ints.map(Int.init) ?? [0, 0, 0, 0]
                if let auto = attributes["auto_pad"]?.s.map({ String(decoding: $0, as: UTF8.self) }), auto.hasPrefix("SAME") {
                    // Total padding d(k-1) + 1 - s (for inputs divisible by the stride), split as the mode says.
                    pads = (0..<2).map { i in
                        let total = max(0, dilations[i] * (kernel[i] - 1) + 1 - strides[i])
                        return auto == "SAME_LOWER" ? (total + 1) / 2 : total / 2
                    } + [0, 0]
                }
                guard strides.count == 2, dilations.count == 2, pads.count >= 2 else { continue }
                out = ReceptiveField(
                    height: inField.height.through(kernel: kernel[0], stride: strides[0], dilation: dilations[0], padBegin: pads[0]),
                    width: inField.width.through(kernel: kernel[1], stride: strides[1], dilation: dilations[1], padBegin: pads[1]))
            case "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Gemm", "MatMul", "Reshape", "ReduceMean", "Softmax":
                continue
            default:
                break
            }
            for o in node.output where !o.isEmpty { fields[o] = out }
        }
        return fields
    }
}
