public import Engine
import Foundation

/// The players of a network game: a chosen set of conv filters, numbered in unit order.
///
/// Player `p` is unit `units[p]` of the model (a global unit index, see `Model.unit(index:)`).
/// A selection is written as a comma-separated list of items:
/// - `all` (or an empty text): every filter of every conv layer;
/// - a layer name (`conv_head`) or a glob over layer names (`blocks.6.*`, `*.conv_pw`; `*` and `?`);
/// - a layer index (`48`) or an inclusive range of layer indices (`40-48`), as `nshap layers` lists them;
/// - unit addresses `LAYER:C`, `LAYER:A-B` or `LAYER:*` for some filters of a layer.
public struct PlayerSelection: Sendable, Hashable, CustomStringConvertible {
    /// The text the selection was parsed from (`all` when empty).
    public let text: String
    /// The selected units (global unit indices), ascending and without repeats.
    public let units: [Int]

    /// The number of players.
    public var count: Int { units.count }

    public var description: String { text }

    /// Every filter of `model`.
    public static func all(_ model: Model) -> PlayerSelection {
        PlayerSelection(text: "all", units: Array(0..<model.unitCount))
    }

    /// Parses `text` against `model`'s conv layers.
    /// - Throws: ``NeuronShapleyError/invalidPlayers(given:reason:)`` for an item that names nothing.
    public init(parsing text: String, model: Model) throws {
        let trimmed = text.trimmingCharacters(in: [" ", "\t"])
        var chosen = Set<Int>()
        let items = trimmed.split(separator: ",").map { String($0).trimmingCharacters(in: [" ", "\t"]) }.filter { !$0.isEmpty }
        if items.isEmpty || items == ["all"] {
            self.init(text: "all", units: Array(0..<model.unitCount))
            return
        }
        for item in items {
            if item == "all" {
                chosen.formUnion(0..<model.unitCount)
            } else if item.contains(":") {
                do {
                    chosen.formUnion(try model.units(parsing: item).map(\.index))
                } catch {
                    throw NeuronShapleyError.invalidPlayers(given: text, reason: "\(error)")
                }
            } else if let range = Self.layerIndexRange(item) {
                guard range.lowerBound >= 0, range.upperBound < model.convLayers.count, range.lowerBound <= range.upperBound else {
                    throw NeuronShapleyError.invalidPlayers(
                        given: text, reason: "layer indices \(item) are outside 0-\(model.convLayers.count - 1)")
                }
                for l in range { chosen.formUnion(model.convLayers[l].units) }
            } else if item.contains("*") || item.contains("?") {
                let matched = model.convLayers.filter { Self.glob(item, matches: $0.name) }
                guard !matched.isEmpty else {
                    throw NeuronShapleyError.invalidPlayers(given: text, reason: "the pattern '\(item)' matches no conv layer")
                }
                for l in matched { chosen.formUnion(l.units) }
            } else {
                do {
                    chosen.formUnion(try model.layer(named: item).units)
                } catch {
                    throw NeuronShapleyError.invalidPlayers(given: text, reason: "\(error)")
                }
            }
        }
        guard !chosen.isEmpty else {
            throw NeuronShapleyError.invalidPlayers(given: text, reason: "selects no filter")
        }
        self.init(text: trimmed, units: chosen.sorted())
    }

    /// A selection of explicit units (global indices); sorted and deduplicated.
    public init(text: String, units: [Int]) {
        self.text = text
        self.units = Array(Set(units)).sorted()
    }

    /// The indices of the layers holding at least one player, ascending.
    public func layers(of model: Model) -> [Int] {
        Array(Set(units.map { model.unit(index: $0).layer })).sorted()
    }

    /// Each player's unit address in `model` (`LAYER:C`), in player order.
    public func addresses(in model: Model) -> [String] {
        units.map { model.address(of: model.unit(index: $0)).description }
    }

    /// The player holding unit `unit`, if any.
    public func player(ofUnit unit: Int) -> Int? {
        var lo = 0, hi = units.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if units[mid] < unit { lo = mid + 1 } else { hi = mid }
        }
        return lo < units.count && units[lo] == unit ? lo : nil
    }

    /// `N` or `A-B` as a range of layer indices.
    static func layerIndexRange(_ item: String) -> ClosedRange<Int>? {
        if let n = Int(item) { return n...n }
        let parts = item.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        return a <= b ? a...b : b...a
    }

    /// Whether `name` matches `pattern` (`*` any run of characters, `?` one character).
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == s[si]) {
                pi += 1; si += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
