/// The variable sets (scopes) of all nodes of a circuit, as bit sets.
struct CircuitScopes {
    let words: Int
    private(set) var bits: [UInt64]

    init(nodes: [ProbabilisticCircuit.Node], variableCount: Int) {
        words = max(1, (variableCount + 63) / 64)
        bits = [UInt64](repeating: 0, count: nodes.count * words)
        for (n, node) in nodes.enumerated() {
            switch node {
            case .literal(let l):
                bits[n * words + l.variable / 64] |= 1 << UInt64(l.variable % 64)
            case .sum(let cs, _), .product(let cs):
                for c in cs where c < n {
                    for w in 0..<words { bits[n * words + w] |= bits[c * words + w] }
                }
            }
        }
    }

    func scope(of n: Int) -> ArraySlice<UInt64> { bits[(n * words)..<((n + 1) * words)] }

    func variables(of n: Int) -> [Int] {
        var out: [Int] = []
        for (w, word) in scope(of: n).enumerated() {
            var x = word
            while x != 0 {
                out.append(w * 64 + x.trailingZeroBitCount)
                x &= x - 1
            }
        }
        return out
    }
}

/// The outcome of ``ProbabilisticCircuit/validate()``.
public struct CircuitValidation: Sendable {
    public enum Property: String, Sendable {
        /// Children of a sum mention the same variables.
        case smoothness
        /// Children of a product mention disjoint variables.
        case decomposability
        /// At most one child of a sum is non-zero under any assignment.
        case determinism
        /// The root mentions every variable.
        case coverage
    }

    public struct Problem: Sendable, CustomStringConvertible {
        public var property: Property
        /// The offending node.
        public var node: Int
        public var detail: String
        public var description: String { "\(property.rawValue) fails at node \(node): \(detail)" }
    }

    /// Every violation found (empty for a valid circuit).
    public var problems: [Problem]
    /// Sum nodes whose determinism could be neither proved by a separating literal nor checked
    /// exhaustively (scope larger than ``ProbabilisticCircuit/exhaustiveDeterminismLimit``).
    public var unverifiedSums: [Int]

    public var isSmooth: Bool { !problems.contains { $0.property == .smoothness } }
    public var isDecomposable: Bool { !problems.contains { $0.property == .decomposability } }
    /// `true` only when determinism was verified at every sum node.
    public var isDeterministic: Bool { !problems.contains { $0.property == .determinism } && unverifiedSums.isEmpty }
    public var coversAllVariables: Bool { !problems.contains { $0.property == .coverage } }
    public var isValid: Bool { problems.isEmpty && unverifiedSums.isEmpty }
}

extension ProbabilisticCircuit {
    /// Sum nodes whose children cannot be told apart by a literal are checked by enumerating
    /// their scope's assignments when the scope has at most this many variables.
    public static let exhaustiveDeterminismLimit = 16

