public import Dataset
import Foundation

/// Pictures of what the important filters respond to: for a filter, the image patches (its
/// receptive field around its strongest response) of the images where it responds most.
public enum PatchGallery {
    /// One patch: which image, where, and how strong the response was.
    public struct Patch: Sendable, Hashable, Codable {
        /// The image's name in the data set.
        public var image: String
        /// The response (the filter's output before its activation function).
        public var value: Float
        /// The crop in input pixels: top, left, height, width.
        public var top: Int, left: Int, height: Int, width: Int
    }

    /// The 8-bit picture of preprocessed image `floats` (inverting the normalisation and scale).
    public static func bitmap(_ floats: ArraySlice<Float>, preprocessing p: Preprocessing) -> Bitmap {
        let (h, w, c) = (p.size.height, p.size.width, p.channels.count)
        var samples = [UInt8](repeating: 0, count: h * w * c)
        let base = floats.startIndex
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c {
                    let index = p.layout == .nchw ? (k * h + y) * w + x : (y * w + x) * c + k
                    let v = floats[base + index] * p.std[k] + p.mean[k]
                    let byte: Float
                    switch p.scale {
                    case .divide(let d): byte = v * d
                    case .multiply(let m): byte = m == 0 ? 0 : v / m
                    }
                    let channel = p.channels == .bgr ? 2 - k : k
                    samples[(y * w + x) * c + channel] = UInt8(max(0, min(255, byte.rounded())))
                }
            }
        }
        return Bitmap(width: w, height: h, channels: c, samples: samples)
    }

    /// `bitmap` scaled by an integer factor with nearest-neighbour sampling (small patches stay crisp).
    public static func enlarged(_ bitmap: Bitmap, to cell: Int) -> Bitmap {
        let factor = max(1, cell / max(bitmap.width, bitmap.height))
        guard factor > 1 else { return bitmap }
        let (w, h, c) = (bitmap.width * factor, bitmap.height * factor, bitmap.channels)
        var samples = [UInt8](repeating: 0, count: w * h * c)
        for y in 0..<h { for x in 0..<w { for k in 0..<c { samples[(y * w + x) * c + k] = bitmap[x / factor, y / factor, k] } } }
        return Bitmap(width: w, height: h, channels: c, samples: samples)
    }

    /// Bitmaps laid out in rows on a white canvas, each centred in a `cell x cell` slot with a
    /// `gap` between slots; all bitmaps are converted to RGB.
    public static func sheet(_ rows: [[Bitmap]], cell: Int, gap: Int = 4) -> Bitmap {
        let columns = max(1, rows.map(\.count).max() ?? 1)
        let width = columns * cell + (columns + 1) * gap, height = max(1, rows.count) * cell + (max(1, rows.count) + 1) * gap
        var samples = [UInt8](repeating: 255, count: width * height * 3)
        for (r, row) in rows.enumerated() {
            for (col, picture) in row.enumerated() {
                let rgb = picture.rgb()
                let ox = gap + col * (cell + gap) + max(0, (cell - rgb.width) / 2)
                let oy = gap + r * (cell + gap) + max(0, (cell - rgb.height) / 2)
                for y in 0..<min(rgb.height, cell) {
                    for x in 0..<min(rgb.width, cell) {
                        for k in 0..<3 { samples[((oy + y) * width + ox + x) * 3 + k] = rgb[x, y, k] }
                    }
                }
            }
        }
        return Bitmap(width: width, height: height, channels: 3, samples: samples)
    }

    /// The `count` strongest patches of a filter: its peaks (one per image, strongest first),
    /// cropped to `field` from the images of `data` at `indices`.
    public static func patches(peaks: [ActivationPeak], field: ReceptiveField, data: GameData, indices: [Int],
                               count: Int) -> [(patch: Patch, bitmap: Bitmap)] {
        let p = data.sidecar.preprocessing
        let best = peaks.sorted { $0.value != $1.value ? $0.value > $1.value : $0.image < $1.image }.prefix(count)
        return best.map { peak in
            let index = indices[peak.image]
            let picture = bitmap(data.images.image(index), preprocessing: p)
            let r = field.crop(y: peak.y, x: peak.x, imageHeight: p.size.height, imageWidth: p.size.width)
            let cropped = picture.cropped(left: r.left, top: r.top, width: r.width, height: r.height)
            return (Patch(image: data.images.names[index], value: peak.value, top: r.top, left: r.left, height: r.height, width: r.width),
                    cropped)
        }
    }
}
