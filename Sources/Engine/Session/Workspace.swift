/// One worker's memory: the arena holding plan values and scratch space for kernels.
///
/// `@unchecked Sendable`: a workspace is taken out of the session's `Mutex`-protected pool by one
/// worker, used only by it, and put back; it is never used by two threads at once.
final class Workspace: @unchecked Sendable {
    let arena = Arena()
    let scratch = Arena()

    /// Runs `plan` after `prepare` fills its inputs; `collect` then reads its outputs.
    func run(_ plan: ExecutionPlan, masks: MicroBatchMasks? = nil, statistics: UnsafeMutablePointer<Double>? = nil,
             profile: ProfileSink? = nil, prepare: (ExecutionPlan.Port, UnsafeMutablePointer<Float>) -> Void,
             collect: (ExecutionPlan.Port, UnsafeMutablePointer<Float>) -> Void) throws {
        arena.reserve(plan.arenaFloats)
        scratch.reserve(plan.scratchFloats)
        for p in plan.inputs { prepare(p, arena.base + p.loc.offset) }
        try plan.run(arena: arena.base, scratch: scratch.base, masks: masks, statistics: statistics, profile: profile)
        for p in plan.outputs {
            collect(p, p.loc.isConstant ? plan.constants.base + p.loc.offset : arena.base + p.loc.offset)
        }
    }
}
