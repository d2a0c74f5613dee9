/// A convolution node seen as a layer of players: each of its output channels (filters) is a unit.
///
/// Layers are numbered in topological order and their units are numbered consecutively across
/// layers, so unit `layer.firstUnit + c` is channel `c` of `layer`.
public struct ConvLayer: Sendable, Hashable, CustomStringConvertible {
    /// The layer's position among the model's conv layers.
    public let index: Int
    /// A stable, readable name derived from the node's name (e.g. `blocks.0.0.conv_dw` from
    /// `/blocks/blocks.0/blocks.0.0/conv_dw/Conv`), or from its output's name when unnamed.
    public let name: String
    /// The ONNX node's name.
    public let nodeName: String
    /// The name of the node's output value.
    public let outputName: String
    /// Output channels (filters): the layer's units.
    public let channels: Int
    /// Output shape of one image, `[C, H, W]`.
    public let outputShape: [Int]
    /// Kernel height and width.
    public let kernel: [Int]
    /// Groups (equal to `channels` for a depthwise convolution).
    public let groups: Int
    /// The global index of channel 0.
    public let firstUnit: Int
    /// Index of the node in the graph's topological order.
    let nodeIndex: Int

    /// The global indices of the layer's units.
    public var units: Range<Int> { firstUnit..<(firstUnit + channels) }

    /// The name, channel count and output shape.
    public var description: String { "\(name) (\(channels) channels, output \(outputShape.map(String.init).joined(separator: "x")))" }

    /// A readable name for a conv node: the node name's path with the trailing operator component
    /// dropped and nested scope names merged (`/a/a.0/conv/Conv` gives `a.0.conv`, `/l2/sc/sc.0/Conv`
    /// gives `l2.sc.0`).
    static func stableName(nodeName: String, outputName: String, opType: String = "Conv") -> String {
        var parts = nodeName.split(separator: "/").map(String.init)
        if let last = parts.last, parts.count > 1, last == opType || last.hasPrefix(opType + "_") { parts.removeLast() }
        var name = "", last = ""
        for p in parts {
            if name.isEmpty || p.hasPrefix(name + ".") {
                name = p
            } else if p.hasPrefix(last + ".") {
                name = String(name.dropLast(last.count)) + p
            } else {
                name += "." + p
            }
            last = p
        }
        if name.isEmpty { name = outputName }
        return name.replacingColons()
    }
}

extension String {
    /// The string with `:` (the unit address separator) replaced by `_`.
    func replacingColons() -> String { String(map { $0 == ":" ? "_" : $0 }) }
}
