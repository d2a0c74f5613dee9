import Digest
import Dispatch
import Synchronization

/// Reads a data set into memory: decodes and preprocesses image files on a bounded number of
/// threads, or reads NPY tensors, and computes the data fingerprint.
public struct ImageLoader: Sendable {
    /// The preprocessing applied to image files (NPY tensors must already have its output shape).
    public var preprocessing: Preprocessing
    /// The most threads decoding at once (at least 1).
    public var threads: Int
    /// The decoder and its limits.
    public var decoder: ImageDecoder
    /// Where preprocessed images are kept between loads (nil: no caching).
    public var cache: ImageCache?

    /// A loader for `preprocessing` on `threads` threads.
    public init(preprocessing: Preprocessing, threads: Int = 2, decoder: ImageDecoder = ImageDecoder(),
                cache: ImageCache? = .shared) {
        self.preprocessing = preprocessing
        self.threads = max(1, threads)
        self.decoder = decoder
        self.cache = cache
    }

    /// Loads whatever `path` is: an `.npy` tensor (labels from `labelsPath`, or `NAME.labels.npy`
    /// or `labels.npy` beside it when present), else a folder or image file (`ImageFolder`).
    public func load(path: String, classes: ClassLabels? = nil, mapping: ImageTable? = nil,
                     labelsPath: String? = nil) throws(DatasetError) -> LabeledImages {
        if !FileAccess.kind(of: path).isDirectory && FileAccess.pathExtension(of: path) == "npy" {
            return try loadTensor(path: path, labelsPath: labelsPath ?? Self.siblingLabels(of: path))
        }
        return try load(ImageFolder(path: path, classes: classes, mapping: mapping))
    }

    /// Decodes and preprocesses every file of `folder`; files that fail are skipped and counted.
    /// - Throws: `DatasetError.empty` when no file could be used.
    public func load(_ folder: ImageFolder) throws(DatasetError) -> LabeledImages {
        let entries = folder.entries
        let size = preprocessing.elementCount
        let outcomes = Mutex([Outcome?](repeating: nil, count: entries.count))
        let next = Mutex(0)
        // Every image is written straight into its slot of the final tensor; slots of skipped
        // files are squeezed out afterwards.
        // Left uninitialised: each worker's writes are the first touch of its slots' pages, so
        // the page faults spread over the threads; unused slots are never read.
        var inputs = [Float](unsafeUninitializedCapacity: entries.count * size) { _, count in
            count = entries.count * size
        }
        inputs.withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(buffer: buffer, size: size)
            let work = { @Sendable in
                while true {
                    let i: Int = next.withLock { value in
                        defer { value += 1 }
                        return value
                    }
                    guard i < entries.count else { return }
                    let outcome = self.process(entries[i], into: slots.slot(i))
                    outcomes.withLock { $0[i] = outcome }
                }
            }
            let workers = min(threads, entries.count)
            if workers <= 1 {
                work()
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { _ in work() }
            }
        }
        let results = outcomes.withLock { $0 }

