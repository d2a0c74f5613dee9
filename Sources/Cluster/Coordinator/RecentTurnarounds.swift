/// The last few lease turnarounds (grant to result) of a worker or of a run, in a ring, for the
/// adaptive lease deadline.
struct RecentTurnarounds {
    private var ring: [Duration] = []
    private var next = 0
    /// Turnarounds recorded in all (not only those remembered).
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "remember at least one turnaround")
        self.capacity = capacity
    }

    mutating func add(_ d: Duration) {
        if ring.count < capacity {
            ring.append(d)
        } else {
            ring[next] = d
            next = (next + 1) % capacity
        }
        count += 1
    }

    /// The longest remembered turnaround.
    var maximum: Duration? { ring.max() }
}

extension AdaptiveLease {
    /// The deadline for a lease granted to a worker with turnarounds `worker`, in a run with
    /// turnarounds `run`.
    func deadline(worker: RecentTurnarounds?, run: RecentTurnarounds) -> Duration {
        guard run.count >= warmup, let runLongest = run.maximum else { return maximum }
        var longest = runLongest
        if let worker, worker.count >= warmup, let own = worker.maximum { longest = own }
        return min(maximum, max(minimum, longest * factor))
    }
}
