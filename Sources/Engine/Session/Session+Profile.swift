import Foundation

/// The time one kind of kernel took in a profiled run.
public struct KernelTiming: Sendable, Hashable {
    /// The kernel's label (operator and node name).
    public let label: String
    /// Seconds spent, summed over the profiled micro-batches.
    public let seconds: Double
}

extension Session {
    /// Runs `input` single-threaded through the full plan, timing every kernel with the thread's CPU
    /// clock (so time other processes take on a busy machine is not counted): where the time goes.
    public func profile(_ input: Tensor) throws -> [KernelTiming] {
        let values = try checkImages(input)
        let n = input.shape[0]
        let item = model.itemShape.reduce(1, *)
        var totals: [String: Double] = [:]
        var order: [String] = []
        let ws = Workspace()
        for range in Session.chunks(n, microBatch) {
            let plan = try fullPlan(batch: range.count)
            ws.arena.reserve(plan.arenaFloats)
            ws.scratch.reserve(plan.scratchFloats)
            if let p = plan.inputs.first {
                values.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { (ws.arena.base + p.loc.offset).update(from: s + range.lowerBound * item, count: range.count * item) }
                }
            }
            let context = RunContext(arena: ws.arena.base, constants: plan.constants.base, scratch: ws.scratch.base,
                                     masks: nil, statistics: nil)
            for (k, label) in zip(plan.kernels, plan.labels) {
                let start = Session.threadCPUTime()
                try k.run(context)
                let t = Session.threadCPUTime() - start
                if totals[label] == nil { order.append(label) }
                totals[label, default: 0] += t
            }
        }
        return order.map { KernelTiming(label: $0, seconds: totals[$0] ?? 0) }
    }

    /// The calling thread's CPU time in seconds.
    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
