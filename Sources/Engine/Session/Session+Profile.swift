import Foundation
import Synchronization

/// The time one kind of kernel took in a profiled run.
public struct KernelTiming: Sendable, Hashable {
    /// The kernel's label (operator and node name).
    public let label: String
    /// CPU seconds spent, summed over micro-batches and threads.
    public let seconds: Double
}

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

extension Session {
    /// Runs `input` like `run`, timing every kernel with its thread's CPU clock (time other
    /// processes take on a busy machine is not counted): where the time goes.
    public func profile(_ input: Tensor) throws -> [KernelTiming] {
        let store = try self.store(with: input)
        defer { recycle(store.buffers) }
        let n = input.shape[0]
        let sink = ProfileSink()
        try execute(try fullStages(), items: n, images: n, pairs: false, store: store,
                    plainOutputs: Set(model.graph.outputs), profile: sink)
        return sink.timings
    }
}
