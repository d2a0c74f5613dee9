/// An 8-bit image with interleaved channels, as decoded from a file.
public struct Bitmap: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Samples per pixel: 1 (gray) or 3 (RGB).
    public var channels: Int
    /// Row-major interleaved samples, `width * height * channels` of them.
    public var samples: [UInt8]

    /// An image from its samples; `samples.count` must be `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (channels == 1 || channels == 3),
                     "a bitmap has a non-negative size and 1 or 3 channels")
        precondition(samples.count == width * height * channels, "sample count must match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// The sample of channel `c` at column `x`, row `y`.
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        samples[(y * width + x) * channels + c]
    }

    /// The image as RGB: gray samples are repeated in the three channels.
    public func rgb() -> Bitmap {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let v = samples[i]
            out[3 * i] = v
            out[3 * i + 1] = v
            out[3 * i + 2] = v
        }
        return Bitmap(width: width, height: height, channels: 3, samples: out)
    }

    /// The image as one luminance channel with the ITU-R 601-2 weights in 16-bit fixed point,
    /// exactly as Pillow's `convert("L")` computes it (gray images come back unchanged).
    public func luminance() -> Bitmap {
        if channels == 1 { return self }
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let r = UInt32(samples[3 * i]), g = UInt32(samples[3 * i + 1]), b = UInt32(samples[3 * i + 2])
            out[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
        return Bitmap(width: width, height: height, channels: 1, samples: out)
    }

    /// The rectangle `[left, left + width) x [top, top + height)`; parts outside the image are
    /// filled with zeros (as torchvision pads a centre crop larger than the image).
    public func cropped(left: Int, top: Int, width w: Int, height h: Int) -> Bitmap {
        var out = [UInt8](repeating: 0, count: w * h * channels)
        let x0 = max(0, left), x1 = min(width, left + w)
        guard x1 > x0 else { return Bitmap(width: w, height: h, channels: channels, samples: out) }
        for y in 0..<h {
            let sy = top + y
            guard sy >= 0 && sy < height else { continue }
            let src = (sy * width + x0) * channels
            let dst = (y * w + (x0 - left)) * channels
            let n = (x1 - x0) * channels
            out.replaceSubrange(dst..<(dst + n), with: samples[src..<(src + n)])
        }
        return Bitmap(width: w, height: h, channels: channels, samples: out)
    }
}
