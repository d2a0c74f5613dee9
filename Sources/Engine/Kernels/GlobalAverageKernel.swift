/// The mean over all positions of NHWC images: `[N, H, W, C]` to `[N, C]`.
struct GlobalAverageKernel: Kernel {
    let input: Loc
    let output: Loc
    let batch: Int
    let pixels: Int
    let channels: Int

    func run(_ context: RunContext) {
        let x = context[input], y = context[output]
        let c = channels
        let scale = 1 / Float(pixels)
        for item in 0..<batch {
            let src = x + item * pixels * c
            let dst = y + item * c
            dst.update(repeating: 0, count: c)
            for p in 0..<pixels {
                let row = src + p * c
                var ch = 0
                while ch + 8 <= c { dst.storeSIMD(dst.loadSIMD(ch) + row.loadSIMD(ch), at: ch); ch += 8 }
                while ch < c { dst[ch] += row[ch]; ch += 1 }
            }
            for ch in 0..<c { dst[ch] *= scale }
        }
    }
}
