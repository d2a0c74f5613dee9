/// How an image becomes a model input, following torchvision's `Resize(short side)`,
/// `CenterCrop`, `ToTensor` and `Normalize` on PIL images, so that a model trained in PyTorch sees
/// the same numbers here (bit for bit on the reference inputs we test against):
///
/// 1. convert to the model's colour space (RGB, or Pillow's `L` luminance);
/// 2. resize: the shorter side to `n` with the longer one `int(n * long / short)`, or to an exact
///    size, with Pillow's filters (`Resampler`);
/// 3. centre crop to the input size, offsets `round((h - H) / 2)` with ties to even (Python's
///    `round`), zero padding where the crop is larger than the image;
/// 4. scale the 8-bit samples (`x / 255`), then `(x - mean) / std` per channel in `Float`;
/// 5. lay out as CHW (or HWC), channels in RGB or BGR order.
public struct Preprocessing: Sendable, Hashable {
    /// The colour channels the model expects, in order.
    public enum Channels: String, Sendable, Hashable {
        /// Red, green, blue.
        case rgb = "RGB"
        /// Blue, green, red.
        case bgr = "BGR"
        /// One luminance channel (ITU-R 601-2, as Pillow's `convert("L")`).
        case gray = "L"

        /// The number of channels.
        public var count: Int { self == .gray ? 1 : 3 }
    }

    /// The memory layout of one image.
    public enum Layout: String, Sendable, Hashable {
        /// Channels, then rows, then columns.
        case nchw = "NCHW"
        /// Rows, then columns, then channels.
        case nhwc = "NHWC"
    }

    /// The resize step.
    public enum Resize: Sendable, Hashable {
        /// No resize: only the centre crop.
        case none
        /// The shorter side to this length, keeping the aspect ratio.
        case shortSide(Int)
        /// Exactly this size.
        case exact(height: Int, width: Int)
    }

    /// How 8-bit samples become floats before the normalisation.
    public enum Scale: Sendable, Hashable {
        /// `x / d` (float division, as `ToTensor`'s `div(255)`).
        case divide(Float)
        /// `x * m`.
        case multiply(Float)
    }

    /// The input's height and width.
    public var size: (height: Int, width: Int)
    /// The channels the model expects.
    public var channels: Channels
    /// The memory layout.
    public var layout: Layout
    /// The resize step.
    public var resize: Resize
    /// The resampling filter of the resize step.
    public var interpolation: Interpolation
    /// The scaling of the 8-bit samples.
    public var scale: Scale
    /// Per-channel mean subtracted after scaling (in `channels` order).
    public var mean: [Float]
    /// Per-channel standard deviation divided by after subtracting the mean.
    public var std: [Float]

    /// A preprocessing; `mean` and `std` have one entry per channel.
    public init(size: (height: Int, width: Int), channels: Channels = .rgb, layout: Layout = .nchw,
                resize: Resize = .none, interpolation: Interpolation = .bilinear,
                scale: Scale = .divide(255), mean: [Float]? = nil, std: [Float]? = nil) {
        precondition(size.height > 0 && size.width > 0, "the input size is positive")
        self.size = size
        self.channels = channels
        self.layout = layout
        self.resize = resize
        self.interpolation = interpolation
        self.scale = scale
        self.mean = mean ?? Array(repeating: 0, count: channels.count)
        self.std = std ?? Array(repeating: 1, count: channels.count)
        precondition(self.mean.count == channels.count && self.std.count == channels.count,
                     "one mean and one std per channel")
    }

    /// The preprocessing of the sidecar at `path`.
    public init(sidecar path: String) throws(DatasetError) {
        self = try Sidecar(contentsOf: path).preprocessing
    }

    /// The shape of one preprocessed image: `[C, H, W]` or `[H, W, C]`.
    public var shape: [Int] {
        layout == .nchw ? [channels.count, size.height, size.width] : [size.height, size.width, channels.count]
    }

    /// The number of floats in one preprocessed image.
    public var elementCount: Int { channels.count * size.height * size.width }

