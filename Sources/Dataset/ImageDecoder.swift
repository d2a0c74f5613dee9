private import CImageShim
private import CPNG

/// The image file formats we decode.
public enum ImageFormat: String, Sendable {
    /// JPEG (JFIF/Exif), decoded by libjpeg-turbo.
    case jpeg
    /// PNG, decoded by libpng's simplified API.
    case png

    /// The format announced by the first bytes of a file, or nil for anything else.
    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(8))
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF {
            self = .jpeg
        } else if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            return nil
        }
    }
}

/// Turns JPEG and PNG bytes into 8-bit gray or RGB bitmaps, the way Pillow's `open(...).convert`
/// does for the common cases, and never crashes or prints on damaged input.
///
/// - JPEG: full-resolution decoding with libjpeg's defaults (ISLOW IDCT, fancy upsampling), which
///   is what Pillow does unless a draft mode is requested. Gray JPEGs stay gray; CMYK/YCCK JPEGs are
///   converted to RGB with Pillow's formula. Fatal libjpeg errors and the warnings that mean damaged
///   or truncated entropy data both throw `DatasetError.corruptImage` (Pillow also refuses truncated
///   files); harmless warnings (extraneous bytes, unknown JFIF revision) are ignored.
/// - PNG: alpha is dropped (not composited), palettes are expanded, 16-bit samples are scaled to
///   8 bits. libpng's simplified API applies a gAMA chunk that differs from sRGB, which Pillow ignores.
public struct ImageDecoder: Sendable {
    /// Images with more pixels than this are refused before their pixels are allocated.
    public var maxPixels: Int

    /// A decoder refusing images of more than `maxPixels` pixels (default 100 megapixels).
    public init(maxPixels: Int = 100_000_000) {
        self.maxPixels = maxPixels
    }

    /// Decodes `bytes`; `name` is only used in error messages.
    /// - Throws: `DatasetError.notAnImage` or `DatasetError.corruptImage`.
    public func decode(_ bytes: [UInt8], name: String) throws(DatasetError) -> Bitmap {
        switch ImageFormat(sniffing: bytes) {
        case .jpeg: return try decodeJPEG(bytes, name: name)
        case .png: return try decodePNG(bytes, name: name)
        case nil: throw .notAnImage(path: name)
        }
    }

    private func decodeJPEG(_ bytes: [UInt8], name: String) throws(DatasetError) -> Bitmap {
        var result = nshim_jpeg_image()
        let status = bytes.withUnsafeBufferPointer { buffer in
            nshim_jpeg_decode(buffer.baseAddress, buffer.count, maxPixels, &result)
        }
        defer { nshim_free(result.pixels) }
        let message = Self.string(fromTuple: result.message)
        guard status == 0, let pixels = result.pixels else {
            throw .corruptImage(path: name, reason: message.isEmpty ? "libjpeg failed" : message)
        }
        guard result.corrupt_warnings == 0 else {
            throw .corruptImage(path: name, reason: message)
        }
        let width = Int(result.width), height = Int(result.height), count = width * height
        switch result.components {
        case 3:
            let samples = [UInt8](UnsafeBufferPointer(start: pixels, count: count * 3))
            return Bitmap(width: width, height: height, channels: 3, samples: samples)
        case 1:
            let samples = [UInt8](UnsafeBufferPointer(start: pixels, count: count))
            return Bitmap(width: width, height: height, channels: 1, samples: samples)
        case 4:
            let cmyk = UnsafeBufferPointer(start: pixels, count: count * 4)
            return Self.rgb(fromCMYK: cmyk, width: width, height: height, inverted: result.adobe_inverted != 0)
        default:
            throw .corruptImage(path: name, reason: "unexpected \(result.components) colour components")
        }
    }

    /// Pillow's CMYK to RGB conversion (Adobe files store the samples inverted).
    static func rgb(fromCMYK cmyk: UnsafeBufferPointer<UInt8>, width: Int, height: Int, inverted: Bool) -> Bitmap {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        func muldiv255(_ a: Int, _ b: Int) -> Int {
            let t = a * b + 128
            return ((t >> 8) + t) >> 8
        }
        for i in 0..<(width * height) {
            var v = (Int(cmyk[4 * i]), Int(cmyk[4 * i + 1]), Int(cmyk[4 * i + 2]), Int(cmyk[4 * i + 3]))
            if inverted { v = (255 - v.0, 255 - v.1, 255 - v.2, 255 - v.3) }
            let nk = 255 - v.3
            out[3 * i] = UInt8(clamping: nk - muldiv255(v.0, nk))
            out[3 * i + 1] = UInt8(clamping: nk - muldiv255(v.1, nk))
            out[3 * i + 2] = UInt8(clamping: nk - muldiv255(v.2, nk))
        }
        return Bitmap(width: width, height: height, channels: 3, samples: out)
    }

    private func decodePNG(_ bytes: [UInt8], name: String) throws(DatasetError) -> Bitmap {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else {
            let reason = Self.string(fromTuple: image.message)
            png_image_free(&image)
            throw .corruptImage(path: name, reason: reason.isEmpty ? "libpng failed" : reason)
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            png_image_free(&image)
            throw .corruptImage(path: name, reason: "image of \(width) x \(height) pixels exceeds the limit of \(maxPixels) pixels")
        }
        let color = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let alpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = color ? 3 : 1
        let stored = channels + (alpha ? 1 : 0)
        image.format = (color ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var buffer = [UInt8](repeating: 0, count: width * height * stored)
        let finished = buffer.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, Int32(width * stored), nil)
        }
        guard finished != 0 else {
            let reason = Self.string(fromTuple: image.message)
            png_image_free(&image)
            throw .corruptImage(path: name, reason: reason.isEmpty ? "libpng failed" : reason)
        }
        if alpha {
            var packed = [UInt8](repeating: 0, count: width * height * channels)
            for i in 0..<(width * height) {
                for c in 0..<channels { packed[i * channels + c] = buffer[i * stored + c] }
            }
            buffer = packed
        }
        return Bitmap(width: width, height: height, channels: channels, samples: buffer)
    }

    /// A NUL-terminated C character array imported as a tuple, as a Swift string.
    static func string<T>(fromTuple tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
