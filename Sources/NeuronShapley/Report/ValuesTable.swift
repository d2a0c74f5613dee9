public import ShapleyCore
import Foundation

/// One player's line of `values.csv` / `values.json`.
public struct ValueRow: Sendable, Codable, Hashable {
    /// Rank by estimate (1 = largest value).
    public var rank: Int
    /// The player's index in the game.
    public var player: Int
    /// The filter's global unit index in the model.
    public var unit: Int
    /// The unit address `LAYER:C`.
    public var address: String
    /// The layer's name.
    public var layer: String
    /// The layer's index among the model's conv layers.
    public var layerIndex: Int
    /// The channel within the layer.
    public var channel: Int
    /// The estimated Shapley value.
    public var value: Double
    /// The lower end of the interval.
    public var lower: Double
    /// The upper end of the interval.
    public var upper: Double
    /// Marginal contributions observed.
    public var marginals: Int
    /// Whether the estimator names the player in its top-k.
    public var inTopK: Bool
}

/// One layer's line of the "important filters by layer" table.
public struct LayerRow: Sendable, Codable, Hashable {
    /// The layer's index among the model's conv layers.
    public var layerIndex: Int
    /// The layer's name.
    public var layer: String
    /// Players in the layer.
    public var players: Int
    /// Players of the layer in the top-k.
    public var inTopK: Int
    /// Sum of the layer's players' values.
    public var totalValue: Double
}

/// Builds and writes the per-player and per-layer tables of a run.
public enum ValuesTable {
    /// The rows of every player, ranked by estimate; the top-k is the estimator's own when it
    /// names one, else the first `topK` by estimate.
    public static func rows(report: EstimateReport, data: GameData, topK: Int) -> [ValueRow] {
        let ranking = report.ranking
        let top = Set(report.topK.isEmpty ? Array(ranking.prefix(topK)) : Array(report.topK.prefix(topK)))
        var rankOf = [Int](repeating: 0, count: ranking.count)
        for (r, p) in ranking.enumerated() { rankOf[p] = r + 1 }
        return report.players.map { e in
            let unit = data.model.unit(index: data.players.units[e.player])
            let layer = data.model.convLayers[unit.layer]
            return ValueRow(rank: rankOf[e.player], player: e.player, unit: unit.index, address: "\(layer.name):\(unit.channel)",
                            layer: layer.name, layerIndex: unit.layer, channel: unit.channel, value: e.value,
                            lower: e.lower, upper: e.upper, marginals: e.marginals, inTopK: top.contains(e.player))
        }.sorted { $0.rank < $1.rank }
    }

    /// The per-layer counts of the top-k, for every layer holding players.
    public static func layers(_ rows: [ValueRow]) -> [LayerRow] {
        var byLayer: [Int: LayerRow] = [:]
        for r in rows {
            var l = byLayer[r.layerIndex] ?? LayerRow(layerIndex: r.layerIndex, layer: r.layer, players: 0, inTopK: 0, totalValue: 0)
            l.players += 1
            if r.inTopK { l.inTopK += 1 }
            l.totalValue += r.value
            byLayer[r.layerIndex] = l
        }
        return byLayer.values.sorted { $0.layerIndex < $1.layerIndex }
    }

    /// `values.csv`.
    public static func csv(_ rows: [ValueRow]) -> String {
        var lines = ["rank,player,unit,address,layer,layer_index,channel,value,lower,upper,marginals,in_top_k"]
        for r in rows {
            lines.append("\(r.rank),\(r.player),\(r.unit),\(r.address),\(r.layer),\(r.layerIndex),\(r.channel),"
                         + "\(number(r.value)),\(number(r.lower)),\(number(r.upper)),\(r.marginals),\(r.inTopK)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `layers.csv`.
    public static func layersCSV(_ layers: [LayerRow]) -> String {
        var lines = ["layer_index,layer,players,in_top_k,share_of_top_k,share_of_layer,total_value"]
        let k = max(1, layers.map(\.inTopK).reduce(0, +))
        for l in layers {
            lines.append("\(l.layerIndex),\(l.layer),\(l.players),\(l.inTopK),\(number(Double(l.inTopK) / Double(k))),"
                         + "\(number(Double(l.inTopK) / Double(max(l.players, 1)))),\(number(l.totalValue))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bar chart of top-k filters per layer.
    public static func layersChart(_ layers: [LayerRow], topK: Int) -> String {
        var chart = SVGChart(title: "Top-\(topK) filters by layer", xLabel: "", yLabel: "filters in the top \(topK)")
        chart.width = max(480, Double(layers.count) * 18 + 260)
        chart.height = 480
        return chart.bars(layers.map { (label: $0.layer, value: Double($0.inTopK)) })
    }

    /// A number for tables: finite values with 6 significant decimals, else `nan`/`inf` spelled out.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", v)
    }
}
