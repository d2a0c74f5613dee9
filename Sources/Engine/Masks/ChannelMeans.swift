import Digest
import Foundation

/// The mean of every conv output channel (before its activation) over a set of images: one scalar
/// per unit, averaged over images and spatial positions. Used as the constant a removed unit's
/// channel is fixed to (`Removal.mean`).
///
/// Tied to one model and one data set by their fingerprints (SHA-256 of the model's bytes and of
/// the image tensors' bytes), and stored as JSON so it is computed once per model and data set.
public struct ChannelMeans: Codable, Sendable, Hashable {
    /// The format version.
    public var version = 1
    /// `Model.fingerprint` of the model the means belong to.
    public let modelFingerprint: String
    /// `ChannelMeans.dataFingerprint` of the images they were computed on.
    public let dataFingerprint: String
    /// The number of images averaged.
    public let imageCount: Int
    /// One mean per unit (global unit index).
    public let values: [Float]

    /// Means computed elsewhere.
    public init(modelFingerprint: String, dataFingerprint: String, imageCount: Int, values: [Float]) {
        self.modelFingerprint = modelFingerprint
        self.dataFingerprint = dataFingerprint
        self.imageCount = imageCount
        self.values = values
    }

    /// The SHA-256 (hex) of the shapes and float bytes of `batches`, in order.
    public static func dataFingerprint(_ batches: [Tensor]) -> String {
        var h = SHA256()
        for b in batches {
            h.update(Array(b.shape.map(String.init).joined(separator: "x").utf8) + [0x0a])
            h.update(floats: b.asFloats)
        }
        return h.hexDigest()
    }

    /// The cache file name for a model and data set.
    public static func fileName(modelFingerprint: String, dataFingerprint: String) -> String {
        "channel-means-\(modelFingerprint.prefix(16))-\(dataFingerprint.prefix(16)).json"
    }

    /// Checks that these means belong to `model` and (when given) to data `dataFingerprint`.
    public func validate(for model: Model, dataFingerprint: String? = nil) throws {
        guard values.count == model.unitCount else {
            throw EngineError.channelMeansMismatch(reason: "\(values.count) means for a model with \(model.unitCount) units")
        }
        guard modelFingerprint == model.fingerprint else {
            throw EngineError.channelMeansMismatch(reason: "computed for model \(modelFingerprint.prefix(12)), not \(model.fingerprint.prefix(12))")
        }
        if let dataFingerprint, dataFingerprint != self.dataFingerprint {
            throw EngineError.channelMeansMismatch(reason: "computed for data \(self.dataFingerprint.prefix(12)), not \(dataFingerprint.prefix(12))")
        }
    }

    /// Writes the means as JSON to `path`.
    public func save(to path: String) throws {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EngineError.cannotRead(path: path, reason: "cannot write channel means: \(error)")
        }
    }

    /// Reads means written by `save(to:)`.
    public static func load(path: String) throws -> ChannelMeans {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.cannotRead(path: path, reason: "no such file or not readable")
        }
        do {
            return try JSONDecoder().decode(ChannelMeans.self, from: data)
        } catch {
            throw EngineError.channelMeansMismatch(reason: "'\(path)' is not a channel means file: \(error)")
        }
    }
}
