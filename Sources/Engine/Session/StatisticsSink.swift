import Synchronization

/// Per-unit sums of conv outputs, merged from every worker.
final class StatisticsSink: Sendable {
    let sums: Mutex<[Double]>
    let units: Int

    init(units: Int) {
        self.units = units
        sums = Mutex([Double](repeating: 0, count: units))
    }

    /// Adds one worker's sums.
    func add(_ partial: UnsafeMutablePointer<Double>) {
        sums.withLock { s in for u in 0..<units { s[u] += partial[u] } }
    }
}
