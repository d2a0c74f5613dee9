/// The settings every top-k search shares, checked the same way by each of them.
enum TopKSearchSettings {
    /// Throws unless there are at least 2 players, `topK` is fewer than the players, and `delta` is a
    /// probability in (0, 1).
    static func validate(playerCount: Int, topK: Int, delta: Double) throws {
        guard playerCount >= 2 else {
            throw ShapleyError.invalidOption(name: "players", value: "\(playerCount)", expected: "at least 2 players")
        }
        guard topK >= 1 && topK < playerCount else {
            throw ShapleyError.invalidOption(name: "top-k", value: "\(topK)", expected: "1...\(playerCount - 1) (fewer than the players)")
        }
        guard delta > 0 && delta < 1 else {
            throw ShapleyError.invalidOption(name: "delta", value: "\(delta)", expected: "a probability in (0, 1)")
        }
    }
}
