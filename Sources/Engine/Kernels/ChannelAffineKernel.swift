/// `y = act(x * scale[c] + shift[c])` per channel (BatchNormalization in inference mode), for a
/// physical layout with `outer` blocks of `channels` x `inner` elements.
struct ChannelAffineKernel: Kernel {
    let input: Loc
    let output: Loc
    let outer: Int
    let channels: Int
    let inner: Int
    let scale: [Float]
    let shift: [Float]
    let activation: Activation

    func run(_ context: RunContext) {
        let x = context[input], y = context[output]
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                guard let s = sc.baseAddress, let h = sh.baseAddress else { return }
                if inner == 1 {
                    for o in 0..<outer {
                        let off = o * channels
                        for c in 0..<channels { y[off + c] = activation.apply(x[off + c] * s[c] + h[c]) }
                    }
                } else {
                    for o in 0..<outer {
                        for c in 0..<channels {
                            let off = (o * channels + c) * inner
                            let a = s[c], b = h[c]
                            for i in 0..<inner { y[off + i] = activation.apply(x[off + i] * a + b) }
                        }
                    }
                }
            }
        }
    }
}
