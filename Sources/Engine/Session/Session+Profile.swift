import Foundation
import Synchronization

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