    /// Checks smoothness, decomposability, determinism and root coverage.
    ///
    /// Smoothness, decomposability and coverage are decided exactly from the node scopes.
    /// Determinism is proved at a sum node when every pair of children has a literal that
    /// one child forces and the other forces false (the shape compiled circuits have);
    /// otherwise it is decided by enumerating the assignments of the node's scope when that
    /// has at most ``exhaustiveDeterminismLimit`` variables, and reported as unverified
    /// beyond (deciding it in general is coNP-hard).
    public func validate() -> CircuitValidation {
        let scopes = CircuitScopes(nodes: nodes, variableCount: variableCount)
        let words = scopes.words
        var problems: [CircuitValidation.Problem] = []
        var unverified: [Int] = []
        // Literals every model of a node must contain (sum: intersection, product: union).
        var forcedTrue = [UInt64](repeating: 0, count: nodes.count * words)
        var forcedFalse = [UInt64](repeating: 0, count: nodes.count * words)
        for (n, node) in nodes.enumerated() {
            let range = (n * words)..<((n + 1) * words)
            switch node {
            case .literal(let l):
                let bit: UInt64 = 1 << UInt64(l.variable % 64)
                if l.isPositive { forcedTrue[n * words + l.variable / 64] = bit } else { forcedFalse[n * words + l.variable / 64] = bit }
            case .product(let cs):
                var union = [UInt64](repeating: 0, count: words)
                for c in cs {
                    for w in 0..<words {
                        let s = scopes.bits[c * words + w]
                        if union[w] & s != 0 {
                            let shared = (union[w] & s).trailingZeroBitCount + 64 * w
                            problems.append(.init(property: .decomposability, node: n,
                                                  detail: "child \(c) shares variable \(shared) with an earlier child"))
                        }
                        union[w] |= s
                        forcedTrue[n * words + w] |= forcedTrue[c * words + w]
                        forcedFalse[n * words + w] |= forcedFalse[c * words + w]
                    }
                }
            case .sum(let cs, _):
                for w in 0..<words {
                    forcedTrue[n * words + w] = cs.reduce(~0) { $0 & forcedTrue[$1 * words + w] }
                    forcedFalse[n * words + w] = cs.reduce(~0) { $0 & forcedFalse[$1 * words + w] }
                }
                for c in cs where Array(scopes.scope(of: c)) != Array(scopes.bits[range]) {
                    problems.append(.init(property: .smoothness, node: n,
                                          detail: "child \(c) mentions variables \(scopes.variables(of: c)) but the sum mentions \(scopes.variables(of: n))"))
                }
                var separated = true
                pairs: for a in cs.indices {
                    for b in cs.indices where b > a {
                        let x = cs[a], y = cs[b]
                        let split = (0..<words).contains { w in
                            (forcedTrue[x * words + w] & forcedFalse[y * words + w]) | (forcedFalse[x * words + w] & forcedTrue[y * words + w]) != 0
                        }
                        if !split { separated = false; break pairs }
                    }
                }
                if !separated {
                    let vars = scopes.variables(of: n)
                    if vars.count <= Self.exhaustiveDeterminismLimit {
                        if let witness = overlappingAssignment(sum: n, children: cs, variables: vars) {
                            problems.append(.init(property: .determinism, node: n,
                                                  detail: "two children are non-zero at the assignment \(witness)"))
                        }
                    } else {
                        unverified.append(n)
                    }
                }
            }
        }
        let all = (0..<variableCount).filter { v in scopes.bits[root * words + v / 64] & (1 << UInt64(v % 64)) != 0 }
        if all.count != variableCount {
            let missing = Set(0..<variableCount).subtracting(all).sorted()
            problems.append(.init(property: .coverage, node: root, detail: "the root does not mention variables \(missing)"))
        }
        return CircuitValidation(problems: problems, unverifiedSums: unverified)
    }

    /// An assignment of `variables` under which two children of sum `n` are non-zero, if any.
    private func overlappingAssignment(sum n: Int, children cs: [Int], variables: [Int]) -> String? {
        var below = [Bool](repeating: false, count: n + 1)
        below[n] = true
        for m in stride(from: n, through: 0, by: -1) where below[m] {
            switch nodes[m] {
            case .literal: break
            case .sum(let xs, _), .product(let xs): for x in xs { below[x] = true }
            }
        }
        var value = [Bool](repeating: false, count: variableCount)
        var support = [Bool](repeating: false, count: n + 1)
        for code in 0..<(1 << variables.count) {
            for (k, v) in variables.enumerated() { value[v] = code >> k & 1 == 1 }
            for m in 0...n where below[m] {
                switch nodes[m] {
                case .literal(let l): support[m] = l.holds(value[l.variable])
                case .sum(let xs, _): support[m] = xs.contains { support[$0] }
                case .product(let xs): support[m] = xs.allSatisfy { support[$0] }
                }
            }
            if cs.filter({ support[$0] }).count > 1 {
                return variables.map { "x\($0)=\(value[$0] ? 1 : 0)" }.joined(separator: " ")
            }
        }
        return nil
    }
}
