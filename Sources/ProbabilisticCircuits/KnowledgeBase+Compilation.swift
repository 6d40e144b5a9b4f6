import SuretyNumerics

/// Options for ``KnowledgeBase/compile(options:)``.
public struct CompilationOptions: Sendable {
    /// Variable order for Shannon expansion within each component.
    public var order: VariableOrder
    /// Compilation fails (rather than exhausting memory) when one level of a component's
    /// decision diagram would hold more distinct states than this.
    public var stateLimit: Int

    public init(order: VariableOrder = .automatic, stateLimit: Int = 1 << 20) {
        self.order = order
        self.stateLimit = stateLimit
    }
}

extension KnowledgeBase {
    /// Compiles every named circuit, in ``circuitNames`` order.
    public func compile(options: CompilationOptions = CompilationOptions()) throws -> [ProbabilisticCircuit] {
        try circuitNames.map { try compile(circuit: $0, options: options) }
    }

    /// Compiles one named circuit into a smooth, decomposable, deterministic circuit over all
    /// of the knowledge base's variables.
    ///
    /// The rules are split into connected components (the root is their product); each
    /// component becomes a reduced ordered decision diagram of its factor (see
    /// `DecisionDiagram`), and each decision node on `x` becomes
    /// `e^{a}·(λ_x · high) + e^{b}·(λ_¬x · low)`. Where an edge skips variables of the order,
    /// a smoothing gadget `λ_y + λ_¬y` is multiplied in; variables no rule of the circuit
    /// mentions enter the root as gadgets too. Cost is linear in the number of diagram nodes,
    /// which stays small when the rules' interaction graph has small width (chains, stars,
    /// COLEP's `class ⇒ concept` parts), never `2^V`.
    ///
    /// - Throws: `NumericsError.domain` for an unknown circuit name, an explicit order that is
    ///   not a permutation of the variables, or a component too entangled for
    ///   ``CompilationOptions/stateLimit``.
    public func compile(circuit name: String, options: CompilationOptions = CompilationOptions()) throws -> ProbabilisticCircuit {
        guard circuitNames.contains(name) else {
            throw circuitError("circuit name '\(name)'", expected: "one of \(circuitNames.map { "'\($0)'" }.joined(separator: ", "))")
        }
        if case .explicit(let permutation) = options.order, permutation.sorted() != Array(variables.indices) {
            throw circuitError("an explicit order of \(permutation.count) indices", expected: "a permutation of 0..<\(variables.count)")
        }
        let circuitRules = rules(inCircuit: name)
        var builder = CircuitBuilder(variableCount: variables.count)
        var factors: [Int] = []
        var orientations: [Int: [Bool]] = [:]
        var mentioned = [Bool](repeating: false, count: variables.count)
        for group in Components(variableCount: variables.count, rules: circuitRules).groups {
            let groupRules = group.rules.map { circuitRules[$0] }
            let order = options.order.order(of: group.variables, rules: groupRules)
            let diagram = try DecisionDiagram(order: order, rules: groupRules, stateLimit: options.stateLimit)
            guard let rootEdge = diagram.rootEdge else {
                // KnowledgeBase.init rejects unsatisfiable hard rules, so this cannot happen.
                throw circuitError("a component whose hard rules no assignment satisfies", expected: "satisfiable hard rules")
            }
            let root = builder.emit(diagram, rootEdge: rootEdge)
            factors.append(root)
            if let orientation = KnowledgeBase.monotoneOrientation(variables: group.variables, rules: groupRules) {
                orientations[root] = orientation
            }
            for v in group.variables { mentioned[v] = true }
        }
        for v in variables.indices where !mentioned[v] { factors.append(builder.gadget(v)) }
        builder.nodes.append(.product(children: factors))
        return try ProbabilisticCircuit(name: name, variableCount: variables.count, nodes: builder.nodes,
                                        monotoneOrientation: orientations, checked: false)
    }

