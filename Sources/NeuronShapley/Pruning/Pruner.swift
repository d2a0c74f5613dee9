public import Engine

/// Writes models with filters removed for good, and checks them against the masked network.
public enum Pruner {
    /// The channel means of the whole model over the validation images of `data` (what `nshap run`
    /// replaces removed filters with under mean removal).
    public static func means(for data: GameData, threads: Int = 2) throws -> ChannelMeans {
        let part = data.images.subset(data.validation)
        let session = Session(model: data.model, threads: threads, microBatch: data.settings.microBatch)
        return try session.channelMeans(batches: [Tensor(shape: part.shape, floats: part.inputs)])
    }

    /// The serialized ONNX model with `units` (global unit indices) removed: their weights are
    /// zeroed and their bias set to the replacement constant (see `Model.pruned`).
    public static func prune(_ model: Model, units: [Int], removal: Removal, means: ChannelMeans?) throws -> [UInt8] {
        guard units.allSatisfy({ $0 >= 0 && $0 < model.unitCount }) else {
            throw NeuronShapleyError.invalidOption(name: "units", value: "\(units.filter { $0 < 0 || $0 >= model.unitCount })",
                                                   expected: "unit indices below \(model.unitCount)")
        }
        return try model.pruned(removing: units.map { model.unit(index: $0) }, removal: removal, means: means).serialized()
    }

    /// The original model's logits with `units` masked and the pruned model's logits, on `images`
    /// (each `[N] + output item`).
    public static func compare(original: Model, pruned: Model, units: [Int], removal: Removal, means: ChannelMeans?,
                               images: Tensor, threads: Int = 2) throws -> (masked: Tensor, pruned: Tensor) {
        let masked = try Session(model: original, threads: threads).evaluate(
            images: images, masks: [Mask(removing: units)], removal: removal, means: means)
        let direct = try Session(model: pruned, threads: threads).run(images)
        return (masked.reshaped(direct.shape), direct)
    }
}
