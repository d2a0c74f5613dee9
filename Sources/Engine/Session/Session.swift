import Dispatch
import Synchronization

/// Runs a model on batches of images, with or without masks, on a bounded number of threads.
///
/// A session compiles execution plans on demand (per micro-batch size, stage and graph cut) and
/// keeps them, together with per-thread arenas, for reuse. The network runs in two stages: the
/// high-resolution start in micro-batches of `earlyMicroBatch` items (activations stay in cache),
/// the rest (where every activation holds at most `stageSplitFloats` floats per item) in
/// micro-batches of `microBatch` items. `threads` workers take micro-batches in turn; each runs
/// whole plans on its own arena with single-threaded OpenBLAS, so at most `threads` cores are
/// busy. OpenBLAS's thread count is process-wide: creating a session sets it to 1.
///
/// All methods are thread-safe; concurrent calls share the plan cache.
public final class Session: Sendable {
    /// The model.
    public let model: Model
    /// The most threads a call uses.
    public let threads: Int
    /// The most items per micro-batch in the network's low-resolution end.
    public let microBatch: Int
    /// The most items per micro-batch in the network's high-resolution start.
    public let earlyMicroBatch: Int
    /// The largest per-item activation (in floats) of the low-resolution end.
    public let stageSplitFloats: Int

    private let plans = Mutex<[String: ExecutionPlan]>([:])
    private let workspaces = Mutex<[Workspace]>([])
    /// Buffers of finished calls, by size, kept so later calls do not fault fresh pages in.
    private let buffers = Mutex<(bySize: [Int: [SharedOutput]], bytes: Int)>(([:], 0))
    /// Each conv layer's bias (zeros when it has none), for `Removal.bias` and overrides.
    let biases: [[Float]]
    /// Images per pass through the stages (activations handed between stages are kept for a pass).
    let imagesPerPass: Int
    /// (mask, image) pairs per pass through the suffix of `evaluate`.
    let pairsPerPass: Int

    /// A session on `model` using at most `threads` threads; see the type's documentation for the
    /// micro-batch sizes (the defaults suit EfficientNet-Lite0-sized networks on a 2-core machine).
    public convenience init(model: Model, threads: Int = 1, microBatch: Int = 16, earlyMicroBatch: Int = 1,
                            stageSplitFloats: Int = 65_536) {
        self.init(model: model, threads: threads, microBatch: microBatch, earlyMicroBatch: earlyMicroBatch,
                  stageSplitFloats: stageSplitFloats, imagesPerPass: max(microBatch, 64), pairsPerPass: max(16 * microBatch, 256))
    }

    /// A session with explicit pass sizes (tests use small ones).
    init(model: Model, threads: Int, microBatch: Int, earlyMicroBatch: Int, stageSplitFloats: Int, imagesPerPass: Int,
         pairsPerPass: Int) {
        precondition(threads >= 1, "threads must be at least 1")
        precondition(microBatch >= 1 && earlyMicroBatch >= 1, "micro-batches hold at least one item")
        self.model = model
        self.threads = threads
        self.microBatch = microBatch
        self.earlyMicroBatch = earlyMicroBatch
        self.stageSplitFloats = stageSplitFloats
        self.imagesPerPass = max(1, imagesPerPass)
        self.pairsPerPass = max(1, pairsPerPass)
        BLAS.setThreads(1)
        biases = model.convLayers.map { layer in
            let node = model.graph.nodes[layer.nodeIndex]
            if node.inputs.count > 2, let b = node.inputs[2], let t = model.graph.initializers[b] { return t.asFloats }
            return [Float](repeating: 0, count: layer.channels)
        }
    }

    // MARK: plans

    /// The compiled plan for `nodes` at batch `batch`, cached under `key`.
    func plan(key: String, batch: Int, nodes: [Int], inputs: [(value: Int, layout: Layout)],
              outputs: [(value: Int, plain: Bool)], parts: [Int: ConvPart] = [:]) throws -> ExecutionPlan {
        let fullKey = "\(key)@\(batch)"
        if let p = plans.withLock({ $0[fullKey] }) { return p }
        let spec = try model.specialization(batch: batch)
        let p = try PlanCompiler.compile(graph: model.graph, specialization: spec, nodes: nodes, inputs: inputs,
                                         outputs: outputs, layers: model.layersByNode, parts: parts, batch: batch)
        plans.withLock { cache in
            if cache.count > 256 { cache.removeAll() }
            cache[fullKey] = p
        }
        return p
    }

    /// The labels of the kernels of the single-stage plan at batch `batch` (for tests).
    func kernelLabels(batch: Int) throws -> [String] {
        try fullPlan(batch: batch).labels
    }

    /// One plan computing every output from the input (no stages).
    func fullPlan(batch: Int) throws -> ExecutionPlan {
        let spec = try model.specialization(batch: batch)
        return try plan(key: "full", batch: batch, nodes: spec.runtimeNodes,
                        inputs: model.graph.inputs.map { ($0, Layout.plain) },
                        outputs: model.graph.outputs.map { ($0, true) })
    }

    // MARK: workers

    /// Runs `body(index, workspace)` for `count` micro-batches on up to `threads` workers.
    func parallel(_ count: Int, _ body: @Sendable (Int, Workspace) throws -> Void) throws {
        guard count > 0 else { return }
        let workers = min(threads, count)
        let state = WorkQueue()
        withoutActuallyEscaping(body) { body in
            let work: @Sendable (Int) -> Void = { _ in
                let ws = self.checkout()
                defer { self.checkin(ws) }
                while let i = state.take(below: count) {
                    do { try body(i, ws) } catch { state.fail(error) }
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }
        if let e = state.failure { throw e }
    }

    /// A buffer of `count` floats (contents unspecified), reused from earlier calls when possible.
    func buffer(_ count: Int) -> SharedOutput {
        buffers.withLock { pool in
            guard let b = pool.bySize[count]?.popLast() else { return nil }
            pool.bytes -= count * 4
            return b
        } ?? SharedOutput(count: count)
    }

    /// Returns buffers for reuse (up to 1 GB is kept).
    func recycle(_ released: [SharedOutput]) {
        buffers.withLock { pool in
            for b in released where pool.bytes + b.count * 4 <= 1 << 30 {
                pool.bySize[b.count, default: []].append(b)
                pool.bytes += b.count * 4
            }
        }
    }

    private func checkout() -> Workspace {
        workspaces.withLock { $0.popLast() } ?? Workspace()
    }

    private func checkin(_ ws: Workspace) {
        workspaces.withLock { $0.append(ws) }
    }
}
