import Dataset
import Foundation
import Testing

@Suite struct ImageFolderTests {
    static let preprocessing = Preprocessing(size: (4, 4), channels: .rgb, resize: .shortSide(4), interpolation: .bilinear)

    /// A folder with class folders holding small PNGs, a corrupt file, a text file and metadata.
    static func makeFolder(_ label: String, classes: [String], perClass: Int = 2) throws -> String {
        let root = try Fixtures.temporaryDirectory(label)
        for (c, name) in classes.enumerated() {
            for i in 0..<perClass {
                let samples = (0..<(6 * 5 * 3)).map { UInt8((($0 + 1) * (c + 3) * (i + 7)) % 256) }
                let png = try PNGEncoder.encode(Bitmap(width: 6, height: 5, channels: 3, samples: samples))
                try Fixtures.write(png, to: "\(root)/\(name)/img\(i).png")
            }
        }
        return root
    }

    @Test func wordNetFoldersMapThroughTheLabelFile() throws {
        let classes = try ClassLabels(contentsOf: Fixtures.shared + "/data/imagenet-classes.tsv")
        #expect(classes.count == 1000)
        #expect(classes.index(of: "n01440764") == 0)
        let root = try Self.makeFolder("wnid", classes: ["n01484850", "n01440764"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try ImageFolder(path: root, classes: classes)
        #expect(folder.entries.map(\.name) == ["n01440764/img0.png", "n01440764/img1.png", "n01484850/img0.png", "n01484850/img1.png"])
        #expect(folder.entries.map(\.label) == [0, 0, 2, 2])
        #expect(folder.folderRule == .labelFile)
        // One folder the label file does not know: the whole set falls back to sorted order.
        let partial = try Self.makeFolder("wnid-partial", classes: ["n01484850", "n01440764", "nXXX"], perClass: 1)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        let fallback = try ImageFolder(path: partial, classes: classes)
        #expect(fallback.folderRule == .sortedOrder && fallback.entries.map(\.label) == [0, 1, 2])
    }

    @Test func otherFoldersUseSortedOrderOrTheirNumbers() throws {
        let named = try Self.makeFolder("named", classes: ["zebra", "apple", "mango"], perClass: 1)
        defer { try? FileManager.default.removeItem(atPath: named) }
        #expect(try ImageFolder(path: named).entries.map(\.label) == [0, 1, 2])
        #expect(try ImageFolder(path: named).classFolders == ["apple", "mango", "zebra"])
        let numbered = try Self.makeFolder("numbered", classes: ["10", "2", "7"], perClass: 1)
        defer { try? FileManager.default.removeItem(atPath: numbered) }
        #expect(try ImageFolder(path: numbered).entries.map(\.label) == [10, 2, 7])
        #expect(try ImageFolder(path: numbered).folderRule == .numbers)
    }

    @Test func mappingTableOverridesFolders() throws {
        let root = try Self.makeFolder("mapped", classes: ["cats", "dogs"], perClass: 1)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write(Array("folder,class\ncats,5\ndogs,3\n".utf8), to: root + "/map.csv")
        let table = try ImageTable(contentsOf: root + "/map.csv")
        #expect(try ImageFolder(path: root, mapping: table).entries.map(\.label) == [5, 3])
        try Fixtures.write(Array("dogs/img0.png\t1\ncats\t4\n".utf8), to: root + "/map.tsv")
        let byImage = try ImageTable(contentsOf: root + "/map.tsv")
        #expect(try ImageFolder(path: root, mapping: byImage).entries.map(\.label) == [4, 1])
    }

    @Test func corruptAndNonImageFilesAreSkippedAndCounted() throws {
        let root = try Self.makeFolder("skips", classes: ["a", "b"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = try Fixtures.read("\(root)/a/img0.png")
        try Fixtures.write(Array(good.prefix(good.count / 2)), to: "\(root)/a/truncated.png")
        try Fixtures.write(Array("not an image".utf8), to: "\(root)/b/readme.dat")
        try Fixtures.write([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3], to: "\(root)/b/broken.jpg")
        try Fixtures.write(Array("ignored".utf8), to: "\(root)/b/notes.txt")
        try Fixtures.write(Array("hidden".utf8), to: "\(root)/b/.DS_Store")
        let loader = ImageLoader(preprocessing: Self.preprocessing, threads: 2, cache: nil)
        let images = try loader.load(path: root)
        #expect(images.count == 4)
        #expect(images.skippedCount == 3)
        #expect(Set(images.skipped.map(\.name)) == ["a/truncated.png", "b/broken.jpg", "b/readme.dat"])
        #expect(images.labels == [0, 0, 1, 1])
        #expect(images.shape == [4, 3, 4, 4])
    }

    @Test func emptyOrMissingFoldersAreClearErrors() throws {
        let root = try Fixtures.temporaryDirectory("empty")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: DatasetError.empty(path: root, skipped: 0)) { _ = try ImageFolder(path: root) }
        try Fixtures.write(Array("junk".utf8), to: root + "/x/junk.bin")
        let loader = ImageLoader(preprocessing: Self.preprocessing, cache: nil)
        #expect(throws: DatasetError.empty(path: root, skipped: 1)) { _ = try loader.load(path: root) }
        #expect(throws: DatasetError.self) { _ = try ImageFolder(path: root + "/missing") }
    }

    @Test func singleFileIsOneUnlabelledImage() throws {
        let images = try ImageLoader(preprocessing: Self.preprocessing, cache: nil).load(path: ImageDecoderTests.tench)
        #expect(images.count == 1 && images.labels == nil && images.names == ["n01440764_tench.jpg"])
    }

    /// One thread or several, cached or not: the same tensor, order and fingerprint. The
    /// fingerprint changes when a byte or a name changes.
    @Test func loadingIsDeterministicAndFingerprinted() throws {
        let root = try Self.makeFolder("determinism", classes: ["a", "b", "c"], perClass: 3)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ImageCache(capacity: 1 << 20)
        let serial = try ImageLoader(preprocessing: Self.preprocessing, threads: 1, cache: nil).load(path: root)
        let parallel = try ImageLoader(preprocessing: Self.preprocessing, threads: 4, cache: cache).load(path: root)
        #expect(cache.count == 9)
        let cached = try ImageLoader(preprocessing: Self.preprocessing, threads: 3, cache: cache).load(path: root)
        for other in [parallel, cached] {
            #expect(other.inputs == serial.inputs)
            #expect(other.names == serial.names)
            #expect(other.fingerprint == serial.fingerprint)
        }
        #expect(serial.fingerprint.count == 64)
        var bytes = try Fixtures.read("\(root)/b/img1.png")
        bytes[bytes.count - 1] ^= 1  // one bit of the file: the fingerprint changes, decodable or not
        try Fixtures.write(bytes, to: "\(root)/b/img1.png")
        let changed = try ImageLoader(preprocessing: Self.preprocessing, cache: nil).load(path: root)
        #expect(changed.fingerprint != serial.fingerprint)
        try FileManager.default.moveItem(atPath: "\(root)/c/img2.png", toPath: "\(root)/c/img9.png")
        let renamed = try ImageLoader(preprocessing: Self.preprocessing, cache: nil).load(path: root)
        #expect(renamed.fingerprint != changed.fingerprint)
    }

    @Test func cacheEvictsOldestWhenFull() {
        let p = Self.preprocessing
        let cache = ImageCache(capacity: 3 * 48 * 4)
        for i in 0..<5 { cache.store([Float](repeating: Float(i), count: 48), digest: "d\(i)", preprocessing: p) }
        #expect(cache.count == 3)
        #expect(cache.input(digest: "d0", preprocessing: p) == nil)
        #expect(cache.input(digest: "d4", preprocessing: p)?.first == 4)
    }
}

@Suite struct DemoDataTests {
    static let demo = Fixtures.root + "/Sources/NeuronShapley/Resources/demo"

    /// The embedded demo's sidecar and test images load: 450 gray 16x16 inputs in ten classes,
    /// labelled through the sidecar's class names, nothing skipped.
    @Test func demoImagesLoadThroughTheSidecar() throws {
        let sidecar = try Sidecar(contentsOf: Self.demo + "/digits-cnn.json")
        let classes = try #require(try sidecar.classLabels())
        #expect(classes.names == (0..<10).map(String.init))
        let images = try ImageLoader(preprocessing: sidecar.preprocessing, threads: 2, cache: nil)
            .load(path: Self.demo + "/images", classes: classes)
        #expect(images.shape == [450, 1, 16, 16])
        #expect(images.skippedCount == 0)
        let labels = try #require(images.labels)
        #expect(Set(labels) == Set(0..<10))
        #expect(labels.enumerated().allSatisfy { i, label in images.names[i].hasPrefix("\(label)/") })
        #expect(images.inputs.allSatisfy { $0 >= -1 && $0 <= 1 })
    }
}
