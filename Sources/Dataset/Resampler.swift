import Foundation

/// The resampling filters of Pillow's `Image.resize`, which torchvision and timm use on PIL images.
public enum Interpolation: String, Sendable, Codable, CaseIterable {
    /// Nearest neighbour (Pillow's `NEAREST`: the source pixel under the output pixel's centre).
    case nearest
    /// Triangle filter with support 1, widened when downscaling (antialiased).
    case bilinear
    /// Keys cubic with a = -0.5 and support 2, widened when downscaling (antialiased).
    case bicubic
    /// Lanczos-3 windowed sinc, widened when downscaling.
    case lanczos
    /// Box filter with support 0.5 (area averaging when downscaling).
    case box
    /// Hamming-windowed sinc with support 1.
    case hamming

    /// The filter support in input pixels at scale 1 (nil for nearest).
    var support: Double? {
        switch self {
        case .nearest: return nil
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The filter kernel, as Pillow defines it.
    func weight(_ x: Double) -> Double {
        func sinc(_ x: Double) -> Double {
            if x == 0 { return 1 }
            let px = x * Double.pi
            return Foundation.sin(px) / px
        }
        switch self {
        case .nearest:
            return 0
        case .box:
            return (x > -0.5 && x <= 0.5) ? 1 : 0
        case .bilinear:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .hamming:
            let a = abs(x)
            if a == 0 { return 1 }
            if a >= 1 { return 0 }
            let px = a * Double.pi
            // Pillow writes the window's constants as C floats.
            return Foundation.sin(px) / px * (Double(Float(0.54)) + Double(Float(0.46)) * Foundation.cos(px))
        case .bicubic:
            let a = abs(x), c = -0.5
            if a < 1 { return ((c + 2) * a - (c + 3)) * a * a + 1 }
            if a < 2 { return (((a - 5) * a + 8) * a - 4) * c }
            return 0
        case .lanczos:
            return (x >= -3 && x < 3) ? sinc(x) * sinc(x / 3) : 0
        }
    }
}

/// Resizes 8-bit bitmaps with the same arithmetic as Pillow's `Resample.c`, so that our inputs
/// equal those of a PyTorch/timm pipeline bit for bit: convolution weights computed in double
/// precision, normalised, then rounded to 22-bit fixed point; a horizontal pass then a vertical
/// pass, each rounding and clipping to 8 bits.
public enum Resampler {
    private static let precisionBits = 32 - 8 - 2

    /// `image` resized to `width` x `height` with `filter`.
    ///
    /// The passes run in Pillow's current order: vertical first when the height shrinks by more
    /// than twice as many pixels as the width, horizontal first otherwise (Pillow releases before
    /// that rule always ran the horizontal pass first, which can change some samples by one).
    public static func resize(_ image: Bitmap, width: Int, height: Int, filter: Interpolation) -> Bitmap {
        precondition(width > 0 && height > 0, "resize to a positive size")
        if image.width == width && image.height == height { return image }
        if filter == .nearest { return nearest(image, width: width, height: height) }
        let needHorizontal = width != image.width, needVertical = height != image.height
        let shrinkY = image.height - height, shrinkX = image.width - width
        let horizontalFirst = !(shrinkY > 0 && shrinkY > shrinkX * 2)
        let vertical = coefficients(inSize: image.height, outSize: height, filter: filter)
        let horizontal = coefficients(inSize: image.width, outSize: width, filter: filter)
        var current = image
        if horizontalFirst {
            var rowBounds = vertical.bounds
            if needHorizontal {
                // Only the source rows that the vertical pass reads are resampled horizontally.
                let first = vertical.bounds[0]
                let last = vertical.bounds[2 * height - 2] + vertical.bounds[2 * height - 1]
                for i in 0..<height { rowBounds[2 * i] -= first }
                current = horizontalPass(current, rows: first..<last, coefficients: horizontal, outWidth: width)
            }
            if needVertical {
                current = verticalPass(current, bounds: rowBounds, coefficients: vertical, outHeight: height)
            }
        } else {
            current = verticalPass(current, bounds: vertical.bounds, coefficients: vertical, outHeight: height)
            if needHorizontal {
                current = horizontalPass(current, rows: 0..<height, coefficients: horizontal, outWidth: width)
            }
        }
        return current
    }

    /// Fixed-point weights and (first index, count) bounds for each output position.
    struct Coefficients {
        var size: Int
        var weights: [Int32]
        var bounds: [Int]
    }

    static func coefficients(inSize: Int, outSize: Int, filter: Interpolation) -> Coefficients {
        let support0 = filter.support ?? 0.5
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = support0 * filterScale
        let size = Int(support.rounded(.up)) * 2 + 1
        var weights = [Int32](repeating: 0, count: outSize * size)
        var bounds = [Int](repeating: 0, count: outSize * 2)
        var k = [Double](repeating: 0, count: size)
        let one = Double(1 << precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let inverse = 1 / filterScale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5)) - xmin
            var total = 0.0
            for x in 0..<size { k[x] = 0 }
            for x in 0..<max(0, xmax) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverse)
                k[x] = w
                total += w
            }
            for x in 0..<max(0, xmax) where total != 0 { k[x] /= total }
            for x in 0..<size {
                let v = k[x] * one
                weights[xx * size + x] = Int32(v < 0 ? (v - 0.5).rounded(.towardZero) : (v + 0.5).rounded(.towardZero))
            }
            bounds[2 * xx] = xmin
            bounds[2 * xx + 1] = max(0, xmax)
        }
        return Coefficients(size: size, weights: weights, bounds: bounds)
    }

    @inline(__always)
    private static func clip8(_ v: Int32) -> UInt8 {
        if v >= Int32(1) << (precisionBits + 8) { return 255 }
        if v <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: v >> precisionBits)
    }

    private static func horizontalPass(_ image: Bitmap, rows: Range<Int>, coefficients c: Coefficients,
                                       outWidth: Int) -> Bitmap {
        let channels = image.channels, inWidth = image.width
        var out = [UInt8](repeating: 0, count: outWidth * rows.count * channels)
        let half = Int32(1) << (precisionBits - 1)
        image.samples.withUnsafeBufferPointer { src in
            c.weights.withUnsafeBufferPointer { w in
                c.bounds.withUnsafeBufferPointer { bounds in
                    out.withUnsafeMutableBufferPointer { dst in
                        for (row, y) in rows.enumerated() {
                            let srcRow = y * inWidth * channels
                            let dstRow = row * outWidth * channels
                            for xx in 0..<outWidth {
                                let xmin = bounds[2 * xx], count = bounds[2 * xx + 1]
                                let k = xx * c.size
                                var p = srcRow + xmin * channels
                                if channels == 3 {
                                    // The three channels of a pixel are adjacent: one pass over the taps.
                                    var s0 = half, s1 = half, s2 = half
                                    for x in 0..<count {
                                        let weight = w[k + x]
                                        s0 &+= Int32(src[p]) &* weight
                                        s1 &+= Int32(src[p + 1]) &* weight
                                        s2 &+= Int32(src[p + 2]) &* weight
                                        p += 3
                                    }
                                    let d = dstRow + xx * 3
                                    dst[d] = clip8(s0)
                                    dst[d + 1] = clip8(s1)
                                    dst[d + 2] = clip8(s2)
                                } else {
                                    var sum = half
                                    for x in 0..<count {
                                        sum &+= Int32(src[p]) &* w[k + x]
                                        p += 1
                                    }
                                    dst[dstRow + xx] = clip8(sum)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Bitmap(width: outWidth, height: rows.count, channels: channels, samples: out)
    }

    private static func verticalPass(_ image: Bitmap, bounds: [Int], coefficients c: Coefficients,
                                     outHeight: Int) -> Bitmap {
        let channels = image.channels, width = image.width
        let rowLength = width * channels
        var out = [UInt8](repeating: 0, count: rowLength * outHeight)
        let half = Int32(1) << (precisionBits - 1)
        // Each output row accumulates whole source rows (contiguous, so the loop vectorises);
        // integer sums do not depend on their order, so the result is Pillow's exactly.
        var accumulator = [Int32](repeating: 0, count: rowLength)
        image.samples.withUnsafeBufferPointer { src in
            c.weights.withUnsafeBufferPointer { w in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    out.withUnsafeMutableBufferPointer { dst in
                        for yy in 0..<outHeight {
                            let ymin = bounds[2 * yy], count = bounds[2 * yy + 1]
                            for i in 0..<rowLength { acc[i] = half }
                            for y in 0..<count {
                                let weight = w[yy * c.size + y]
                                let base = (ymin + y) * rowLength
                                for i in 0..<rowLength { acc[i] &+= Int32(src[base + i]) &* weight }
                            }
                            let d = yy * rowLength
                            for i in 0..<rowLength { dst[d + i] = clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return Bitmap(width: width, height: outHeight, channels: channels, samples: out)
    }

    /// Pillow's nearest-neighbour resize: output pixel x reads source pixel floor((x + 0.5) * scale).
    private static func nearest(_ image: Bitmap, width: Int, height: Int) -> Bitmap {
        let channels = image.channels
        let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
        var out = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            let srcY = min(image.height - 1, Int((Double(y) + 0.5) * sy))
            for x in 0..<width {
                let srcX = min(image.width - 1, Int((Double(x) + 0.5) * sx))
                for ch in 0..<channels {
                    out[(y * width + x) * channels + ch] = image.samples[(srcY * image.width + srcX) * channels + ch]
                }
            }
        }
        return Bitmap(width: width, height: height, channels: channels, samples: out)
    }
}
