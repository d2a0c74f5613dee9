/// How to build one coalition from the run's seed, compactly enough to send over a network.
public enum CoalitionSpec: Hashable, Sendable {
    /// Start from every player, remove the first `removed` players of the order of sample `sample`
    /// (see ``Permutation/order(seed:index:playerCount:)``), then flip the membership of `toggle`
    /// when it is not `nil`.
    case prefix(sample: UInt64, removed: Int32, toggle: Int32?)
    /// Exactly these members (small games, tests).
    case explicit(Coalition)
}

extension CoalitionSpec {
    /// The marginal of the player a `.prefix(…, toggle:)` coalition flips, from the value `base` of
    /// the same coalition without the flip and the value `toggled` with it: `v(B) − v(B ∖ i)` when
    /// the player was a member of `B`, `v(B ∪ i) − v(B)` when it was not.
    public static func toggledMarginal(base: Double, toggled: Double, wasMember: Bool) -> Double {
        wasMember ? base - toggled : toggled - base
    }
}

/// The rule that stops a walk early: once the value has been within `tolerance` above `floor` on
/// `patience` consecutive coalitions, the rest of the walk is taken to add nothing (marginals 0).
public struct Truncation: Hashable, Sendable {
    /// The collapsed level (for accuracy: chance).
    public var floor: Double
    /// How far above the floor still counts as collapsed.
    public var tolerance: Double
    /// How many consecutive collapsed values stop the walk.
    public var patience: Int
    /// Consecutive collapsed values already seen before this unit's first coalition.
    public var carried: Int

    /// A rule with these settings.
    public init(floor: Double, tolerance: Double, patience: Int, carried: Int = 0) {
        self.floor = floor
        self.tolerance = tolerance
        self.patience = patience
        self.carried = carried
    }

    /// Whether `value` counts as collapsed.
    public func isCollapsed(_ value: Double) -> Bool { value <= floor + tolerance }

    /// The number of leading `values` a walk keeps when the rule fires on them: up to and including
    /// the value on which the streak of collapsed values (counting `carried`) reaches `patience`;
    /// `nil` when it does not fire.
    public func stop(in values: [Double]) -> Int? {
        var streak = carried
        for (i, v) in values.enumerated() {
            streak = isCollapsed(v) ? streak + 1 : 0
            if streak >= patience { return i + 1 }
        }
        return nil
    }

    /// The streak of collapsed values at the end of `values`, counting `carried`.
    public func streak(after values: [Double]) -> Int {
        var streak = carried
        for v in values { streak = isCollapsed(v) ? streak + 1 : 0 }
        return streak
    }
}

/// A piece of work: coalitions to evaluate, identified by a key that is unique within a run and
/// the same whichever process issues or evaluates it.
public struct WorkUnit: Hashable, Sendable {
    /// The key, unique within the run; results are deduplicated by it.
    public var id: UInt64
    /// The run seed, from which prefix coalitions are rebuilt.
    public var seed: UInt64
    /// The number of players of the game.
    public var playerCount: Int
    /// The coalitions to value, in order.
    public var coalitions: [CoalitionSpec]
    /// When set, the coalitions are a walk that may stop early (see ``Truncation``).
    public var truncation: Truncation?

    /// A unit with these fields.
    public init(id: UInt64, seed: UInt64, playerCount: Int, coalitions: [CoalitionSpec], truncation: Truncation? = nil) {
        self.id = id
        self.seed = seed
        self.playerCount = playerCount
        self.coalitions = coalitions
        self.truncation = truncation
    }
}

/// The values of a work unit's coalitions, in order; shorter than the unit only when its walk was
/// truncated.
public struct WorkResult: Hashable, Sendable {
    /// The unit's key.
    public var id: UInt64
    /// The values of the first `values.count` coalitions of the unit.
    public var values: [Double]

    /// A result with these fields.
    public init(id: UInt64, values: [Double]) {
        self.id = id
        self.values = values
    }
}
