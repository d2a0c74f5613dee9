/// The sizes of a 2-D convolution or pooling window over a batch of images.
struct ConvGeometry: Sendable, Hashable {
    /// Images in the batch.
    var batch: Int
    /// Input channels.
    var inChannels: Int
    /// Input height and width.
    var height: Int, width: Int
    /// Output channels.
    var outChannels: Int
    /// Output height and width.
    var outHeight: Int, outWidth: Int
    /// Kernel height and width.
    var kernelH: Int, kernelW: Int
    /// Strides.
    var strideH: Int, strideW: Int
    /// Dilations.
    var dilationH: Int, dilationW: Int
    /// Padding before (top, left) and after (bottom, right).
    var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    /// Groups (`inChannels` for depthwise).
    var groups: Int

    /// Input channels per group.
    var inPerGroup: Int { inChannels / groups }
    /// Output channels per group.
    var outPerGroup: Int { outChannels / groups }
    /// Output positions per image.
    var outPixels: Int { outHeight * outWidth }
    /// The inner dimension of the convolution as a matrix product.
    var patchSize: Int { kernelH * kernelW * inPerGroup }
    /// Whether this is a 1x1, stride-1, unpadded, ungrouped convolution (a plain matrix product).
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && groups == 1
            && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }
    /// Whether every group has one input and one output channel.
    var isDepthwise: Bool { groups == inChannels && groups == outChannels && groups > 1 }

    /// The output size of a window of `k` with dilation `d`, stride `s`, pads `p0`/`p1` over `n`
    /// positions; `ceil` rounds partial windows up (pooling's `ceil_mode`), dropping a last window
    /// that would start in the end padding.
    static func outputSize(_ n: Int, k: Int, s: Int, d: Int, p0: Int, p1: Int, ceil: Bool = false) -> Int {
        let span = (k - 1) * d + 1
        let room = n + p0 + p1 - span
        guard room >= 0 else { return 0 }
        var out = (ceil ? (room + s - 1) / s : room / s) + 1
        if ceil && (out - 1) * s >= n + p0 { out -= 1 }
        return out
    }
}