    /// The bitmap after colour conversion, resize and centre crop (still 8-bit).
    public func geometry(_ image: Bitmap) -> Bitmap {
        var bitmap = channels == .gray ? image.luminance() : image.rgb()
        switch resize {
        case .none:
            break
        case .shortSide(let n):
            let (w, h) = (bitmap.width, bitmap.height)
            let (short, long) = w <= h ? (w, h) : (h, w)
            let newLong = Int(Double(n * long) / Double(short))
            let (newW, newH) = w <= h ? (n, newLong) : (newLong, n)
            bitmap = Resampler.resize(bitmap, width: newW, height: newH, filter: interpolation)
        case .exact(let height, let width):
            bitmap = Resampler.resize(bitmap, width: width, height: height, filter: interpolation)
        }
        let (h, w) = (bitmap.height, bitmap.width)
        if h == size.height && w == size.width { return bitmap }
        if size.height > h || size.width > w {
            // torchvision pads symmetrically (the extra pixel on the right/bottom), then crops.
            let left = (size.width - w) > 0 ? (size.width - w) / 2 : 0
            let top = (size.height - h) > 0 ? (size.height - h) / 2 : 0
            let padded = bitmap.cropped(left: -left, top: -top, width: max(w, size.width), height: max(h, size.height))
            return centreCrop(padded)
        }
        return centreCrop(bitmap)
    }

    private func centreCrop(_ bitmap: Bitmap) -> Bitmap {
        let top = Int((Double(bitmap.height - size.height) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(bitmap.width - size.width) / 2).rounded(.toNearestOrEven))
        return bitmap.cropped(left: left, top: top, width: size.width, height: size.height)
    }

    /// The model input for one decoded image: `elementCount` floats in `layout` order.
    public func apply(to image: Bitmap) -> [Float] {
        var out = [Float](repeating: 0, count: elementCount)
        apply(to: image, into: &out, at: 0)
        return out
    }

    /// Writes the model input for one image into `buffer` starting at `offset`.
    public func apply(to image: Bitmap, into buffer: inout [Float], at offset: Int) {
        precondition(offset >= 0 && buffer.count >= offset + elementCount, "the buffer holds one more image")
        buffer.withUnsafeMutableBufferPointer { b in
            write(image, to: UnsafeMutableBufferPointer(rebasing: b[offset..<(offset + elementCount)]))
        }
    }

    /// Writes the model input for one image into `out`, which holds exactly `elementCount` floats.
    func write(_ image: Bitmap, to out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count == elementCount, "the output holds one image")
        let bitmap = geometry(image)
        let plane = size.height * size.width, count = channels.count
        // Source channel for each output channel (BGR reverses the order of RGB).
        let order = channels == .bgr ? [2, 1, 0] : Array(0..<count)
        var table = [Float](repeating: 0, count: 256 * count)
        for c in 0..<count {
            // 256 possible inputs per channel: precompute the exact float results.
            for v in 0..<256 {
                let x: Float
                switch scale {
                case .divide(let d): x = Float(v) / d
                case .multiply(let m): x = Float(v) * m
                }
                table[c * 256 + v] = (x - mean[c]) / std[c]
            }
        }
        let (planeStride, channelStride) = layout == .nchw ? (1, plane) : (count, 1)
        bitmap.samples.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { lut in
                guard let s = src.baseAddress, let l = lut.baseAddress, let o = out.baseAddress else { return }
                for c in 0..<count {
                    let source = s + order[c]
                    let values = l + c * 256
                    let target = o + c * channelStride
                    for p in 0..<plane {
                        target[p * planeStride] = values[Int(source[p * count])]
                    }
                }
            }
        }
    }

    /// Two preprocessings are equal when every step is.
    public static func == (a: Preprocessing, b: Preprocessing) -> Bool {
        a.size == b.size && a.channels == b.channels && a.layout == b.layout && a.resize == b.resize
            && a.interpolation == b.interpolation && a.scale == b.scale && a.mean == b.mean && a.std == b.std
    }

    /// Hashes every step.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(size.height)
        hasher.combine(size.width)
        hasher.combine(channels)
        hasher.combine(layout)
        hasher.combine(resize)
        hasher.combine(interpolation)
        hasher.combine(scale)
        hasher.combine(mean)
        hasher.combine(std)
    }

    /// A stable text form of every step, for cache keys and fingerprints.
    public var key: String {
        "\(size.height)x\(size.width) \(channels.rawValue) \(layout.rawValue) \(resize) \(interpolation.rawValue) \(scale) \(mean) \(std)"
    }
}
