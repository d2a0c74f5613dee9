import Dataset
import Foundation
import Testing

@Suite struct SplitAndTensorTests {
    @Test func splitIsDeterministicDisjointAndStratified() {
        let labels = (0..<300).map { $0 % 10 }
        let a = Split(count: 300, labels: labels, validationFraction: 0.5, seed: 42)
        let b = Split(count: 300, labels: labels, validationFraction: 0.5, seed: 42)
        let c = Split(count: 300, labels: labels, validationFraction: 0.5, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.validation.count == 150 && a.test.count == 150)
        #expect(Set(a.validation).isDisjoint(with: a.test))
        #expect(Set(a.validation + a.test) == Set(0..<300))
        for k in 0..<10 {
            let n = a.validation.filter { labels[$0] == k }.count
            #expect(abs(n - 15) <= 1, "class \(k) has \(n) validation images")
        }
    }

    /// One image per class (the ImageNet sample): stratification still splits the classes.
    @Test func splitWithOneImagePerClass() {
        let split = Split(count: 500, labels: Array(0..<500), validationFraction: 0.5, seed: 7)
        #expect(split.validation.count == 250 && split.test.count == 250)
        let small = Split(count: 10, labels: nil, validationFraction: 0.3, seed: 1)
        #expect(small.validation.count == 3 && small.test.count == 7)
    }

    @Test func splitMix64KnownSequence() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func npyRoundTripAndTensorLoading() throws {
        let root = try Fixtures.temporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let floats: [Float] = (0..<24).map { (i: Int) -> Float in Float(i) * 0.5 - 3 }
        try Fixtures.write(NPYArray(floats: floats, shape: [3, 1, 2, 4]).npyBytes, to: root + "/x.npy")
        try Fixtures.write(NPYArray(integers: [4, 0, 9], shape: [3]).npyBytes, to: root + "/x.labels.npy")
        let back = try NPYArray(contentsOf: root + "/x.npy")
        #expect(back.shape == [3, 1, 2, 4] && back.floats == floats)

        // The image shape must be the model's input shape.
        let gray = Preprocessing(size: (2, 4), channels: .gray)
        #expect(throws: DatasetError.self) { _ = try ImageLoader(preprocessing: Preprocessing(size: (2, 4))).load(path: root + "/x.npy") }
        #expect(throws: DatasetError.self) { _ = try ImageLoader(preprocessing: Preprocessing(size: (4, 2), channels: .gray)).load(path: root + "/x.npy") }

        // Labels beside the tensor are found; without them the images are unlabelled.
        let labelled = try ImageLoader(preprocessing: gray).load(path: root + "/x.npy")
        #expect(labelled.count == 3 && labelled.inputs == floats && labelled.labels == [4, 0, 9])
        try FileManager.default.removeItem(atPath: root + "/x.labels.npy")
        let unlabelled = try ImageLoader(preprocessing: gray).load(path: root + "/x.npy")
        #expect(unlabelled.labels == nil && unlabelled.names == ["x.npy[0]", "x.npy[1]", "x.npy[2]"])
        #expect(labelled.fingerprint != unlabelled.fingerprint)

        // Integer images and labels of the wrong length are refused.
        try Fixtures.write(NPYArray(integers: [1, 2], shape: [2]).npyBytes, to: root + "/bad-labels.npy")
        #expect(throws: DatasetError.self) {
            _ = try ImageLoader(preprocessing: gray).loadTensor(path: root + "/x.npy", labelsPath: root + "/bad-labels.npy")
        }
        #expect(throws: DatasetError.self) {
            _ = try ImageLoader(preprocessing: gray).loadTensor(path: root + "/bad-labels.npy")
        }
    }

    /// numpy's own bytes for np.array([[1.5, -2.0]], dtype=np.float32) and np.arange(3) (int64).
    @Test func readsNumpyWrittenFiles() throws {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 118, 0]
        bytes += Array(header.utf8) + [UInt8](repeating: 0x20, count: 117 - header.utf8.count) + [0x0A]
        bytes += [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0]
        #expect(try NPYArray(bytes: bytes, path: "a.npy").floats == [1.5, -2])
        let ints = NPYArray(integers: [0, 1, -2], shape: [3])
        #expect(try NPYArray(bytes: ints.npyBytes, path: "b.npy").integers == [0, 1, -2])
        #expect((ints.npyBytes.count - 24) % 64 == 0)
        #expect(throws: DatasetError.self) { _ = try NPYArray(bytes: Array(bytes.prefix(40)), path: "cut.npy") }
        #expect(throws: DatasetError.self) { _ = try NPYArray(bytes: Array(bytes.dropLast(3)), path: "short.npy") }
    }
}
