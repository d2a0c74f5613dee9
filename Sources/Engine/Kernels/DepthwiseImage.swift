extension IdentityFunctor {
    /// Runs `image` without activation.
    func visitImage(_ image: DepthwiseImage) { image.visit(self) }
}

/// One image of a depthwise convolution, specialised per activation.
struct DepthwiseImage: ActivationVisitor {
    let g: ConvGeometry
    let src: UnsafePointer<Float>
    let dst: UnsafeMutablePointer<Float>
    let w: UnsafePointer<Float>
    let rows: UnsafePointer<(Int, Int)>
    let cols: UnsafePointer<(Int, Int)>
    let scale: UnsafePointer<Float>
    let shift: UnsafePointer<Float>

    func visit<F: ActivationFunctor>(_ f: F) {
        // With many channels and large windows, channel tiles go outermost so a tile's weights and
        // the input rows it reads stay in L1 while all its output positions are computed; with few,
        // every position's channels are done together so the input is streamed once.
        let c = g.inChannels
        let tile = g.kernelH * g.kernelW * c * 4 > 16_384 ? 32 : c
        var t0 = 0
        while t0 < c {
            let t1 = min(t0 + tile, c)
            for oy in 0..<g.outHeight {
                let (ky0, ky1) = rows[oy]
                let iy0 = oy &* g.strideH &- g.padTop
                var ox = 0
                while ox < g.outWidth {
                    let (kx0, kx1) = cols[ox]
                    let ix0 = ox &* g.strideW &- g.padLeft
                    let pixel: Int = (iy0 &* g.width &+ ix0) &* c
                    let out = dst + (oy &* g.outWidth &+ ox) &* c
                    if ox &+ 4 <= g.outWidth && kx0 == 0 && cols[ox &+ 3].1 == g.kernelW && t1 - t0 >= 8 {
                        // Four neighbouring positions with full windows share each weight load.
                        var ch = t0
                        while ch &+ 8 <= t1 {
                            block8x4(src + (pixel &+ ch), w + ch, out + ch, scale + ch, shift + ch, ky0, ky1, f)
                            ch &+= 8
                        }
                        if ch < t1 {
                            for q in 0..<4 {
                                scalar(src + (pixel &+ q &* g.strideW &* c &+ ch), w + ch, out + (q &* c &+ ch), scale + ch, shift + ch,
                                       ky0, ky1, 0, g.kernelW, t1 - ch, f)
                            }
                        }
                        ox &+= 4
                        continue
                    }
                    var ch = t0
                    while ch &+ 32 <= t1 {
                        block32(src + (pixel &+ ch), w + ch, out + ch, scale + ch, shift + ch, ky0, ky1, kx0, kx1, f)
                        ch &+= 32
                    }
                    while ch &+ 8 <= t1 {
                        block8(src + (pixel &+ ch), w + ch, out + ch, scale + ch, shift + ch, ky0, ky1, kx0, kx1, f)
                        ch &+= 8
                    }
                    if ch < t1 {
                        scalar(src + (pixel &+ ch), w + ch, out + ch, scale + ch, shift + ch, ky0, ky1, kx0, kx1, t1 - ch, f)
                    }
                    ox &+= 1
                }
            }
            t0 = t1
        }
    }

