import SuretyNumerics

/// A probabilistic circuit over Boolean variables: a DAG of literal leaves, weighted sums and
/// products, stored flat with children before parents.
///
/// The circuit represents the unnormalized function
///
///     Z(λ) = value of the root, with leaf λ_{x} = p_x and λ_{¬x} = 1 − p_x,
///
/// which, for a circuit compiled from a ``KnowledgeBase``, is
/// `Σ_μ Π_j λ_{j,μ_j} · F(μ)`: the partition function of the sensors-times-rules model.
/// Every circuit this type holds is **smooth** (the children of a sum mention the same
/// variables), **decomposable** (the children of a product mention disjoint variables) and
/// mentions every variable at its root, which is what exact marginals need; compiled circuits
/// are also **deterministic** (at most one child of each sum is non-zero under any assignment).
/// ``validate()`` checks all three on any circuit.
public struct ProbabilisticCircuit: Sendable {
    /// A node, referring to its children by index into ``nodes``.
    public enum Node: Hashable, Sendable {
        /// The indicator λ of a literal.
        case literal(Literal)
        /// `Σ_k e^{logWeights[k]} · child_k`.
        case sum(children: [Int], logWeights: [Double])
        /// `Π_k child_k`.
        case product(children: [Int])
    }

    /// The circuit's name (the knowledge base's circuit it was compiled from).
    public let name: String
    /// Number of Boolean variables (indices `0..<variableCount`).
    public let variableCount: Int
    /// Nodes in topological order: every child index is smaller than its parent's.
    public let nodes: [Node]
    /// Index of the root (the last node).
    public var root: Int { nodes.count - 1 }
    /// Independent groups of variables: the children of the root product and the variables
    /// each one mentions. Queries and bounds use them to work on one group at a time.
    public let components: [Component]
    /// Variables no rule of this circuit mentions: their marginals are their inputs.
    public let freeVariables: [Int]

    /// One factor of the root product.
    public struct Component: Hashable, Sendable {
        /// Node index of the factor.
        public var root: Int
        /// Variables it mentions, ascending.
        public var variables: [Int]
        /// When every rule of the component is monotone after flipping the variables marked
        /// `true` (``monotoneOrientation``), the marginals are monotone in every input and
        /// box bounds are exact at two vertices. `nil` when that is not known to hold.
        public var monotoneOrientation: [Bool]?
    }

    // Flat form for the evaluation kernels.
    let kind: [NodeKind]
    let leafVariable: [Int32]        // literal nodes: variable; others: -1
    let leafPositive: [Bool]
    let childStart: [Int32]          // children of node n: children[childStart[n]..<childStart[n+1]]
    let children: [Int32]
    let edgeLogWeight: [Double]      // aligned with `children` (0 for products)
    /// Node of λ_{x} and λ_{¬x} for each variable (-1 if absent).
    let positiveLeaf: [Int32]
    let negativeLeaf: [Int32]

    enum NodeKind: UInt8 { case literal, sum, product }

    /// Builds a circuit from explicit nodes (the last node is the root) and checks it.
    ///
    /// - Throws: `NumericsError.domain` when a child index does not point to an earlier node, a
    ///   weight is not finite, a literal names a variable outside `0..<variableCount`, or the
    ///   circuit is not smooth and decomposable with every variable under its root (marginal
    ///   queries would be wrong otherwise). Determinism is not required; check it with
    ///   ``validate()``.
    public init(name: String = "circuit", variableCount: Int, nodes: [Node]) throws {
        try self.init(name: name, variableCount: variableCount, nodes: nodes, monotoneOrientation: [:], checked: true)
    }

