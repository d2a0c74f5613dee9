import Foundation

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
        let sink = StatisticsSink(units: model.unitCount)
        var images = 0
        let stages = try fullStages()
        for batch in batches {
            _ = try checkImages(batch)
            let n = batch.shape[0]
            images += n
            for group in Session.chunks(n, model.itemsAreIndependent ? imagesPerPass : n) {
                let store = try self.store(with: batch, items: group)
                defer { recycle(store.buffers) }
                try execute(stages, items: group.count, images: group.count, pairs: false, store: store,
                            plainOutputs: Set(model.graph.outputs), statistics: sink)
            }
        }
        guard images > 0 else { throw EngineError.invalidInput(reason: "channel means need at least one image") }
        let sums = sink.sums.withLock { $0 }
        var means = [Float](repeating: 0, count: model.unitCount)
        for layer in model.convLayers {
            let positions = Double(images * layer.outputShape.dropFirst().reduce(1, *))
            for u in layer.units { means[u] = Float(sums[u] / positions) }
        }
        let result = ChannelMeans(modelFingerprint: model.fingerprint, dataFingerprint: data, imageCount: images, values: means)
        if let cachePath { try result.save(to: cachePath) }
        return result
    }
}
