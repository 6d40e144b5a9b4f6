import SuretyNumerics

/// How the compiler orders the variables of each connected component before Shannon expansion.
///
/// The order changes only the size of the compiled circuit, never its answers.
public enum VariableOrder: Sendable, Hashable {
    /// Reverse Cuthill–McKee-style breadth-first order on the variable–rule graph, started at a
    /// least-connected variable: keeps chains and stars (COLEP's `class ⇒ concept` parts) at
    /// width one or two.
    case automatic
    /// Declaration order.
    case declaration
    /// The given permutation of all variable indices (each component uses its own variables in
    /// this order).
    case explicit([Int])

    /// The order of `variables` (one component) under this strategy.
    func order(of variables: [Int], rules: [Rule]) -> [Int] {
        switch self {
        case .declaration:
            return variables.sorted()
        case .explicit(let permutation):
            let members = Set(variables)
            return permutation.filter(members.contains)
        case .automatic:
            var neighbours: [Int: Set<Int>] = [:]
            for v in variables { neighbours[v] = [] }
            for rule in rules {
                let vs = rule.clause.map(\.variable)
                for a in vs { for b in vs where a != b { neighbours[a]!.insert(b) } }
            }
            let byDegree = variables.sorted { (neighbours[$0]!.count, $0) < (neighbours[$1]!.count, $1) }
            var placed = Set<Int>()
            var order: [Int] = []
            for start in byDegree where !placed.contains(start) {
                var queue = [start]
                placed.insert(start)
                var head = 0
                while head < queue.count {
                    let v = queue[head]
                    head += 1
                    order.append(v)
                    let next = neighbours[v]!.filter { !placed.contains($0) }
                        .sorted { (neighbours[$0]!.count, $0) < (neighbours[$1]!.count, $1) }
                    for w in next {
                        placed.insert(w)
                        queue.append(w)
                    }
                }
            }
            return order
        }
    }
}

/// Connected components of the variable–rule graph (variables that share a rule are linked).
/// Only variables that occur in some rule are listed.
struct Components {
    struct Group {
        /// Variable indices, ascending.
        var variables: [Int]
        /// Indices into the rule list given to `init`, ascending.
        var rules: [Int]
    }

    let groups: [Group]

