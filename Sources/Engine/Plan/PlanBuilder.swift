/// Collects the kernels of an execution plan while nodes are lowered, tracking each value's
/// physical layout and whether it shares storage with another (reshapes are free), then assigns
/// arena offsets by liveness (`finish`).
struct PlanBuilder {
    /// A kernel waiting for its buffers to be placed.
    struct PendingStep {
        var inputs: [Int]
        var outputs: [Int]
        /// An (output, input) pair the kernel can compute in place.
        var inPlace: (output: Int, input: Int)?
        /// Scratch floats the kernel needs.
        var scratch: Int
        var label: String
        var make: (Resolver) throws -> any Kernel
    }

    /// Maps values to their final locations when kernels are materialised.
    struct Resolver {
        fileprivate let locs: [Int: Loc]
        /// The location of value `v`.
        func callAsFunction(_ v: Int) -> Loc {
            guard let l = locs[v] else { preconditionFailure("value \(v) has no location") }
            return l
        }
    }

    /// The micro-batch size the plan is built for.
    let batch: Int
    /// Facts about every value, indexed by value id; conversions append new ids.
    private(set) var facts: [ValueFacts?]
    /// Physical layouts of runtime values.
    private(set) var layouts: [Int: Layout] = [:]
    /// Values that share another value's storage (reshapes, identities), mapped to that value.
    private(set) var aliasOf: [Int: Int] = [:]
    /// The steps emitted so far.
    private(set) var steps: [PendingStep] = []
    /// Floats of the constant store and where each (value, layout) lives in it.
    private var constantData: [Float] = []
    private var constantOffsets: [Int: Int] = [:]
    private var constantIDs: [String: Int] = [:]
    private var conversions: [String: Int] = [:]

    /// Set by the compiler before lowering a node whose output activation is fused into it.
    var fusion: (activation: Activation, output: Int)?
    /// Set by the compiler before lowering a Conv node that is a layer of players.
    var currentLayer: ConvLayer?

    init(batch: Int, facts: [ValueFacts?]) {
        self.batch = batch
        self.facts = facts
    }

    // MARK: queries

    /// The logical shape of `v`.
    func shape(_ v: Int) -> [Int] {
        guard let f = facts[v] else { preconditionFailure("value \(v) has no facts") }
        return f.shape
    }

    /// The constant value of `v`, if it is one.
    func constant(_ v: Int) -> Tensor? { facts[v]?.constant }

    /// The physical layout of `v` (constants and untracked values are plain).
    func layout(_ v: Int) -> Layout { layouts[v] ?? .plain }

    /// Takes the pending fusion, if any.
    mutating func takeFusion() -> (activation: Activation, output: Int)? {
        defer { fusion = nil }
        return fusion
    }

    // MARK: values

    /// Declares that runtime value `v` will be produced in `layout`.
    mutating func define(_ v: Int, layout: Layout) {
        layouts[v] = Layout.isTrivial(shape(v)) ? .plain : layout
    }

    /// Declares that `output` shares the storage of `input` (a reshape or identity).
    mutating func alias(_ output: Int, to input: Int) {
        aliasOf[output] = aliasOf[input] ?? input
        layouts[output] = layouts[input] ?? .plain
        if Layout.isTrivial(shape(output)) && Layout.isTrivial(shape(input)) { layouts[output] = .plain }
    }

    /// A new value of logical `shape`.
    mutating func newValue(shape: [Int]) -> Int {
        facts.append(ValueFacts(shape: shape, isFloat: true))
        return facts.count - 1
    }

    /// A value holding `v` in `layout`: `v` itself when it already is (or the layouts coincide),
    /// a constant transposed at build time, or the output of a conversion kernel.
    mutating func require(_ v: Int, _ layout: Layout) -> Int {
        let s = shape(v)
        if let c = constant(v) {
            let target: Layout = Layout.isTrivial(s) ? .plain : layout
            let key = "\(v)/\(target)"
            if let id = constantIDs[key] { return id }
            let data = target == .nhwc ? Transpose.nchwToNHWC(c.asFloats, shape: s) : c.asFloats
            let id = newValue(shape: s)
            layouts[id] = target
            constantOffsets[id] = constantData.count
            constantData += data
            constantData += [Float](repeating: 0, count: (16 - data.count % 16) % 16)
            constantIDs[key] = id
            return id
        }
        let current = self.layout(v)
        if current == layout || Layout.isTrivial(s) { return v }
        let key = "\(v)/\(layout)"
        if let id = conversions[key] { return id }
        let out = newValue(shape: s)
        layouts[out] = layout
        let toNHWC = layout == .nhwc
        emit(inputs: [v], outputs: [out], label: toNHWC ? "to NHWC" : "to NCHW") { r in
            TransposeKernel(input: r(v), output: r(out), shape: s, toNHWC: toNHWC)
        }
        conversions[key] = out
        return out
    }

    /// The constant floats of `v` (for kernels that capture weights directly).
    func constantFloats(_ v: Int) -> [Float]? { constant(v)?.asFloats }

    // MARK: steps

    /// Adds a kernel reading `inputs` and writing `outputs`.
    mutating func emit(inputs: [Int], outputs: [Int], inPlace: (output: Int, input: Int)? = nil,
                       scratch: Int = 0, label: String,
                       make: @escaping (Resolver) throws -> any Kernel) {
        steps.append(PendingStep(inputs: inputs, outputs: outputs, inPlace: inPlace, scratch: scratch,
                                 label: label, make: make))
    }

