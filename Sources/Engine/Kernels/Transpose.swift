/// Conversions between NCHW and NHWC.
enum Transpose {
    /// `values` of logical NCHW `shape` in NHWC order.
    static func nchwToNHWC(_ values: [Float], shape: [Int]) -> [Float] {
        guard shape.count == 4 else { return values }
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                transpose(s, d, shape: shape, toNHWC: true)
            }
        }
        return out
    }

    /// `values` stored NHWC for logical NCHW `shape`, in NCHW order.
    static func nhwcToNCHW(_ values: [Float], shape: [Int]) -> [Float] {
        guard shape.count == 4 else { return values }
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                transpose(s, d, shape: shape, toNHWC: false)
            }
        }
        return out
    }

    /// Per image, transposes a `[C, HW]` block to `[HW, C]` (toNHWC) or back, in 32x32 tiles.
    static func transpose(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, shape: [Int], toNHWC: Bool) {
        let n = shape[0], c = shape[1], hw = shape[2] * shape[3]
        let rows = toNHWC ? c : hw, cols = toNHWC ? hw : c
        let tile = 32
        for i in 0..<n {
            let s = src + i * c * hw, d = dst + i * c * hw
            var r0 = 0
            while r0 < rows {
                let r1 = min(r0 + tile, rows)
                var c0 = 0
                while c0 < cols {
                    let c1 = min(c0 + tile, cols)
                    for r in r0..<r1 {
                        for col in c0..<c1 { d[col * rows + r] = s[r * cols + col] }
                    }
                    c0 = c1
                }
                r0 = r1
            }
        }
    }
}

/// Converts a value between NCHW and NHWC.
struct TransposeKernel: Kernel {
    let input: Loc
    let output: Loc
    let shape: [Int]
    let toNHWC: Bool

    func run(_ context: RunContext) {
        Transpose.transpose(context[input], context[output], shape: shape, toNHWC: toNHWC)
    }
}
