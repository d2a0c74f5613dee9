import ArgumentParser
import Engine
import Foundation

/// `nshap layers MODEL.onnx`: the conv layers whose filters are the players.
struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List a model's convolution layers: the players are their output channels (filters).",
        discussion: """
        Each line gives the layer's index, its name (used in unit addresses LAYER:CHANNEL), its \
        channel count, the output shape of one image, the kernel, the groups and the global index \
        of its first unit.

        --units resolves addresses such as 'conv_stem:3,blocks.0.0.conv_dw:0-7' or 'conv_head:*' \
        to global unit indices; a mistyped layer name suggests the closest ones.
        """)

    @Argument(help: ArgumentHelp("The ONNX model.", valueName: "MODEL.onnx"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Resolve these unit addresses instead of listing layers.", valueName: "UNITS"))
    var units: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let m = try Model.load(path: model)
        if let units {
            let resolved = try m.units(parsing: units)
            for u in resolved { print("\(m.address(of: u))\t\(u.index)") }
            return
        }
        if json {
            print(try LayersCommand.json(m))
            return
        }
        print(LayersCommand.table(m))
    }

    /// The layer table.
    static func table(_ m: Model) -> String {
        var rows = [["#", "layer", "channels", "output", "kernel", "groups", "first unit"]]
        for l in m.convLayers {
            rows.append([String(l.index), l.name, String(l.channels), l.outputShape.map(String.init).joined(separator: "x"),
                         l.kernel.map(String.init).joined(separator: "x"), String(l.groups), String(l.firstUnit)])
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { r in
            r.enumerated().map { c, v in
                c == 1 ? v.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - v.count) + v
            }.joined(separator: "  ")
        }
        lines.append("total: \(m.convLayers.count) conv layers, \(m.unitCount) filters (players)")
        return lines.joined(separator: "\n")
    }

    /// The layers as JSON.
    static func json(_ m: Model) throws -> String {
        struct Entry: Encodable {
            let index: Int, name: String, node: String, channels: Int, output: [Int], kernel: [Int], groups: Int, firstUnit: Int
        }
        struct Listing: Encodable {
            let model: String, layers: [Entry], layerCount: Int, unitCount: Int
        }
        let listing = Listing(model: m.fingerprint, layers: m.convLayers.map {
            Entry(index: $0.index, name: $0.name, node: $0.nodeName, channels: $0.channels, output: $0.outputShape,
                  kernel: $0.kernel, groups: $0.groups, firstUnit: $0.firstUnit)
        }, layerCount: m.convLayers.count, unitCount: m.unitCount)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(listing), as: UTF8.self)
    }
}
