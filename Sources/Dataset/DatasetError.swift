/// Everything that can go wrong while reading images, labels, tensors or metric settings.
///
/// Each message repeats what was given (a path, a value) and says what would work.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file or folder could not be read.
    case unreadable(path: String, reason: String)
    /// The bytes are neither JPEG nor PNG.
    case notAnImage(path: String)
    /// The file looks like an image but cannot be decoded (damaged, cut short, too large).
    case corruptImage(path: String, reason: String)
    /// The preprocessing sidecar is missing a field or holds a value we cannot use.
    case invalidSidecar(path: String, reason: String)
    /// A label, group or target file has a line we cannot use.
    case invalidTable(path: String, line: Int, reason: String)
    /// An NPY file has a header, type or shape we cannot use.
    case invalidNPY(path: String, reason: String)
    /// A data set holds no usable image.
    case empty(path: String, skipped: Int)
    /// A metric specification or its inputs do not fit together.
    case invalidMetric(String, reason: String)
    /// Any other argument that does not fit.
    case invalidArgument(String)

    /// The message: what was given, what went wrong and what would work.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason); check that it exists and is readable"
        case .notAnImage(let path):
            return "'\(path)' is not a JPEG or PNG image; only JPEG and PNG files are decoded"
        case .corruptImage(let path, let reason):
            return "cannot decode '\(path)': \(reason); the file is damaged or cut short"
        case .invalidSidecar(let path, let reason):
            return "preprocessing sidecar '\(path)': \(reason); see the schema of efficientnet-lite0.json"
        case .invalidTable(let path, let line, let reason):
            return "'\(path)' line \(line): \(reason)"
        case .invalidNPY(let path, let reason):
            return "NPY file '\(path)': \(reason); write float32 [N,C,H,W] images and integer [N] labels with numpy.save"
        case .empty(let path, let skipped):
            let detail = skipped > 0 ? " (\(skipped) files skipped as corrupt or not images)" : ""
            return "no usable image in '\(path)'\(detail); give a folder of JPEG/PNG files, an image, or an .npy tensor"
        case .invalidMetric(let given, let reason):
            return "metric '\(given)': \(reason)"
        case .invalidArgument(let message):
            return message
        }
    }
}
