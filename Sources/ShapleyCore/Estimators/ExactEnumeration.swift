/// Exact Shapley values by valuing all `2ⁿ` coalitions (at most ``ExactShapley/maxPlayers``
/// players): the reference in tests. One round of explicit coalitions; no bias, no variance.
/// Every coalition is needed, so no unit can be abandoned (``abandon(unitID:)`` returns `false`).
public struct ExactEnumeration: Estimator, RoundBased {
    /// Settings of exact enumeration.
    public struct Configuration: Hashable, Sendable {
        /// The number of players (at most ``ExactShapley/maxPlayers``).
        public var playerCount: Int
        /// Coalitions per work unit, 1,024 by default.
        public var unitSize: Int = 1024
        /// How many top players ``EstimateReport/topK`` names, 10 by default.
        public var topK: Int = 10

        /// The default configuration for `playerCount` players.
        public init(playerCount: Int) { self.playerCount = playerCount }
    }

    /// The configuration.
    public let configuration: Configuration
    var book: RoundBook<Int>
    private var table: [Double]
    private var done = false

    /// An exact enumerator; throws when the game is too large to enumerate.
    public init(_ configuration: Configuration) throws {
        let n = configuration.playerCount
        guard n >= 1 && n <= ExactShapley.maxPlayers else {
            throw ShapleyError.invalidOption(name: "players", value: "\(n)",
                                             expected: "1...\(ExactShapley.maxPlayers) players for exact enumeration; use a sampling estimator for larger games")
        }
        guard configuration.unitSize >= 1 else {
            throw ShapleyError.invalidOption(name: "unit size", value: "\(configuration.unitSize)", expected: "a positive count")
        }
        self.configuration = configuration
        book = RoundBook(seed: 0, playerCount: n)
        table = Array(repeating: 0, count: 1 << n)
        var planned: [RoundBook<Int>.Planned] = []
        var start = 0
        while start < 1 << n {
            let end = min(1 << n, start + configuration.unitSize)
            planned.append(.init(coalitions: (start..<end).map {
                .explicit(ExactShapley.coalition(mask: $0, playerCount: n))
            }, truncation: nil, meta: start))
            start = end
        }
        book.open(planned)
    }

    public var playerCount: Int { configuration.playerCount }

    public mutating func nextWork(limit: Int) -> [WorkUnit] { book.next(limit: limit) }

    public mutating func ingest(_ result: WorkResult) throws -> Bool { try ingestIntoRound(result) }

    mutating func closeRound(_ completed: [RoundBook<Int>.Completed]) {
        for c in completed {
            for (offset, v) in c.values.enumerated() { table[c.meta + offset] = v }
        }
        done = true
    }

    public var isFinished: Bool { done }

    public func report() -> EstimateReport {
        let n = playerCount
        let values = done ? ExactShapley.values(fromTable: table, playerCount: n) : Array(repeating: 0, count: n)
        let players = values.enumerated().map { i, v in
            PlayerEstimate(player: i, value: v, lower: done ? v : -.infinity, upper: done ? v : .infinity,
                           marginals: done ? 1 << (n - 1) : 0)
        }
        return EstimateReport(estimator: "exact", players: players, topK: ReportBuilder.top(players, k: configuration.topK),
                              evaluations: book.valuesClosed, samples: book.valuesClosed,
                              activePlayers: done ? 0 : n, finished: done)
    }
}
