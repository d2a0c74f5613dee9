@testable import Dataset
import Foundation
import Testing

@Suite struct ImageDecoderTests {
    static let tench = Fixtures.shared + "/data/imagenet-sample/n01440764/n01440764_tench.jpg"

    static func decodeReference(_ base64: String) throws -> [UInt8] {
        [UInt8](try #require(Data(base64Encoded: base64)))
    }

    /// Gray, 4:2:0, progressive and CMYK JPEGs and alpha, palette and 16-bit PNGs decode to what
    /// Pillow's `convert("RGB")` gives (exactly; 16-bit samples are scaled by 1/257 where Pillow clips).
    @Test(arguments: DecoderReference.cases.map { $0.0 })
    func matchesPillow(_ name: String) throws {
        let item = try #require(DecoderReference.cases.first { $0.0 == name })
        let bitmap = try ImageDecoder().decode(Self.decodeReference(item.1), name: name).rgb()
        #expect(bitmap.width == item.2 && bitmap.height == item.3)
        let expected = try #require(Self.bytes(hex: item.4))
        let worst = zip(bitmap.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst == 0, "worst difference \(worst)")
    }

    static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Int(String(UnicodeScalar(high)), radix: 16), let l = Int(String(UnicodeScalar(low)), radix: 16) else { return nil }
            out.append(UInt8(h * 16 + l))
        }
        return out
    }

    @Test func grayFilesStayGray() throws {
        let item = try #require(DecoderReference.cases.first { $0.0 == "gray.jpg" })
        #expect(try ImageDecoder().decode(Self.decodeReference(item.1), name: "g").channels == 1)
    }

    /// Every prefix length class of a real JPEG: cut in the headers, in the entropy data, just
    /// before the end marker. None may crash or print; all but the complete file must be refused.
    @Test func truncatedJPEGsAreRefused() throws {
        let bytes = try Fixtures.read(Self.tench)
        let decoder = ImageDecoder()
        #expect(try decoder.decode(bytes, name: "full").width == 341)
        for length in [0, 1, 2, 3, 4, 20, 100, 300, 600, 2_000, bytes.count / 2, bytes.count - 2] {
            #expect(throws: DatasetError.self, "length \(length)") {
                _ = try decoder.decode(Array(bytes.prefix(length)), name: "cut")
            }
        }
    }

    @Test func damagedJPEGEntropyDataIsRefused() throws {
        var bytes = try Fixtures.read(Self.tench)
        // Overwrite a stretch of the entropy-coded data with garbage that contains markers.
        var rng = SplitMix64(seed: 5)
        for i in (bytes.count / 3)..<(bytes.count / 3 + 4_000) { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        #expect(throws: DatasetError.self) { _ = try ImageDecoder().decode(bytes, name: "damaged") }
    }

    @Test func garbageAndTextAreNotImages() throws {
        let decoder = ImageDecoder()
        var rng = SplitMix64(seed: 1)
        let garbage = (0..<5_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(throws: DatasetError.notAnImage(path: "garbage")) { _ = try decoder.decode(garbage, name: "garbage") }
        #expect(throws: DatasetError.notAnImage(path: "notes.txt")) {
            _ = try decoder.decode(Array("hello, world\n".utf8), name: "notes.txt")
        }
        // JPEG and PNG signatures followed by garbage.
        #expect(throws: DatasetError.self) { _ = try decoder.decode([0xFF, 0xD8, 0xFF] + garbage, name: "fake.jpg") }
        #expect(throws: DatasetError.self) {
            _ = try decoder.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + garbage, name: "fake.png")
        }
    }

    @Test func truncatedPNGsAreRefused() throws {
        var samples: [UInt8] = []
        for i in 0..<(40 * 30 * 3) { samples.append(UInt8((i * 7) % 251)) }
        let png = try PNGEncoder.encode(Bitmap(width: 40, height: 30, channels: 3, samples: samples))
        #expect(try ImageDecoder().decode(png, name: "ok").samples == samples)
        for length in [8, 16, 33, 60, png.count / 2, png.count - 13] {
            #expect(throws: DatasetError.self, "length \(length)") {
                _ = try ImageDecoder().decode(Array(png.prefix(length)), name: "cut.png")
            }
        }
    }

    @Test func oversizedImagesAreRefusedBeforeAllocation() throws {
        let bytes = try Fixtures.read(Self.tench)
        #expect(throws: DatasetError.self) { _ = try ImageDecoder(maxPixels: 1_000).decode(bytes, name: "big") }
        let png = try PNGEncoder.encode(Bitmap(width: 50, height: 50, channels: 1, samples: .init(repeating: 9, count: 2_500)))
        #expect(throws: DatasetError.self) { _ = try ImageDecoder(maxPixels: 2_499).decode(png, name: "big.png") }
    }

    @Test func pngRoundTripGrayAndRGB() throws {
        let gray = Bitmap(width: 3, height: 2, channels: 1, samples: [0, 50, 100, 150, 200, 255])
        #expect(try ImageDecoder().decode(PNGEncoder.encode(gray), name: "g") == gray)
        let rgb = gray.rgb()
        #expect(try ImageDecoder().decode(PNGEncoder.encode(rgb), name: "c") == rgb)
    }

    /// Seeded random damage (byte flips, cuts, inserted markers) to small JPEGs and PNGs of every
    /// kind: each either decodes to an image of the right size or throws; nothing crashes.
    @Test func randomDamageNeverCrashes() throws {
        var rng = SplitMix64(seed: 2_024)
        var decoded = 0, refused = 0
        for item in DecoderReference.cases {
            let original = try Self.decodeReference(item.1)
            for _ in 0..<60 {
                var bytes = original
                switch rng.next() % 3 {
                case 0:
                    for _ in 0..<(1 + rng.next() % 8) {
                        let at = Int(rng.next() % UInt64(bytes.count))
                        bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    }
                case 1:
                    bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
                default:
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes.insert(contentsOf: [0xFF, UInt8(0xC0 + rng.next() % 0x3F)], at: at)
                }
                do {
                    let image = try ImageDecoder(maxPixels: 1 << 20).decode(bytes, name: item.0)
                    #expect(image.samples.count == image.width * image.height * image.channels)
                    decoded += 1
                } catch {
                    refused += 1
                }
            }
        }
        #expect(decoded + refused == 60 * DecoderReference.cases.count)
        #expect(refused > 0)
    }
}