    init(variableCount: Int, rules: [Rule]) {
        var parent = Array(0..<variableCount)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        var used = [Bool](repeating: false, count: variableCount)
        for rule in rules {
            let vs = rule.clause.map(\.variable)
            for v in vs { used[v] = true }
            for v in vs.dropFirst() {
                let a = find(vs[0]), b = find(v)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var groupOfRoot: [Int: Int] = [:]
        var groups: [Group] = []
        for v in 0..<variableCount where used[v] {
            let r = find(v)
            if groupOfRoot[r] == nil {
                groupOfRoot[r] = groups.count
                groups.append(Group(variables: [], rules: []))
            }
            groups[groupOfRoot[r]!].variables.append(v)
        }
        for (i, rule) in rules.enumerated() {
            groups[groupOfRoot[find(rule.clause[0].variable)]!].rules.append(i)
        }
        self.groups = groups
    }
}

/// A reduced, ordered, edge-weighted decision diagram of one component's factor
///
///     f(μ) = exp(Σ_{soft h} w_h 𝟙[μ ⊨ K_h]) · Π_{hard h} 𝟙[μ ⊨ K_h],
///
/// built by Shannon expansion level by level (no recursion, no truth table). The state after
/// assigning the first `i` variables of the order is the set of started, not yet satisfied
/// rules; two prefixes with the same state have the same residual function, so they share a
/// node (the computed table). Equal (level, children, weights) triples are merged through a
/// unique table, and a test whose two edges agree is skipped (the reduction rule). Edge weights
/// are in log space; a missing edge is a branch that violates a hard rule.
struct DecisionDiagram {
    struct Edge: Hashable {
        /// Node index, or `terminal`.
        var target: Int
        var logWeight: Double
        static let terminal = -1
    }

    struct Node {
        /// Position in `order` of the variable this node tests.
        var level: Int
        var high: Edge?
        var low: Edge?
    }

    /// The variable order (global variable indices).
    let order: [Int]
    /// Nodes, children before parents.
    private(set) var nodes: [Node] = []
    /// The whole function; `nil` when every assignment violates a hard rule.
    private(set) var rootEdge: Edge?

    /// The level a target sits at (`order.count` for the terminal).
    func level(of target: Int) -> Int { target == Edge.terminal ? order.count : nodes[target].level }

    /// Largest number of distinct states allowed at one level before compilation gives up.
    static let defaultStateLimit = CompilationOptions().stateLimit

    init(order: [Int], rules: [Rule], stateLimit: Int = DecisionDiagram.defaultStateLimit) throws {
        self.order = order
        let n = order.count
        var levelOf: [Int: Int] = [:]
        for (i, v) in order.enumerated() { levelOf[v] = i }

        // Per rule: literal polarity at each level it touches, first and last level, weight.
        let r = rules.count
        var first = [Int](repeating: 0, count: r), last = [Int](repeating: 0, count: r)
        var logWeight = [Double?](repeating: nil, count: r)
        var rulesAt = [[(rule: Int32, positive: Bool)]](repeating: [], count: n)
        for (h, rule) in rules.enumerated() {
            let literals = rule.clause.map { (level: levelOf[$0.variable]!, positive: $0.isPositive) }.sorted { $0.level < $1.level }
            first[h] = literals.first!.level
            last[h] = literals.last!.level
            if case .soft(let w) = rule.weight { logWeight[h] = w }
            for l in literals { rulesAt[l.level].append((Int32(h), l.positive)) }
        }

        // Forward: states per level and their transitions.
        typealias Transition = (state: Int, logWeight: Double)
        var states: [[Int32]] = [[]]
        var transitions: [[(high: Transition?, low: Transition?)]] = []
        var stamp = [Int](repeating: -1, count: r)
        var tick = 0
        for i in 0..<n {
            var nextIndex: [[Int32]: Int] = [:]
            var nextStates: [[Int32]] = []
            var here: [(high: Transition?, low: Transition?)] = []
            here.reserveCapacity(states.count)
            for state in states {
                var pair: (high: Transition?, low: Transition?) = (nil, nil)
                for value in [true, false] {
                    tick += 1
                    var w = 0.0
                    var dead = false
                    var started: [Int32] = []
                    for (h, positive) in rulesAt[i] {
                        let rule = Int(h)
                        let pending = first[rule] == i || state.sortedContains(h)
                        guard pending else { continue }
                        if positive == value {
                            w += logWeight[rule] ?? 0
                            stamp[rule] = tick
                        } else if last[rule] == i {
                            if logWeight[rule] == nil { dead = true; break }
                            stamp[rule] = tick
                        } else if first[rule] == i {
                            started.append(h)
                        }
                    }
                    if dead { continue }
                    var next = state.filter { stamp[Int($0)] != tick }
                    if !started.isEmpty {
                        next.append(contentsOf: started)
                        next.sort()
                    }
                    let index = try interned(next, in: &nextIndex) {
                        nextStates.append(next)
                        guard nextStates.count <= stateLimit else {
                            throw NumericsError.domain(
                                function: "circuit compilation", value: "more than \(stateLimit) distinct states at variable \(i + 1) of \(n) of one component",
                                expected: "rules whose interaction graph has small width in the chosen order (try another VariableOrder or split the rules)")
                        }
                    }
                    if value { pair.high = (index, w) } else { pair.low = (index, w) }
                }
                here.append(pair)
            }
            transitions.append(here)
            states = nextStates
        }

        // Backward: reduce and hash-cons, children before parents.
        var reduced: [Edge?] = [Edge(target: Edge.terminal, logWeight: 0)]   // the single final state
        struct Key: Hashable { var level: Int; var high: Edge?; var low: Edge? }
        var unique: [Key: Int] = [:]
        for i in stride(from: n - 1, through: 0, by: -1) {
            reduced = transitions[i].map { pair -> Edge? in
                let high = pair.high.flatMap { t in reduced[t.state].map { Edge(target: $0.target, logWeight: $0.logWeight + t.logWeight) } }
                let low = pair.low.flatMap { t in reduced[t.state].map { Edge(target: $0.target, logWeight: $0.logWeight + t.logWeight) } }
                switch (high, low) {
                case (nil, nil):
                    return nil
                case let (h?, l?) where h == l:
                    return h
                default:
                    // Factor the low edge's weight (or the high one's) out, so that residual
                    // functions that differ by a constant share a node.
                    let shift = low?.logWeight ?? high!.logWeight
                    let key = Key(level: i,
                                  high: high.map { Edge(target: $0.target, logWeight: $0.logWeight - shift) },
                                  low: low.map { Edge(target: $0.target, logWeight: $0.logWeight - shift) })
                    let index = interned(key, in: &unique) { nodes.append(Node(level: i, high: key.high, low: key.low)) }
                    return Edge(target: index, logWeight: shift)
                }
            }
        }
        rootEdge = reduced[0]
    }
}

/// The index of `key` in `table`; a new key gets the next index (`table.count`) and `added`
/// runs, so that a parallel array can append the key's payload at that same index.
func interned<Key: Hashable>(_ key: Key, in table: inout [Key: Int], added: () throws -> Void) rethrows -> Int {
    if let known = table[key] { return known }
    let index = table.count
    table[key] = index
    try added()
    return index
}

extension Array where Element == Int32 {
    /// Binary search in an ascending array.
    func sortedContains(_ x: Int32) -> Bool {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == x
    }
}
