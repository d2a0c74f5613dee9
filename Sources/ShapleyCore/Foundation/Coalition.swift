/// A set of players `0..<playerCount`, stored as a compact bit set.
///
/// A coalition is "the network with every other filter removed": members are kept, the rest are
/// ablated. Coalitions are value types, cheap to copy for small games and 2.6 KB for 21,008 players.
public struct Coalition: Hashable, Sendable {
    /// The number of players in the game (the universe), not the number of members.
    public let playerCount: Int
    /// Bit `i % 64` of word `i / 64` is set when player `i` is a member.
    public private(set) var words: [UInt64]

    /// The empty coalition of a game with `playerCount` players.
    public init(empty playerCount: Int) {
        precondition(playerCount >= 0, "a game has a non-negative number of players")
        self.playerCount = playerCount
        self.words = Array(repeating: 0, count: (playerCount + 63) / 64)
    }

    /// The coalition of every player of a game with `playerCount` players.
    public init(full playerCount: Int) {
        self.init(empty: playerCount)
        for i in words.indices { words[i] = ~0 }
        clearPadding()
    }

    /// A coalition holding exactly `members`.
    public init<S: Sequence>(playerCount: Int, members: S) where S.Element == Int {
        self.init(empty: playerCount)
        for m in members { insert(m) }
    }

    /// A coalition from raw words (as sent over the wire); bits past `playerCount` are cleared.
    public init(playerCount: Int, words: [UInt64]) {
        precondition(words.count == (playerCount + 63) / 64, "word count must match the player count")
        self.playerCount = playerCount
        self.words = words
        clearPadding()
    }

    private mutating func clearPadding() {
        let tail = playerCount % 64
        if tail != 0, let last = words.indices.last {
            words[last] &= (UInt64(1) << UInt64(tail)) - 1
        }
    }

    /// Whether `player` is a member.
    @inlinable public func contains(_ player: Int) -> Bool {
        precondition(player >= 0 && player < playerCount, "player \(player) out of range 0..<\(playerCount)")
        return words[player >> 6] & (UInt64(1) << UInt64(player & 63)) != 0
    }

    /// Adds `player`.
    public mutating func insert(_ player: Int) {
        precondition(player >= 0 && player < playerCount, "player \(player) out of range 0..<\(playerCount)")
        words[player >> 6] |= UInt64(1) << UInt64(player & 63)
    }

    /// Removes `player`.
    public mutating func remove(_ player: Int) {
        precondition(player >= 0 && player < playerCount, "player \(player) out of range 0..<\(playerCount)")
        words[player >> 6] &= ~(UInt64(1) << UInt64(player & 63))
    }

    /// Flips the membership of `player`.
    public mutating func toggle(_ player: Int) {
        precondition(player >= 0 && player < playerCount, "player \(player) out of range 0..<\(playerCount)")
        words[player >> 6] ^= UInt64(1) << UInt64(player & 63)
    }

    /// The number of members.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Whether the coalition has no members.
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// The players that are not members.
    public var complement: Coalition {
        var c = self
        for i in c.words.indices { c.words[i] = ~c.words[i] }
        c.clearPadding()
        return c
    }

    /// Members in increasing order.
    public var members: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                out.append(w << 6 | b)
                bits &= bits - 1
            }
        }
        return out
    }

    /// Players of the game that are not members, in increasing order.
    public var removed: [Int] { complement.members }
}