    /// Signs that make every rule an attractive implication `A ⇒ B` between positive literals
    /// (or a unit clause), if such signs exist.
    ///
    /// After flipping the variables marked `true`, each factor `exp(w·𝟙[¬A ∨ B])` (or hard
    /// `𝟙[¬A ∨ B]`) is log-supermodular, so the posterior is an FKG measure and
    /// `∂π_j/∂logit p_k = Cov(μ_j, μ_k) ≥ 0` (Fortuin–Kasteleyn–Ginibre; the Ahlswede–Daykin
    /// four-functions theorem covers the zeros of hard rules). In the original signs, `π_j` is
    /// non-decreasing in `p_k` when `j` and `k` carry the same flag and non-increasing
    /// otherwise. Clauses of three or more literals are not log-supermodular in general: `nil`.
    static func monotoneOrientation(variables: [Int], rules: [Rule]) -> [Bool]? {
        // Parity constraints flip(a) ⊕ flip(b) = c, solved by breadth-first 2-colouring.
        var edges: [Int: [(other: Int, parity: Bool)]] = [:]
        for rule in rules {
            let clause = rule.clause
            if case .soft(let w) = rule.weight, w == 0 { continue }
            guard clause.count <= 2 else { return nil }
            guard clause.count == 2 else { continue }
            let (a, b) = (clause[0], clause[1])
            let parity = a.isPositive == b.isPositive        // same signs: exactly one must flip
            edges[a.variable, default: []].append((b.variable, parity))
            edges[b.variable, default: []].append((a.variable, parity))
        }
        var flip: [Int: Bool] = [:]
        for start in variables where flip[start] == nil {
            flip[start] = false
            var queue = [start]
            while let v = queue.popLast() {
                for (w, parity) in edges[v] ?? [] {
                    let wanted = flip[v]! != parity
                    if let known = flip[w] {
                        if known != wanted { return nil }
                    } else {
                        flip[w] = wanted
                        queue.append(w)
                    }
                }
            }
        }
        return variables.map { flip[$0]! }
    }
}

/// Appends circuit nodes: shared literal leaves first, smoothing gadgets on demand, then the
/// decision diagrams' nodes, children before parents.
struct CircuitBuilder {
    var nodes: [ProbabilisticCircuit.Node] = []
    private var gadgets: [Int: Int] = [:]

    init(variableCount: Int) {
        for v in 0..<variableCount {
            nodes.append(.literal(Literal(v, isPositive: true)))
            nodes.append(.literal(Literal(v, isPositive: false)))
        }
    }

    static func leaf(_ v: Int, positive: Bool) -> Int { 2 * v + (positive ? 0 : 1) }

    /// The node `λ_v + λ_¬v`, created once per variable.
    mutating func gadget(_ v: Int) -> Int {
        if let known = gadgets[v] { return known }
        nodes.append(.sum(children: [Self.leaf(v, positive: true), Self.leaf(v, positive: false)], logWeights: [0, 0]))
        gadgets[v] = nodes.count - 1
        return nodes.count - 1
    }

    /// The product of `prefix`, gadgets for the order's levels `from..<level(target)`, and the
    /// target's node; a single factor is returned as is.
    private mutating func product(_ prefix: [Int], from level: Int, to target: Int,
                                  in diagram: DecisionDiagram, map: [Int]) -> Int {
        var factors = prefix
        for skipped in level..<diagram.level(of: target) { factors.append(gadget(diagram.order[skipped])) }
        if target != DecisionDiagram.Edge.terminal { factors.append(map[target]) }
        if factors.count == 1 { return factors[0] }
        nodes.append(.product(children: factors))
        return nodes.count - 1
    }

    /// Emits one component's diagram and returns its root node (with the root edge's weight).
    mutating func emit(_ diagram: DecisionDiagram, rootEdge: DecisionDiagram.Edge) -> Int {
        var map: [Int] = []
        map.reserveCapacity(diagram.nodes.count)
        for node in diagram.nodes {
            let v = diagram.order[node.level]
            var children: [Int] = [], weights: [Double] = []
            if let high = node.high {
                children.append(product([Self.leaf(v, positive: true)], from: node.level + 1, to: high.target, in: diagram, map: map))
                weights.append(high.logWeight)
            }
            if let low = node.low {
                children.append(product([Self.leaf(v, positive: false)], from: node.level + 1, to: low.target, in: diagram, map: map))
                weights.append(low.logWeight)
            }
            nodes.append(.sum(children: children, logWeights: weights))
            map.append(nodes.count - 1)
        }
        let body = product([], from: 0, to: rootEdge.target, in: diagram, map: map)
        guard rootEdge.logWeight != 0 else { return body }
        nodes.append(.sum(children: [body], logWeights: [rootEdge.logWeight]))
        return nodes.count - 1
    }
}
