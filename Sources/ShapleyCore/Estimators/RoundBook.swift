/// The round bookkeeping every estimator shares: it numbers a round's units, hands them out,
/// validates and buffers results, and returns the round's results in key order once all arrived.
///
/// Unit keys are consecutive from 1, so a key below the open round's first key names a unit whose
/// round was already folded (a duplicate) and a key past the open round's last key names nothing
/// that was issued (an error). A result may arrive for a unit of the open round that was not handed
/// out yet (a coordinator replaying its journal after a restart); it is accepted and the unit is
/// not handed out again. A unit may be abandoned instead (it will never get a result): it then
/// counts as answered, with no values and ``Completed/abandoned`` set.
struct RoundBook<Meta: Sendable>: Sendable {
    /// One planned unit: its coalitions, its truncation rule and what the estimator needs to fold it.
    struct Planned: Sendable {
        var coalitions: [CoalitionSpec]
        var truncation: Truncation?
        var meta: Meta
    }

    /// A unit of a closed round with its values.
    struct Completed: Sendable {
        var unit: WorkUnit
        var meta: Meta
        var values: [Double]
        /// The unit was abandoned: `values` is empty and means nothing.
        var abandoned = false
    }

    let seed: UInt64
    let playerCount: Int
    private var nextID: UInt64 = 1
    private var roundStart: UInt64 = 1
    private var units: [WorkUnit] = []
    private var metas: [Meta] = []
    private var handedOut: [Bool] = []
    private var cursor = 0
    private var results: [[Double]?] = []
    private var abandoned: [Bool] = []
    private var received = 0
    /// Units abandoned so far, in every round.
    private(set) var unitsAbandoned = 0
    /// Rounds folded so far.
    private(set) var roundsClosed = 0
    /// Values received in closed rounds (coalitions valued).
    private(set) var valuesClosed = 0
    /// Coalitions issued in every round so far, open or closed (an upper bound on the cost).
    private(set) var coalitionsIssued = 0

    init(seed: UInt64, playerCount: Int) {
        self.seed = seed
        self.playerCount = playerCount
    }

    /// Whether no round is open.
    var isIdle: Bool { units.isEmpty }

    /// Whether the open round has all its results.
    var isComplete: Bool { !units.isEmpty && received == units.count }

    /// Opens a round with these units (none: the round stays idle).
    mutating func open(_ planned: [Planned]) {
        precondition(units.isEmpty, "a round is already open")
        roundStart = nextID
        for p in planned {
            units.append(WorkUnit(id: nextID, seed: seed, playerCount: playerCount,
                                  coalitions: p.coalitions, truncation: p.truncation))
            metas.append(p.meta)
            coalitionsIssued += p.coalitions.count
            nextID += 1
        }
        handedOut = Array(repeating: false, count: units.count)
        results = Array(repeating: nil, count: units.count)
        abandoned = Array(repeating: false, count: units.count)
        cursor = 0
        received = 0
    }

    /// Units of the open round never handed out and without a result, at most `limit`.
    mutating func next(limit: Int) -> [WorkUnit] {
        var out: [WorkUnit] = []
        while cursor < units.count && out.count < limit {
            if !handedOut[cursor] && results[cursor] == nil {
                out.append(units[cursor])
                handedOut[cursor] = true
            }
            cursor += 1
        }
        return out
    }

    /// Buffers a result; `false` for a duplicate. Throws when it names no issued unit or does not fit.
    mutating func accept(_ result: WorkResult) throws -> Bool {
        if result.id < roundStart { return false }
        guard result.id < roundStart + UInt64(units.count) else {
            throw ShapleyError.resultDoesNotMatchWork(
                id: result.id, reason: "no such unit was issued (issued keys are 1..<\(nextID))")
        }
        let index = Int(result.id - roundStart)
        if results[index] != nil { return false }
        let unit = units[index]
        let v = result.values
        guard v.count <= unit.coalitions.count else {
            throw ShapleyError.resultDoesNotMatchWork(
                id: result.id, reason: "\(v.count) values for \(unit.coalitions.count) coalitions")
        }
        if v.count < unit.coalitions.count {
            guard let t = unit.truncation, t.stop(in: v) == v.count else {
                throw ShapleyError.resultDoesNotMatchWork(
                    id: result.id, reason: "\(v.count) values for \(unit.coalitions.count) coalitions, but the walk's truncation rule does not stop there")
            }
        }
        if let bad = v.first(where: { !$0.isFinite }) {
            throw ShapleyError.resultDoesNotMatchWork(id: result.id, reason: "value \(bad) is not finite")
        }
        results[index] = v
        received += 1
        return true
    }

    /// Marks a unit of the open round that has no result as abandoned; `false` when the unit is not
    /// in the open round or already answered (or abandoned).
    mutating func abandon(_ id: UInt64) -> Bool {
        guard id >= roundStart, id < roundStart + UInt64(units.count) else { return false }
        let index = Int(id - roundStart)
        guard results[index] == nil else { return false }
        results[index] = []
        abandoned[index] = true
        received += 1
        unitsAbandoned += 1
        return true
    }

    /// Closes the complete round and returns its units with their values, in key order.
    mutating func close() -> [Completed] {
        precondition(isComplete, "the round is not complete")
        var out: [Completed] = []
        out.reserveCapacity(units.count)
        for i in units.indices {
            let v = results[i] ?? []
            valuesClosed += v.count
            out.append(Completed(unit: units[i], meta: metas[i], values: v, abandoned: abandoned[i]))
        }
        units = []
        metas = []
        roundStart = nextID
        handedOut = []
        results = []
        abandoned = []
        received = 0
        cursor = 0
        roundsClosed += 1
        return out
    }
}
