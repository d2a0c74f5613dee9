import Synchronization

/// Images on which `Session.evaluate` is called again and again with masks that differ in the same
/// layers, such as a game's validation images.
///
/// A call does some work once per image: the network up to the first layer where its masks differ
/// (with the removals they share there) and that layer's product. A batch keeps that work for the
/// next call with the same cut and the same shared removals, as long as it fits in `cacheBytes`;
/// a game whose players sit in one layer then pays per evaluation only for the masked epilogue and
/// what follows. One cut is kept at a time. Safe to share between threads.
public final class ImageBatch: Sendable {
    /// The images, `[N] + model.itemShape`.
    public let images: Tensor
    /// The most bytes of kept activations.
    public let cacheBytes: Int
    /// What one cut left: the session that computed it (held, so that its address cannot be reused
    /// by another session while the values are kept), the cut's key, the bytes kept and the stores.
    private let kept = Mutex<(session: Session, key: String, bytes: Int, groups: [Int: ValueStore])?>(nil)

    /// A batch of `images` keeping at most `cacheBytes` of activations between calls (0 keeps none).
    public init(_ images: Tensor, cacheBytes: Int = 512 << 20) {
        self.images = images
        self.cacheBytes = cacheBytes
    }

    /// Bytes of activations kept now.
    var keptBytes: Int { kept.withLock { $0?.bytes ?? 0 } }

    /// The kept values of the image group starting at `group` for `session`'s cut `key`, if any.
    func store(session: Session, key: String, group: Int) -> ValueStore? {
        kept.withLock { k in k.flatMap { $0.session === session && $0.key == key ? $0.groups[group] : nil } }
    }

    /// Keeps `store` (the values of the image group starting at `group` for `session`'s cut `key`), replacing
    /// what another cut left; false (nothing kept) when it would exceed the budget.
    func keep(_ store: ValueStore, session: Session, key: String, group: Int) -> Bool {
        let bytes = store.buffers.reduce(0) { $0 + $1.count * 4 }
        guard bytes <= cacheBytes else { return false }
        return kept.withLock { k in
            if k?.session !== session || k?.key != key { k = (session, key, 0, [:]) }
            guard let current = k, current.groups[group] == nil, current.bytes + bytes <= cacheBytes else { return false }
            k?.groups[group] = store
            k?.bytes = current.bytes + bytes
            return true
        }
    }
}
