/// Evaluates work units with an ``IncrementalGame`` in O(1) per coalition along a walk, returning
/// exactly what ``WorkEvaluator`` returns (the game's summaries are exact).
///
/// It remembers, for the last few samples, the order, each player's position in it and the summary
/// after the last removal it reached, so consecutive units of one walk continue where the previous
/// one stopped, and a base coalition with toggles costs one update per toggle. Not thread-safe:
/// use one per thread.
public struct IncrementalEvaluator<G: IncrementalGame> {
    struct Cursor {
        var order: [Int32]
        var position: [Int32]
        var removed: Int
        var summary: G.Summary
        var lastUse: Int
    }

    /// The game.
    public let game: G
    /// How many samples' walks are remembered, 32 by default.
    public let capacity: Int
    private let full: G.Summary
    private var cursors: [UInt64: Cursor] = [:]
    private var clock = 0

    /// An evaluator for `game`.
    public init(game: G, capacity: Int = 32) {
        self.game = game
        self.capacity = max(1, capacity)
        self.full = game.summary(of: Coalition(full: game.playerCount))
    }

    /// Values `unit`, stopping where its truncation rule fires (like ``WorkEvaluator``).
    public mutating func evaluate(_ unit: WorkUnit) throws -> WorkResult {
        guard unit.playerCount == game.playerCount else {
            throw ShapleyError.resultDoesNotMatchWork(
                id: unit.id, reason: "unit has \(unit.playerCount) players, game has \(game.playerCount)")
        }
        var values: [Double] = []
        values.reserveCapacity(unit.coalitions.count)
        var streak = unit.truncation?.carried ?? 0
        for spec in unit.coalitions {
            let v: Double
            switch spec {
            case .explicit(let c):
                v = game.value(of: game.summary(of: c))
            case .prefix(let sample, let removed, let toggle):
                v = prefixValue(seed: unit.seed, sample: sample, removed: Int(removed), toggle: toggle.map(Int.init))
            }
            values.append(v)
            if let t = unit.truncation {
                streak = t.isCollapsed(v) ? streak + 1 : 0
                if streak >= t.patience { break }
            }
        }
        return WorkResult(id: unit.id, values: values)
    }

    private mutating func prefixValue(seed: UInt64, sample: UInt64, removed: Int, toggle: Int?) -> Double {
        clock += 1
        var cursor: Cursor
        if let c = cursors[sample] {
            cursor = c
        } else {
            if cursors.count >= capacity, let oldest = cursors.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                cursors[oldest] = nil
            }
            let order = Permutation.order(seed: seed, index: sample, playerCount: game.playerCount)
            cursor = Cursor(order: order, position: Permutation.positions(of: order), removed: 0, summary: full, lastUse: clock)
        }
        cursors[sample] = nil // take it out, so that mutating it does not copy the summary
        if removed >= cursor.removed {
            for p in cursor.removed..<removed { game.removing(Int(cursor.order[p]), from: &cursor.summary) }
        } else if removed * 2 < cursor.removed {
            cursor.summary = full
            for p in 0..<removed { game.removing(Int(cursor.order[p]), from: &cursor.summary) }
        } else {
            for p in removed..<cursor.removed { game.inserting(Int(cursor.order[p]), into: &cursor.summary) }
        }
        cursor.removed = removed
        cursor.lastUse = clock
        let v: Double
        if let t = toggle {
            let member = Int(cursor.position[t]) >= removed
            if member { game.removing(t, from: &cursor.summary) } else { game.inserting(t, into: &cursor.summary) }
            v = game.value(of: cursor.summary)
            if member { game.inserting(t, into: &cursor.summary) } else { game.removing(t, from: &cursor.summary) }
        } else {
            v = game.value(of: cursor.summary)
        }
        cursors[sample] = cursor
        return v
    }
}
