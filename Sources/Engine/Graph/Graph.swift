/// A model's computation as typed nodes over numbered values, sorted topologically.
///
/// Built from a `GraphProto` at load time: every node's operator is looked up in
/// `OperatorRegistry` and its attributes parsed, initializers become constants, and the nodes are
/// ordered so that each comes after the producers of its inputs.
struct Graph: Sendable {
    /// One node.
    struct Node: Sendable {
        /// The node's name and operator.
        let info: NodeInfo
        /// The typed operator.
        let op: any Operator
        /// Input value ids; nil for an omitted optional input.
        let inputs: [Int?]
        /// Output value ids.
        let outputs: [Int]
        /// The node's index in the `GraphProto`.
        let protoIndex: Int
    }

    /// Value names, indexed by value id.
    let valueNames: [String]
    /// Value ids by name.
    let valueIDs: [String: Int]
    /// The nodes in topological order.
    let nodes: [Node]
    /// Constant values (initializers), by value id.
    let initializers: [Int: Tensor]
    /// The run-time inputs (graph inputs that are not initializers).
    let inputs: [Int]
    /// The declared dimensions of each run-time input.
    let inputDimensions: [Int: [ValueInfoProto.Dimension]]
    /// The graph outputs.
    let outputs: [Int]
    /// The node (index into `nodes`) producing each value.
    let producer: [Int: Int]
    /// The nodes (indices into `nodes`) reading each value.
    let consumers: [Int: [Int]]

    init(proto: GraphProto, opset: Int) throws {
        var names: [String] = []
        var ids: [String: Int] = [:]
        func id(_ name: String) -> Int {
            if let i = ids[name] { return i }
            names.append(name)
            ids[name] = names.count - 1
            return names.count - 1
        }
        var initializers: [Int: Tensor] = [:]
        for t in proto.initializer {
            guard let name = t.name, !name.isEmpty else { throw EngineError.unsupportedModel(reason: "an initializer has no name") }
            initializers[id(name)] = try Tensor(proto: t)
        }
        var inputs: [Int] = []
        var dims: [Int: [ValueInfoProto.Dimension]] = [:]
        for v in proto.input {
            guard let name = v.name else { continue }
            let i = id(name)
            if initializers[i] == nil {
                inputs.append(i)
                dims[i] = v.dimensions ?? []
            }
        }
        var unsorted: [Node] = []
        for (k, n) in proto.node.enumerated() {
            let opType = n.opType ?? ""
            let name = (n.name?.isEmpty == false ? n.name : n.output.first) ?? "node \(k)"
            let info = NodeInfo(name: name, opType: opType)
            let op = try OperatorRegistry.make(n, info: info, opset: opset)
            unsorted.append(Node(info: info, op: op, inputs: n.input.map { $0.isEmpty ? nil : id($0) },
                                 outputs: n.output.map { id($0) }, protoIndex: k))
        }
        let outputs = proto.output.compactMap { $0.name }.map { id($0) }
        // Topological order (Kahn), stable with respect to the file's order.
        var producerOf: [Int: Int] = [:]
        for (k, n) in unsorted.enumerated() {
            for o in n.outputs {
                if producerOf[o] != nil { throw EngineError.unsupportedModel(reason: "value '\(names[o])' is produced twice") }
                producerOf[o] = k
            }
        }
        var pending = unsorted.map { n in Set(n.inputs.compactMap { $0 }.compactMap { producerOf[$0] }).count }
        var dependents: [Int: [Int]] = [:]
        for (k, n) in unsorted.enumerated() {
            for p in Set(n.inputs.compactMap { $0 }.compactMap { producerOf[$0] }) { dependents[p, default: []].append(k) }
        }
        var ready = (0..<unsorted.count).filter { pending[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let k = ready.removeFirst()
            order.append(k)
            for d in dependents[k] ?? [] {
                pending[d] -= 1
                if pending[d] == 0 {
                    let at = ready.firstIndex { $0 > d } ?? ready.count
                    ready.insert(d, at: at)
                }
            }
        }
        guard order.count == unsorted.count else {
            throw EngineError.unsupportedModel(reason: "the graph has a cycle")
        }
        let nodes = order.map { unsorted[$0] }
        var producer: [Int: Int] = [:]
        var consumers: [Int: [Int]] = [:]
        for (k, n) in nodes.enumerated() {
            for o in n.outputs { producer[o] = k }
            for i in Set(n.inputs.compactMap { $0 }) { consumers[i, default: []].append(k) }
        }
        for o in outputs where producer[o] == nil && initializers[o] == nil && !inputs.contains(o) {
            throw EngineError.unsupportedModel(reason: "graph output '\(names[o])' is produced by no node")
        }
        for n in nodes {
            for i in n.inputs.compactMap({ $0 }) where producer[i] == nil && initializers[i] == nil && !inputs.contains(i) {
                throw EngineError.invalidNode(op: n.info.opType, node: n.info.name, reason: "input '\(names[i])' is produced by no node")
            }
        }
        self.valueNames = names
        self.valueIDs = ids
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.inputDimensions = dims
        self.outputs = outputs
        self.producer = producer
        self.consumers = consumers
    }
}