    /// Adds a step that runs an operator's reference implementation on plain buffers.
    mutating func emitReference(_ op: any Operator, node: NodeInfo, inputs: [Int?], outputs: [Int]) {
        let plainInputs = inputs.map { $0.map { require($0, .plain) } }
        for o in outputs { define(o, layout: .plain) }
        let shapes = plainInputs.map { $0.map { shape($0) } }
        let outShapes = outputs.map { shape($0) }
        emit(inputs: plainInputs.compactMap { $0 }, outputs: outputs, label: "reference \(node.opType)") { r in
            ReferenceKernel(op: op, node: node, inputs: plainInputs.map { $0.map { r($0) } },
                            inputShapes: shapes, outputs: outputs.map { r($0) }, outputShapes: outShapes)
        }
    }

    // MARK: placement

    /// Places every runtime value in the arena (values whose lifetimes do not overlap share memory)
    /// and materialises the kernels.
    func finish(inputs: [Int], outputs: [(value: Int, storage: Int)]) throws -> ExecutionPlan {
        func root(_ v: Int) -> Int { aliasOf[v] ?? v }
        var lastUse: [Int: Int] = [:]
        for (i, s) in steps.enumerated() {
            for v in s.inputs where constantOffsets[v] == nil { lastUse[root(v)] = i }
        }
        for (_, v) in outputs { lastUse[root(v)] = Int.max }
        var allocator = BlockAllocator()
        var offsets: [Int: Int] = [:]
        func size(_ v: Int) -> Int { shape(v).reduce(1, *) }
        for v in inputs where offsets[root(v)] == nil {
            offsets[root(v)] = allocator.allocate(size(root(v)))
        }
        var freed = Set<Int>()
        func release(_ i: Int, _ s: PendingStep) {
            for v in Set(s.inputs.map(root)) where constantOffsets[v] == nil && lastUse[v] == i && !freed.contains(v) {
                if let o = offsets[v] { allocator.free(o, size(v)); freed.insert(v) }
            }
        }
        for (i, s) in steps.enumerated() {
            // Plan inputs may be overwritten too: runs copy them into the arena first.
            if let (out, inp) = s.inPlace, root(out) == out, lastUse[root(inp)] == i,
               size(out) == size(root(inp)), let o = offsets[root(inp)], offsets[out] == nil {
                offsets[out] = o
                freed.insert(root(inp))
            }
            for v in s.outputs where offsets[root(v)] == nil {
                offsets[root(v)] = allocator.allocate(size(root(v)))
            }
            release(i, s)
            for v in s.outputs where lastUse[root(v)] == nil && offsets[root(v)] != nil && !freed.contains(root(v)) {
                // Produced but never read (an unused output): free at once.
                allocator.free(offsets[root(v)] ?? 0, size(root(v)))
                freed.insert(root(v))
            }
        }
        var locs: [Int: Loc] = [:]
        for (v, o) in constantOffsets { locs[v] = Loc(isConstant: true, offset: o) }
        for v in 0..<facts.count where locs[v] == nil {
            if let o = offsets[root(v)] { locs[v] = Loc(isConstant: false, offset: o) }
        }
        let resolver = Resolver(locs: locs)
        let kernels = try steps.map { try $0.make(resolver) }
        let inPorts = inputs.map { ExecutionPlan.Port(value: $0, loc: resolver($0), shape: shape($0), layout: layout($0), batch: batch) }
        let outPorts = outputs.map { ExecutionPlan.Port(value: $0.value, loc: resolver($0.storage), shape: shape($0.storage),
                                                        layout: layout($0.storage), batch: batch) }
        return ExecutionPlan(kernels: kernels, labels: steps.map(\.label), arenaFloats: allocator.high,
                             scratchFloats: steps.map(\.scratch).max() ?? 0,
                             constants: ConstantStore(constantData), inputs: inPorts, outputs: outPorts,
                             batch: batch)
    }
}

/// First-fit-by-size allocation of float blocks in a growing arena, in 16-float (64-byte) units.
struct BlockAllocator {
    private var free: [(offset: Int, size: Int)] = []
    /// The arena size needed so far.
    private(set) var high = 0

    private static func round(_ n: Int) -> Int { (max(n, 1) + 15) / 16 * 16 }

    mutating func allocate(_ n: Int) -> Int {
        let s = Self.round(n)
        var best: Int?
        for (i, b) in free.enumerated() where b.size >= s {
            if best.map({ free[$0].size > b.size }) ?? true { best = i }
        }
        if let i = best {
            let b = free[i]
            if b.size == s { free.remove(at: i) } else { free[i] = (b.offset + s, b.size - s) }
            return b.offset
        }
        if let last = free.last, last.offset + last.size == high {
            free.removeLast()
            high = last.offset + s
            return last.offset
        }
        defer { high += s }
        return high
    }

    mutating func free(_ offset: Int, _ n: Int) {
        let s = Self.round(n)
        let i = free.firstIndex { $0.offset > offset } ?? free.count
        free.insert((offset, s), at: i)
        if i + 1 < free.count, free[i].offset + free[i].size == free[i + 1].offset {
            free[i].size += free[i + 1].size
            free.remove(at: i + 1)
        }
        if i > 0, free[i - 1].offset + free[i - 1].size == free[i].offset {
            free[i - 1].size += free[i].size
            free.remove(at: i)
        }
    }
}
