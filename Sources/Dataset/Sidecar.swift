import Foundation

/// The JSON file next to a model that says how to turn an image into the model's input, and what
/// its outputs mean. The schema (every field but `input.size` and the normalisation is optional):
///
/// ```json
/// {
///   "model": "efficientnet-lite0.onnx",
///   "input": {"name": "input", "layout": "NCHW", "channels": "RGB", "size": 224},
///   "preprocess": {"resize_short_side": 256, "interpolation": "bicubic", "center_crop": 224,
///                  "scale": "x / 255", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
///   "output": {"name": "logits", "classes": 1000, "labels": "../data/imagenet-classes.tsv"}
/// }
/// ```
/// - `input.channels`: `RGB`, `BGR` or `L` (one luminance channel; also `gray`).
/// - `input.layout`: `NCHW` (default) or `NHWC`. `input.size` and `center_crop`: a number (square)
///   or `[height, width]`.
/// - `preprocess.resize_short_side` scales the shorter side to that length (torchvision's
///   `Resize(int)`); `preprocess.resize` (`[height, width]`) resizes to an exact size instead;
///   with neither, the image is only cropped. `interpolation`: one of `Interpolation`'s cases.
/// - `scale`: `"x / D"`, `"x * M"`, `"x"` or a number (a multiplier); `mean` and `std` have one
///   entry per channel (or a single entry for all).
/// - `output.labels`: a label file path (relative to the sidecar) or an array of class names.
public struct Sidecar: Sendable, Equatable {
    /// Where the class names of the outputs come from.
    public enum Labels: Sendable, Equatable {
        /// A label file, as an absolute path or resolved against the sidecar's folder.
        case file(String)
        /// The class names themselves.
        case names([String])
    }

    /// The path the sidecar was read from (empty when built in memory).
    public var path: String
    /// The model file the sidecar describes, as written.
    public var model: String?
    /// The model's input name.
    public var inputName: String?
    /// The model's output name.
    public var outputName: String?
    /// The preprocessing it prescribes.
    public var preprocessing: Preprocessing
    /// The number of output classes, when given.
    public var classes: Int?
    /// The class names, when given.
    public var labels: Labels?

    /// A sidecar built in memory.
    public init(preprocessing: Preprocessing, classes: Int? = nil, labels: Labels? = nil) {
        self.path = ""
        self.preprocessing = preprocessing
        self.classes = classes
        self.labels = labels
    }

