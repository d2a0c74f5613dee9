import Foundation
import Synchronization

/// Collects kernel times from every worker.
final class ProfileSink: Sendable {
    private let state = Mutex<(order: [String], totals: [String: Double])>(([], [:]))

    func add(_ label: String, _ seconds: Double) {
        state.withLock { s in
            if s.totals[label] == nil { s.order.append(label) }
            s.totals[label, default: 0] += seconds
        }
    }

    var timings: [KernelTiming] {
        state.withLock { s in s.order.map { KernelTiming(label: $0, seconds: s.totals[$0] ?? 0) } }
    }

    /// The calling thread's CPU time in seconds.
    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
