import Synchronization

/// Preprocessed images kept in memory across loads, keyed by the SHA-256 of the file's bytes and
/// the preprocessing, so that a data set read twice in one process (for example by several
/// in-process workers) is decoded once. Bounded: when the floats held exceed `capacity` bytes the
/// oldest entries go first.
public final class ImageCache: Sendable {
    private struct State {
        var entries: [String: [Float]] = [:]
        var order: [String] = []
        var bytes = 0
    }

    /// The most bytes of floats held.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache holding at most `capacity` bytes of floats.
    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// A process-wide cache of 512 MB.
    public static let shared = ImageCache(capacity: 512 << 20)

    /// The cached input for a file digest and preprocessing, if any.
    public func input(digest: String, preprocessing: Preprocessing) -> [Float]? {
        let key = digest + "|" + preprocessing.key
        return state.withLock { $0.entries[key] }
    }

    /// Stores the input of a file digest and preprocessing, evicting the oldest entries when full.
    public func store(_ input: [Float], digest: String, preprocessing: Preprocessing) {
        let key = digest + "|" + preprocessing.key
        let size = input.count * MemoryLayout<Float>.stride
        guard size <= capacity else { return }
        state.withLock { state in
            guard state.entries[key] == nil else { return }
            state.entries[key] = input
            state.order.append(key)
            state.bytes += size
            var dropped = 0
            while state.bytes > capacity, dropped < state.order.count {
                let old = state.order[dropped]
                state.bytes -= (state.entries.removeValue(forKey: old)?.count ?? 0) * MemoryLayout<Float>.stride
                dropped += 1
            }
            state.order.removeFirst(dropped)
        }
    }

    /// The number of images held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Empties the cache.
    public func removeAll() {
        state.withLock { $0 = State() }
    }
}
