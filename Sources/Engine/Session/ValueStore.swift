import Synchronization

/// The per-item values stages hand to each other: for each value, one buffer holding it for
/// every item (image or (mask, image) pair), in the layout the producing plan chose.
final class ValueStore: Sendable {
    /// One value for all items.
    struct Entry: Sendable {
        /// The values, item after item.
        let buffer: SharedOutput
        /// Floats per item.
        let itemFloats: Int
        /// Physical layout.
        let layout: Layout
        /// Whether items are images (shared by all masks) rather than (mask, image) pairs.
        let perImage: Bool
    }

    private let entries = Mutex<[Int: Entry]>([:])

    /// A store holding the same entries (sharing their buffers), to which more can be added.
    func copy() -> ValueStore {
        let c = ValueStore()
        let all = entries.withLock { $0 }
        c.entries.withLock { $0 = all }
        return c
    }

    /// Whether value `v` is held.
    func contains(_ v: Int) -> Bool { entries.withLock { $0[v] != nil } }

    /// Stores `entry` for value `v`.
    func set(_ v: Int, _ entry: Entry) { entries.withLock { $0[v] = entry } }

    /// Every buffer held (to recycle them when the call is done).
    var buffers: [SharedOutput] { entries.withLock { $0.values.map(\.buffer) } }

    /// The entry of value `v`.
    func entry(_ v: Int) throws -> Entry {
        guard let e = entries.withLock({ $0[v] }) else {
            throw EngineError.unsupportedModel(reason: "internal: value \(v) was not computed before it was needed")
        }
        return e
    }
}