        var fingerprint = SHA256()
        fingerprint.update(field: "nshap-data-v1")
        var names: [String] = [], labels: [Int] = [], skipped: [LabeledImages.Skipped] = []
        var allLabeled = true
        for (index, (entry, result)) in zip(entries, results).enumerated() {
            fingerprint.update(field: entry.name)
            fingerprint.update(integer: UInt64(bitPattern: Int64(entry.label ?? -1)))
            switch result {
            case .image(let digest)?:
                fingerprint.update(digest)
                if names.count != index {
                    let target = names.count * size
                    inputs.withUnsafeMutableBufferPointer { b in
                        guard let base = b.baseAddress else { return }
                        (base + target).update(from: base + index * size, count: size)
                    }
                }
                names.append(entry.name)
                if let label = entry.label { labels.append(label) } else { allLabeled = false }
            case .failed(let digest, let reason)?:
                fingerprint.update(digest)
                skipped.append(.init(name: entry.name, reason: reason))
            case nil:
                skipped.append(.init(name: entry.name, reason: "not processed"))
            }
        }
        guard !names.isEmpty else { throw .empty(path: folder.root, skipped: skipped.count) }
        if names.count < entries.count { inputs.removeLast((entries.count - names.count) * size) }
        return LabeledImages(inputs: inputs, imageShape: preprocessing.shape, names: names,
                             labels: allLabeled ? labels : nil, skipped: skipped,
                             fingerprint: fingerprint.hexDigest())
    }

    /// Reads a float32 tensor `[N, ...]` whose image shape must equal the preprocessing's, with
    /// optional integer labels `[N]`.
    /// - Throws: `DatasetError.invalidNPY` for a wrong type or shape.
    public func loadTensor(path: String, labelsPath: String? = nil) throws(DatasetError) -> LabeledImages {
        let bytes = try FileAccess.read(path)
        let array = try NPYArray(bytes: bytes, path: path)
        guard case .float32(let floats) = array.storage else {
            throw .invalidNPY(path: path, reason: "holds integers; images must be float32")
        }
        guard array.shape.count >= 2, Array(array.shape.dropFirst()) == preprocessing.shape else {
            throw .invalidNPY(path: path, reason: "shape \(array.shape) is not [N] + \(preprocessing.shape), the model's input")
        }
        let count = array.shape[0]
        var fingerprint = SHA256()
        fingerprint.update(field: "nshap-data-v1")
        fingerprint.update(field: FileAccess.lastComponent(of: path))
        fingerprint.update(SHA256.hex(bytes).utf8)
        var labels: [Int]? = nil
        if let labelsPath {
            let labelBytes = try FileAccess.read(labelsPath)
            let labelArray = try NPYArray(bytes: labelBytes, path: labelsPath)
            guard let values = labelArray.integers, labelArray.shape == [count] else {
                throw .invalidNPY(path: labelsPath, reason: "labels must be integers of shape [\(count)], not \(labelArray.shape)")
            }
            labels = values
            fingerprint.update(field: FileAccess.lastComponent(of: labelsPath))
            fingerprint.update(SHA256.hex(labelBytes).utf8)
        }
        let stem = FileAccess.lastComponent(of: path)
        let names = (0..<count).map { "\(stem)[\($0)]" }
        return LabeledImages(inputs: floats, imageShape: preprocessing.shape, names: names, labels: labels,
                             fingerprint: fingerprint.hexDigest())
    }

    private enum Outcome: Sendable {
        case image(digest: [UInt8])
        case failed(digest: [UInt8], reason: String)
    }

    /// The slots of the output tensor, one per file.
    // @unchecked Sendable: workers write only the slot of the index they took from the shared
    // counter (each index is handed out once), and the buffer outlives the workers (they all end
    // inside `withUnsafeMutableBufferPointer`).
    private struct Slots: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Float>
        let size: Int

        func slot(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(rebasing: buffer[(i * size)..<((i + 1) * size)])
        }
    }

    private func process(_ entry: ImageFolder.Entry, into slot: UnsafeMutableBufferPointer<Float>) -> Outcome {
        let bytes: [UInt8]
        do {
            bytes = try FileAccess.read(entry.path)
        } catch {
            return .failed(digest: [], reason: error.description)
        }
        var hasher = SHA256()
        hasher.update(bytes)
        let digest = hasher.finalize()
        let key = SHA256.hex(digest)
        if let cached = cache?.input(digest: key, preprocessing: preprocessing), cached.count == slot.count {
            _ = slot.update(fromContentsOf: cached)
            return .image(digest: digest)
        }
        do {
            let bitmap = try decoder.decode(bytes, name: entry.name)
            preprocessing.write(bitmap, to: slot)
            cache?.store(Array(slot), digest: key, preprocessing: preprocessing)
            return .image(digest: digest)
        } catch {
            return .failed(digest: digest, reason: error.description)
        }
    }

    private static func siblingLabels(of path: String) -> String? {
        let stem = String(path.dropLast(4))
        for candidate in [stem + ".labels.npy", stem + "-labels.npy", FileAccess.join(FileAccess.directory(of: path), "labels.npy")]
        where candidate != path && FileAccess.kind(of: candidate).exists {
            return candidate
        }
        return nil
    }
}
