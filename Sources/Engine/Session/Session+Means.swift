import Foundation
import Synchronization

extension Session {
    /// The mean of every conv output channel (before its activation) over the images of `batches`
    /// (each `[N] + model.itemShape`), with the unmasked network.
    ///
    /// `dataFingerprint` identifies the data set (default: `ChannelMeans.dataFingerprint(batches)`).
    /// With a `cacheDirectory`, means already computed there for this model and data set are read
    /// back instead of recomputed, and new ones are written there.
    public func channelMeans(batches: [Tensor], dataFingerprint: String? = nil,
                             cacheDirectory: String? = nil) throws -> ChannelMeans {
        let data = dataFingerprint ?? ChannelMeans.dataFingerprint(batches)
        var cachePath: String?
        if let dir = cacheDirectory {
            let path = (dir as NSString).appendingPathComponent(
                ChannelMeans.fileName(modelFingerprint: model.fingerprint, dataFingerprint: data))
            cachePath = path
            if FileManager.default.fileExists(atPath: path), let cached = try? ChannelMeans.load(path: path),
               (try? cached.validate(for: model, dataFingerprint: data)) != nil {
                return cached
            }
        }
        let units = model.unitCount
        let totals = Mutex([Double](repeating: 0, count: units))
        var images = 0
        for batch in batches {
            let values = try checkImages(batch)
            let n = batch.shape[0]
            images += n
            let item = model.itemShape.reduce(1, *)
            let chunks = Session.chunks(n, microBatch)
            try parallel(chunks.count) { c, ws in
                let range = chunks[c]
                let plan = try self.fullPlan(batch: range.count)
                let sums = UnsafeMutablePointer<Double>.allocate(capacity: max(units, 1))
                defer { sums.deallocate() }
                sums.initialize(repeating: 0, count: max(units, 1))
                try ws.run(plan, statistics: sums, prepare: { _, dst in
                    values.withUnsafeBufferPointer { src in
                        if let s = src.baseAddress { dst.update(from: s + range.lowerBound * item, count: range.count * item) }
                    }
                }, collect: { _, _ in })
                totals.withLock { t in for u in 0..<units { t[u] += sums[u] } }
            }
        }
        guard images > 0 else { throw EngineError.invalidInput(reason: "channel means need at least one image") }
        let sums = totals.withLock { $0 }
        var means = [Float](repeating: 0, count: units)
        for layer in model.convLayers {
            let positions = Double(images * layer.outputShape.dropFirst().reduce(1, *))
            for u in layer.units { means[u] = Float(sums[u] / positions) }
        }
        let result = ChannelMeans(modelFingerprint: model.fingerprint, dataFingerprint: data, imageCount: images, values: means)
        if let cachePath { try result.save(to: cachePath) }
        return result
    }
}
