/// A first-in first-out queue of unit ids (an array with a moving head, compacted as it drains).
struct UnitQueue {
    private var items: [UInt64] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }

    mutating func append(_ id: UInt64) { items.append(id) }

    mutating func popFirst() -> UInt64? {
        guard head < items.count else { return nil }
        let id = items[head]
        head += 1
        if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return id
    }
}
