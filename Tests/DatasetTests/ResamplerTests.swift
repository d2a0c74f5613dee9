@testable import Dataset
import Testing

@Suite struct ResamplerTests {
    /// The synthetic source image the Pillow reference was computed from.
    static func source() -> Bitmap {
        let (w, h) = (PillowResizeReference.width, PillowResizeReference.height)
        var samples: [UInt8] = []
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 { samples.append(UInt8((x * 37 + y * 91 + c * 53 + x * y * 7) % 256)) }
            }
        }
        return Bitmap(width: w, height: h, channels: 3, samples: samples)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    @Test func matchesPillowForEveryFilterAndSize() throws {
        let rgb = Self.source()
        let gray = rgb.luminance()
        var checked = 0
        for (mode, filterName, width, height, expected) in PillowResizeReference.cases {
            let filter = try #require(Interpolation(rawValue: filterName))
            let image = mode == "L" ? gray : rgb
            let out = Resampler.resize(image, width: width, height: height, filter: filter)
            #expect(out.width == width && out.height == height)
            #expect(Self.hex(out.samples) == expected, "\(mode) \(filterName) \(width)x\(height)")
            checked += 1
        }
        #expect(checked == 72)
    }

    @Test func sameSizeIsIdentity() {
        let image = Self.source()
        #expect(Resampler.resize(image, width: image.width, height: image.height, filter: .bicubic) == image)
    }

    @Test func luminanceMatchesPillowFormula() {
        let image = Bitmap(width: 2, height: 1, channels: 3, samples: [255, 0, 0, 10, 200, 30])
        // Pillow: (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
        #expect(image.luminance().samples == [76, 124])
        let gray = Bitmap(width: 3, height: 1, channels: 1, samples: [0, 128, 255])
        #expect(gray.rgb().luminance() == gray)
    }
}
