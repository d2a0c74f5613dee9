/// MaxPool and AveragePool (2-D; overlapping windows, padding, `ceil_mode`, AveragePool's
/// `count_include_pad`), GlobalAveragePool and GlobalMaxPool. Lowered to NHWC kernels.
struct PoolOp: Operator {
    /// Which pooling.
    enum Kind: Sendable { case max, average, globalAverage, globalMax }

    let kind: Kind
    let kernelShape: [Int]
    let strides: [Int]
    let dilations: [Int]
    let pads: [Int]
    let autoPad: String
    let ceilMode: Bool
    let countIncludePad: Bool

    init(opType: String, _ a: Attributes) throws {
        switch opType {
        case "MaxPool": kind = .max
        case "AveragePool": kind = .average
        case "GlobalAveragePool": kind = .globalAverage
        case "GlobalMaxPool": kind = .globalMax
        default: throw a.node.invalid("not a pooling operator")
        }
        if kind == .max || kind == .average {
            guard let k = a.ints("kernel_shape"), k.count == 2, k.allSatisfy({ $0 > 0 }) else {
                throw a.node.invalid("kernel_shape must give 2 positive sizes (only 2-D pooling is supported)")
            }
            kernelShape = k
            if kind == .max, (try a.int("storage_order", default: 0)) != 0 {
                throw a.node.invalid("storage_order 1 is not supported")
            }
        } else {
            kernelShape = []
        }
        strides = a.ints("strides") ?? [1, 1]
        dilations = a.ints("dilations") ?? [1, 1]
        pads = a.ints("pads") ?? [0, 0, 0, 0]
        autoPad = a.string("auto_pad", default: "NOTSET")
        ceilMode = try a.int("ceil_mode", default: 0) != 0
        countIncludePad = try a.int("count_include_pad", default: 0) != 0
        guard strides.count == 2, dilations.count == 2, pads.count == 4 else {
            throw a.node.invalid("strides, dilations (2 values) and pads (4 values) must describe a 2-D window")
        }
        guard autoPad == "NOTSET" || autoPad == "VALID" || kind == .globalAverage || kind == .globalMax else {
            throw a.node.invalid("auto_pad '\(autoPad)' is not supported; export with explicit pads")
        }
    }

    func geometry(_ x: [Int], node: NodeInfo) throws -> ConvGeometry {
        guard x.count == 4 else { throw node.mismatch("input \(x) must be rank 4 (N, C, H, W)") }
        if kind == .globalAverage || kind == .globalMax {
            return ConvGeometry(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: x[1],
                                outHeight: 1, outWidth: 1, kernelH: x[2], kernelW: x[3], strideH: 1, strideW: 1,
                                dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: x[1])
        }
        let p = autoPad == "VALID" ? [0, 0, 0, 0] : pads
        let oh = ConvGeometry.outputSize(x[2], k: kernelShape[0], s: strides[0], d: dilations[0], p0: p[0], p1: p[2], ceil: ceilMode)
        let ow = ConvGeometry.outputSize(x[3], k: kernelShape[1], s: strides[1], d: dilations[1], p0: p[1], p1: p[3], ceil: ceilMode)
        guard oh > 0, ow > 0 else { throw node.mismatch("window \(kernelShape) does not fit input \(x)") }
        return ConvGeometry(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: x[1],
                            outHeight: oh, outWidth: ow, kernelH: kernelShape[0], kernelW: kernelShape[1],
                            strideH: strides[0], strideW: strides[1], dilationH: dilations[0], dilationW: dilations[1],
                            padTop: p[0], padLeft: p[1], padBottom: p[2], padRight: p[3], groups: x[1])
    }

    private var mode: PoolKernel.Mode {
        switch kind {
        case .max, .globalMax: return .max
        case .average: return .average(countIncludePad: countIncludePad)
        case .globalAverage: return .average(countIncludePad: false)
        }
    }

    func infer(_ inputs: [ValueFacts?], node: NodeInfo) throws -> [ValueFacts] {
        let g = try geometry(try node.input(inputs, 0, "X").shape, node: node)
        return [ValueFacts(shape: [g.batch, g.inChannels, g.outHeight, g.outWidth], isFloat: true)]
    }

    func reference(_ inputs: [Tensor?], node: NodeInfo) throws -> [Tensor] {
        let x = try node.input(inputs, 0, "X")
        let g = try geometry(x.shape, node: node)
        return [Tensor(shape: [g.batch, g.inChannels, g.outHeight, g.outWidth], floats: Reference.pool(x.asFloats, g, mode: mode))]
    }

    func lower(_ node: NodeInfo, inputs: [Int?], outputs: [Int], builder b: inout PlanBuilder) throws {
        let xv = try node.input(inputs, 0, "X")
        let g = try geometry(b.shape(xv), node: node)
        let x = b.require(xv, .nhwc)
        let out = outputs[0]
        b.define(out, layout: .nhwc)
        if kind == .globalAverage {
            b.emit(inputs: [x], outputs: [out], label: "GlobalAveragePool \(node.name)") { r in
                GlobalAverageKernel(input: r(x), output: r(out), batch: g.batch, pixels: g.height * g.width, channels: g.inChannels)
            }
        } else {
            let m = mode
            b.emit(inputs: [x], outputs: [out], label: "\(node.opType) \(node.name)") { r in
                PoolKernel(input: r(x), output: r(out), geometry: g, mode: m)
            }
        }
    }
}