    /// Reads and checks a sidecar file.
    /// - Throws: `DatasetError.unreadable` or `.invalidSidecar` naming the field at fault.
    public init(contentsOf path: String) throws(DatasetError) {
        let bytes = try FileAccess.read(path)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw .invalidSidecar(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else {
            throw .invalidSidecar(path: path, reason: "the top level must be a JSON object")
        }
        try self.init(json: root, path: path)
    }

    /// The sidecar of a model: `MODEL.json` next to `MODEL.onnx`.
    public static func path(forModel model: String) -> String {
        let ext = FileAccess.pathExtension(of: model)
        let stem = ext.isEmpty ? model : String(model.dropLast(ext.count + 1))
        return stem + ".json"
    }

    /// The class labels the sidecar names, read from their file when needed; nil when none.
    public func classLabels() throws(DatasetError) -> ClassLabels? {
        switch labels {
        case nil: return nil
        case .names(let names)?: return ClassLabels(names: names)
        case .file(let file)?:
            return try ClassLabels(contentsOf: FileAccess.resolve(file, relativeTo: FileAccess.directory(of: path)))
        }
    }

    private init(json root: [String: Any], path: String) throws(DatasetError) {
        func fail(_ reason: String) -> DatasetError { .invalidSidecar(path: path, reason: reason) }
        let input = root["input"] as? [String: Any] ?? [:]
        let pre = root["preprocess"] as? [String: Any] ?? [:]
        let output = root["output"] as? [String: Any] ?? [:]

        guard let size = Self.size(input["size"]) else {
            throw fail("input.size must be a positive number or [height, width]")
        }
        let channels: Preprocessing.Channels
        switch (input["channels"] as? String ?? "RGB").uppercased() {
        case "RGB": channels = .rgb
        case "BGR": channels = .bgr
        case "L", "GRAY", "GREY", "GRAYSCALE": channels = .gray
        case let other: throw fail("input.channels '\(other)' is not RGB, BGR or L")
        }
        let layout: Preprocessing.Layout
        switch (input["layout"] as? String ?? "NCHW").uppercased() {
        case "NCHW": layout = .nchw
        case "NHWC": layout = .nhwc
        case let other: throw fail("input.layout '\(other)' is not NCHW or NHWC")
        }
        var resize: Preprocessing.Resize = .none
        if let short = pre["resize_short_side"] {
            guard let s = short as? Int, s > 0 else { throw fail("preprocess.resize_short_side must be a positive integer") }
            resize = .shortSide(s)
        } else if let exact = pre["resize"] {
            guard let s = Self.size(exact) else { throw fail("preprocess.resize must be a positive number or [height, width]") }
            resize = .exact(height: s.height, width: s.width)
        }
        let interpolationName = (pre["interpolation"] as? String ?? "bilinear").lowercased()
        guard let interpolation = Interpolation(rawValue: interpolationName) else {
            let known = Interpolation.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("preprocess.interpolation '\(interpolationName)' is not one of \(known)")
        }
        if let crop = pre["center_crop"] {
            guard let c = Self.size(crop), c == size else {
                throw fail("preprocess.center_crop must equal input.size \(size.height)x\(size.width)")
            }
        }
        guard let scale = Self.scale(pre["scale"] ?? "x") else {
            throw fail("preprocess.scale '\(pre["scale"] ?? "")' is not 'x / D', 'x * M', 'x' or a number")
        }
        let count = channels == .gray ? 1 : 3
        guard let mean = Self.perChannel(pre["mean"] ?? [0.0], count: count),
              let std = Self.perChannel(pre["std"] ?? [1.0], count: count), !std.contains(0) else {
            throw fail("preprocess.mean and std need 1 or \(count) numbers (std non-zero)")
        }
        preprocessing = Preprocessing(size: size, channels: channels, layout: layout, resize: resize,
                                      interpolation: interpolation, scale: scale, mean: mean, std: std)
        self.path = path
        model = root["model"] as? String
        inputName = input["name"] as? String
        outputName = output["name"] as? String
        classes = output["classes"] as? Int
        if let file = output["labels"] as? String {
            labels = .file(file)
        } else if let names = (output["labels"] ?? root["labels"]) as? [String] {
            labels = .names(names)
            if let classes, classes != names.count {
                throw fail("output.labels has \(names.count) names but output.classes is \(classes)")
            }
        }
    }

    static func size(_ value: Any?) -> (height: Int, width: Int)? {
        if let n = value as? Int, n > 0 { return (n, n) }
        if let pair = value as? [Int], pair.count == 2, pair[0] > 0, pair[1] > 0 { return (pair[0], pair[1]) }
        return nil
    }

    static func scale(_ value: Any) -> Preprocessing.Scale? {
        if let number = value as? Double { return .multiply(Float(number)) }
        guard let text = value as? String else { return nil }
        let compact = text.filter { $0 != " " }
        if compact == "x" { return .multiply(1) }
        if compact.hasPrefix("x/"), let d = Float(compact.dropFirst(2)), d != 0 { return .divide(d) }
        if compact.hasPrefix("x*"), let m = Float(compact.dropFirst(2)) { return .multiply(m) }
        return nil
    }

    static func perChannel(_ value: Any, count: Int) -> [Float]? {
        guard let numbers = value as? [Double] else {
            if let single = value as? Double { return Array(repeating: Float(single), count: count) }
            return nil
        }
        if numbers.count == count { return numbers.map { Float($0) } }
        if numbers.count == 1 { return Array(repeating: Float(numbers[0]), count: count) }
        return nil
    }
}
