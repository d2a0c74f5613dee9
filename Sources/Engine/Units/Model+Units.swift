extension Model {
    /// The conv layer named `name`, or an error suggesting the closest names.
    public func layer(named name: String) throws -> ConvLayer {
        if let l = convLayers.first(where: { $0.name == name }) { return l }
        if let l = convLayers.first(where: { $0.nodeName == name || $0.outputName == name }) { return l }
        throw EngineError.unknownLayer(given: name, suggestions: closestLayerNames(to: name))
    }

    /// Up to `limit` layer names closest to `name` by edit distance (names containing it first).
    public func closestLayerNames(to name: String, limit: Int = 3) -> [String] {
        let ranked = convLayers.map { l -> (Int, String) in
            let d = l.name.editDistance(to: name)
            return (l.name.contains(name) || name.contains(l.name) ? d - 1000 : d, l.name)
        }
        return ranked.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    /// The unit at `address`.
    public func unit(_ address: UnitAddress) throws -> Unit {
        let l = try layer(named: address.layer)
        guard address.channel < l.channels else {
            throw EngineError.channelOutOfRange(layer: l.name, channel: address.channel, channels: l.channels)
        }
        return Unit(layer: l.index, channel: address.channel, index: l.firstUnit + address.channel)
    }

    /// The unit with global index `index` (`0..<unitCount`).
    public func unit(index: Int) -> Unit {
        precondition(index >= 0 && index < unitCount, "unit \(index) out of range 0..<\(unitCount)")
        var lo = 0, hi = convLayers.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if convLayers[mid].firstUnit <= index { lo = mid } else { hi = mid - 1 }
        }
        return Unit(layer: lo, channel: index - convLayers[lo].firstUnit, index: index)
    }

    /// The address (`LAYER:C`) of `unit`.
    public func address(of unit: Unit) -> UnitAddress {
        UnitAddress(layer: convLayers[unit.layer].name, channel: unit.channel)
    }

    /// Units from a comma-separated list of `LAYER:C`, `LAYER:A-B` (inclusive) and `LAYER:*` or
    /// `LAYER` (every channel), sorted and without duplicates.
    public func units(parsing text: String) throws -> [Unit] {
        var out = Set<Unit>()
        for raw in text.split(separator: ",") {
            let item = String(raw).trimmingWhitespace()
            if item.isEmpty { continue }
            let colon = item.lastIndex(of: ":")
            let layerName = colon.map { String(item[..<$0]) } ?? item
            let spec = colon.map { String(item[item.index(after: $0)...]) } ?? "*"
            if spec == "*" {
                let l = try layer(named: layerName)
                for c in 0..<l.channels { out.insert(Unit(layer: l.index, channel: c, index: l.firstUnit + c)) }
            } else if let dash = spec.firstIndex(of: "-") {
                guard let a = Int(spec[..<dash]), let b = Int(spec[spec.index(after: dash)...]), a >= 0, a <= b else {
                    throw EngineError.malformedUnitAddress(given: item, expected: "LAYER:A-B with 0 <= A <= B")
                }
                for c in a...b { out.insert(try unit(UnitAddress(layer: layerName, channel: c))) }
            } else {
                out.insert(try unit(try UnitAddress.parse(item)))
            }
        }
        return out.sorted()
    }
}
