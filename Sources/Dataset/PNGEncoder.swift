private import CPNG

/// Writes bitmaps as PNG files through libpng's simplified API (8-bit gray or RGB, no gamma
/// chunk beyond sRGB), for figures such as image patches and for test data.
public enum PNGEncoder {
    /// The PNG encoding of `bitmap`.
    /// - Throws: `DatasetError.invalidArgument` when libpng refuses the image.
    public static func encode(_ bitmap: Bitmap) throws(DatasetError) -> [UInt8] {
        guard bitmap.width > 0, bitmap.height > 0 else {
            throw .invalidArgument("cannot write an empty \(bitmap.width) x \(bitmap.height) image as PNG")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(bitmap.width)
        image.height = UInt32(bitmap.height)
        image.format = bitmap.channels == 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0
        let stride = Int32(bitmap.width * bitmap.channels)
        var size = 0
        // First call: ask for the size.
        let sized = bitmap.samples.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else {
            let reason = ImageDecoder.string(fromTuple: image.message)
            png_image_free(&image)
            throw .invalidArgument("libpng cannot encode a \(bitmap.width) x \(bitmap.height) image: \(reason)")
        }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { buffer in
            bitmap.samples.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, buffer.baseAddress, &size, 0, raw.baseAddress, stride, nil)
            }
        }
        guard written != 0 else {
            let reason = ImageDecoder.string(fromTuple: image.message)
            png_image_free(&image)
            throw .invalidArgument("libpng cannot encode a \(bitmap.width) x \(bitmap.height) image: \(reason)")
        }
        return Array(out.prefix(size))
    }
}
