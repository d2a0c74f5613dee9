import Foundation

/// A ranking of the players by some importance score, best first.
public struct Ranking: Sendable, Hashable {
    /// A short name for tables and legends (`shapley`, `weight-norm`, ...).
    public var name: String
    /// What the ranking orders by, for the report.
    public var meaning: String
    /// Players, most important first.
    public var players: [Int]
    /// Each player's score (by player index), when the ranking orders by one.
    public var scores: [Double]?
    /// Each player's tie-break score, when equal scores are ordered by one.
    public var tieBreak: [Double]?

    /// A ranking.
    public init(name: String, meaning: String, players: [Int], scores: [Double]? = nil, tieBreak: [Double]? = nil) {
        self.name = name
        self.meaning = meaning
        self.players = players
        self.scores = scores
        self.tieBreak = tieBreak
    }

    /// Players ordered by `scores` (largest first); equal scores by `tieBreak` (largest first) when
    /// given, then by player index. NaN scores go last.
    public static func byScore(_ scores: [Double], tieBreak: [Double]? = nil, name: String, meaning: String) -> Ranking {
        precondition(tieBreak == nil || tieBreak?.count == scores.count, "one tie-break score per player")
        func key(_ v: Double) -> Double { v.isNaN ? -.infinity : v }
        let order = scores.indices.sorted { a, b in
            if key(scores[a]) != key(scores[b]) { return key(scores[a]) > key(scores[b]) }
            if let t = tieBreak, key(t[a]) != key(t[b]) { return key(t[a]) > key(t[b]) }
            return a < b
        }
        return Ranking(name: name, meaning: meaning, players: order, scores: scores, tieBreak: tieBreak)
    }

    /// `baselines.csv`: per player (in game order) its address, then each scored ranking's score,
    /// tie-break score (for the rankings that have one) and rank (1 = first removed).
    public static func csv(_ rankings: [Ranking], addresses: [String]) -> String {
        let scored = rankings.filter { $0.scores?.count == addresses.count }
        var header = ["player", "address"]
        var ranks: [[Int]] = []
        for r in scored {
            header.append(r.name)
            if r.tieBreak != nil { header.append(r.name + "-tie-break") }
            header.append(r.name + "-rank")
            var rank = [Int](repeating: 0, count: addresses.count)
            for (i, p) in r.players.enumerated() where p < rank.count { rank[p] = i + 1 }
            ranks.append(rank)
        }
        var lines = [header.joined(separator: ",")]
        for p in addresses.indices {
            var cells = ["\(p)", addresses[p]]
            for (r, rank) in zip(scored, ranks) {
                cells.append(String(format: "%.6g", r.scores?[p] ?? .nan))
                if let t = r.tieBreak { cells.append(String(format: "%.6g", t[p])) }
                cells.append("\(rank[p])")
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
