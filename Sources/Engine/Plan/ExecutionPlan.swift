/// A compiled, immutable sequence of kernels for one subgraph at one micro-batch size, with the
/// arena size its values need (values whose lifetimes do not overlap share memory).
///
/// A plan is shared by every worker thread; each thread brings its own arena and scratch space.
final class ExecutionPlan: Sendable {
    /// A plan input or output: a value, where it lives and how it is laid out.
    struct Port: Sendable {
        /// The graph value id.
        let value: Int
        /// Where it lives.
        let loc: Loc
        /// Its logical shape (first dimension: the micro-batch).
        let shape: [Int]
        /// Its physical layout.
        let layout: Layout

        /// The micro-batch size of the plan.
        let batch: Int

        /// Floats per batch item.
        var itemFloats: Int { shape.reduce(1, *) / max(batch, 1) }
    }

    /// The kernels, in order.
    let kernels: [any Kernel]
    /// A label per kernel (for profiles and debugging).
    let labels: [String]
    /// Floats of arena the plan needs.
    let arenaFloats: Int
    /// Floats of scratch space the plan needs.
    let scratchFloats: Int
    /// The constants kernels read.
    let constants: ConstantStore
    /// The values the caller writes before running.
    let inputs: [Port]
    /// The values the caller reads after running.
    let outputs: [Port]
    /// The micro-batch size.
    let batch: Int

    init(kernels: [any Kernel], labels: [String], arenaFloats: Int, scratchFloats: Int, constants: ConstantStore,
         inputs: [Port], outputs: [Port], batch: Int) {
        self.kernels = kernels
        self.labels = labels
        self.arenaFloats = arenaFloats
        self.scratchFloats = scratchFloats
        self.constants = constants
        self.inputs = inputs
        self.outputs = outputs
        self.batch = batch
    }

    /// Runs every kernel with `arena` (at least `arenaFloats`) and `scratch` (at least `scratchFloats`).
    /// With a `profile`, each kernel's thread CPU time is added to it under the kernel's label.
    func run(arena: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
             masks: MicroBatchMasks?, statistics: UnsafeMutablePointer<Double>?, profile: ProfileSink? = nil) throws {
        let context = RunContext(arena: arena, constants: constants.base, scratch: scratch, masks: masks,
                                 statistics: statistics)
        guard let profile else {
            for k in kernels { try k.run(context) }
            return
        }
        for (k, label) in zip(kernels, labels) {
            let start = ProfileSink.threadCPUTime()
            try k.run(context)
            profile.add(label, ProfileSink.threadCPUTime() - start)
        }
    }
}