    init(name: String, variableCount: Int, nodes: [Node], monotoneOrientation: [Int: [Bool]], checked: Bool) throws {
        guard !nodes.isEmpty else { throw circuitError("no nodes", expected: "at least one node") }
        self.name = name
        self.variableCount = variableCount
        self.nodes = nodes
        var kind: [NodeKind] = [], leafVariable: [Int32] = [], leafPositive: [Bool] = []
        var childStart: [Int32] = [0], children: [Int32] = [], weights: [Double] = []
        var positiveLeaf = [Int32](repeating: -1, count: variableCount)
        var negativeLeaf = [Int32](repeating: -1, count: variableCount)
        for (n, node) in nodes.enumerated() {
            switch node {
            case .literal(let l):
                guard (0..<variableCount).contains(l.variable) else {
                    throw circuitError("node \(n), a literal of variable \(l.variable)", expected: "a variable below \(variableCount)")
                }
                guard (l.isPositive ? positiveLeaf : negativeLeaf)[l.variable] < 0 else {
                    throw circuitError("node \(n), a second leaf for \(l)", expected: "one leaf per literal, shared by its parents")
                }
                if l.isPositive { positiveLeaf[l.variable] = Int32(n) } else { negativeLeaf[l.variable] = Int32(n) }
                kind.append(.literal); leafVariable.append(Int32(l.variable)); leafPositive.append(l.isPositive)
            case let .sum(cs, ws):
                guard cs.count == ws.count, !cs.isEmpty else {
                    throw circuitError("sum node \(n) with \(cs.count) children and \(ws.count) weights", expected: "as many weights as children, at least one")
                }
                guard ws.allSatisfy(\.isFinite) else { throw circuitError("sum node \(n) with a non-finite log-weight", expected: "finite log-weights") }
                kind.append(.sum); leafVariable.append(-1); leafPositive.append(false)
                children += cs.map { Int32($0) }; weights += ws
            case .product(let cs):
                guard !cs.isEmpty else { throw circuitError("product node \(n) without children", expected: "at least one child") }
                kind.append(.product); leafVariable.append(-1); leafPositive.append(false)
                children += cs.map { Int32($0) }; weights += [Double](repeating: 0, count: cs.count)
            }
            guard children[Int(childStart.last!)...].allSatisfy({ $0 >= 0 && Int($0) < n }) else {
                throw circuitError("node \(n) with a child that is not an earlier node", expected: "children listed before their parents")
            }
            childStart.append(Int32(children.count))
        }
        self.kind = kind; self.leafVariable = leafVariable; self.leafPositive = leafPositive
        self.childStart = childStart; self.children = children; self.edgeLogWeight = weights
        self.positiveLeaf = positiveLeaf; self.negativeLeaf = negativeLeaf

        // Components: the children of a root product, or the root itself.
        let scopes = CircuitScopes(nodes: nodes, variableCount: variableCount)
        let rootNode = nodes.count - 1
        let factors: [Int]
        if case .product(let cs) = nodes[rootNode] { factors = cs } else { factors = [rootNode] }
        var components: [Component] = []
        var free: [Int] = []
        for f in factors {
            let vars = scopes.variables(of: f)
            if vars.count == 1, case .sum(let cs, let ws) = nodes[f], cs.count == 2, ws == [0, 0],
               Set(cs.map { nodes[$0] }) == [.literal(Literal(vars[0])), .literal(Literal(vars[0], isPositive: false))] {
                free.append(vars[0])          // a smoothing gadget λ_x + λ_¬x: no rule touches x
            } else {
                components.append(Component(root: f, variables: vars, monotoneOrientation: monotoneOrientation[f]))
            }
        }
        self.components = components
        self.freeVariables = free.sorted()
        if checked {
            let report = validate()
            if let problem = report.problems.first(where: { $0.property != .determinism }) {
                throw circuitError(problem.description, expected: "a smooth, decomposable circuit whose root mentions every variable")
            }
        }
    }

    /// Number of edges (child references).
    public var edgeCount: Int { children.count }
}

/// The error for a circuit that breaks the structural contract, or a query that breaks a
/// query's contract.
func circuitError(_ seen: String, expected: String) -> NumericsError {
    NumericsError.domain(function: "probabilistic circuit", value: seen, expected: expected)
}
