/// Everything a kernel needs while it runs: the arena, constants, scratch space, the micro-batch
/// size, masks, and the optional statistics accumulator of conv outputs.
struct RunContext {
    /// The per-thread arena holding the plan's runtime values.
    let arena: UnsafeMutablePointer<Float>
    /// The plan's constants.
    let constants: UnsafeMutablePointer<Float>
    /// Per-thread scratch space of at least the plan's `scratchFloats`.
    let scratch: UnsafeMutablePointer<Float>
    /// The masks of the items of this micro-batch, if any.
    let masks: MicroBatchMasks?
    /// Per-unit sums of pre-activation conv outputs (`unitCount` doubles), when collecting statistics.
    let statistics: UnsafeMutablePointer<Double>?

    /// The memory of a value.
    @inline(__always)
    subscript(_ loc: Loc) -> UnsafeMutablePointer<Float> {
        (loc.isConstant ? constants : arena) + loc.offset
    }
}