    @inline(__always)
    private func block32<F: ActivationFunctor>(_ base: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                               _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                               _ ky0: Int, _ ky1: Int, _ kx0: Int, _ kx1: Int, _ f: F) {
        let c = g.inChannels
        let rowStride: Int = g.width &* c &* g.dilationH, colStride: Int = c &* g.dilationW
        var a0 = SIMD8<Float>.zero, a1 = SIMD8<Float>.zero, a2 = SIMD8<Float>.zero, a3 = SIMD8<Float>.zero
        var ky = ky0
        while ky < ky1 {
            let row = base + ky &* rowStride
            let wrow = w + ky &* g.kernelW &* c
            var kx = kx0
            while kx < kx1 {
                let xp = row + kx &* colStride
                let wp = wrow + kx &* c
                a0 += xp.loadSIMD(0) * wp.loadSIMD(0)
                a1 += xp.loadSIMD(8) * wp.loadSIMD(8)
                a2 += xp.loadSIMD(16) * wp.loadSIMD(16)
                a3 += xp.loadSIMD(24) * wp.loadSIMD(24)
                kx &+= 1
            }
            ky &+= 1
        }
        out.storeSIMD(f(a0 * s.loadSIMD(0) + h.loadSIMD(0)), at: 0)
        out.storeSIMD(f(a1 * s.loadSIMD(8) + h.loadSIMD(8)), at: 8)
        out.storeSIMD(f(a2 * s.loadSIMD(16) + h.loadSIMD(16)), at: 16)
        out.storeSIMD(f(a3 * s.loadSIMD(24) + h.loadSIMD(24)), at: 24)
    }

    /// Eight channels at four neighbouring output positions whose windows lie fully inside the
    /// image horizontally: each weight vector is loaded once for the four.
    @inline(__always)
    private func block8x4<F: ActivationFunctor>(_ base: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                                _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                                _ ky0: Int, _ ky1: Int, _ f: F) {
        let c = g.inChannels
        let rowStride: Int = g.width &* c &* g.dilationH, colStride: Int = c &* g.dilationW
        let step: Int = g.strideW &* c
        var a0 = SIMD8<Float>.zero, a1 = SIMD8<Float>.zero, a2 = SIMD8<Float>.zero, a3 = SIMD8<Float>.zero
        var ky = ky0
        while ky < ky1 {
            let row = base + ky &* rowStride
            let wrow = w + ky &* g.kernelW &* c
            var kx = 0
            while kx < g.kernelW {
                let wv = (wrow + kx &* c).loadSIMD(0)
                let p = row + kx &* colStride
                a0 += p.loadSIMD(0) * wv
                a1 += p.loadSIMD(step) * wv
                a2 += p.loadSIMD(step &* 2) * wv
                a3 += p.loadSIMD(step &* 3) * wv
                kx &+= 1
            }
            ky &+= 1
        }
        let sv = s.loadSIMD(0), hv = h.loadSIMD(0)
        out.storeSIMD(f(a0 * sv + hv), at: 0)
        out.storeSIMD(f(a1 * sv + hv), at: c)
        out.storeSIMD(f(a2 * sv + hv), at: c &* 2)
        out.storeSIMD(f(a3 * sv + hv), at: c &* 3)
    }

    @inline(__always)
    private func block8<F: ActivationFunctor>(_ base: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                              _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                              _ ky0: Int, _ ky1: Int, _ kx0: Int, _ kx1: Int, _ f: F) {
        let c = g.inChannels
        let rowStride: Int = g.width &* c &* g.dilationH, colStride: Int = c &* g.dilationW
        var a = SIMD8<Float>.zero
        var ky = ky0
        while ky < ky1 {
            let row = base + ky &* rowStride
            let wrow = w + ky &* g.kernelW &* c
            var kx = kx0
            while kx < kx1 {
                a += (row + kx &* colStride).loadSIMD(0) * (wrow + kx &* c).loadSIMD(0)
                kx &+= 1
            }
            ky &+= 1
        }
        out.storeSIMD(f(a * s.loadSIMD(0) + h.loadSIMD(0)), at: 0)
    }

    private func scalar<F: ActivationFunctor>(_ base: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                              _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                              _ ky0: Int, _ ky1: Int, _ kx0: Int, _ kx1: Int, _ width: Int, _ f: F) {
        let c = g.inChannels
        for ch in 0..<width {
            var a: Float = 0
            for ky in ky0..<ky1 {
                for kx in kx0..<kx1 {
                    a += base[ky * g.dilationH * g.width * c + kx * g.dilationW * c + ch] * w[(ky * g.kernelW + kx) * c + ch]
                }
            }
            out[ch] = f(a * s[ch] + h[ch])
        }
    }
}
