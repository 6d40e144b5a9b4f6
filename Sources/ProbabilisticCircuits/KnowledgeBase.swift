import SuretyData

/// Named Boolean variables and weighted rules over them, grouped into named circuits.
///
/// This is the input of the compiler: each named circuit `r` defines the distribution
///
///     P_r(μ) ∝ Π_j p_j^{μ_j} (1 − p_j)^{1−μ_j} · exp(Σ_{h ∈ r, soft} w_h 𝟙[μ ⊨ K_h]) · Π_{h ∈ r, hard} 𝟙[μ ⊨ K_h]
///
/// over assignments `μ ∈ {0,1}^V`, where `p` are the leaf (sensor) probabilities supplied at
/// query time (COLEP, Kang et al. ICLR 2024, eq. 1).
///
/// Creating a knowledge base validates it: every rule names declared variables, weights are
/// finite and non-negative, no rule is a tautology or a duplicate of another rule in the same
/// circuit, and the hard rules of each circuit can all hold at once. Errors are ``DataError``s
/// that point at the offending rule (its file position when it was parsed from a file).
public struct KnowledgeBase: Sendable {
    /// The circuit a rule belongs to when it names none.
    public static let defaultCircuit = "main"

    /// What a variable stands for; the compiler treats all roles alike, COLEP uses them to
    /// tell classes from concepts.
    public enum Role: String, Hashable, Sendable {
        case variable, `class`, concept
    }

    public struct Variable: Hashable, Sendable {
        public var name: String
        public var role: Role
        public init(name: String, role: Role = .variable) {
            self.name = name
            self.role = role
        }
    }

    public let variables: [Variable]
    public let rules: [Rule]
    /// Circuit names in order of first appearance among the rules.
    public let circuitNames: [String]
    private let indexByName: [String: Int]

    /// Validates and stores the variables and rules.
    ///
    /// - Throws: ``DataError`` for an invalid rule (see the type's documentation).
    public init(variables: [Variable], rules: [Rule]) throws {
        var index: [String: Int] = [:]
        for (i, v) in variables.enumerated() {
            guard KnowledgeBase.isValidName(v.name) else {
                throw DataError(file: "<variables>", line: i + 1, column: 1, seen: "variable name \(quotedName(v.name))",
                                expected: "a name of letters, digits, '_', '.' or '-'")
            }
            guard index[v.name] == nil else {
                throw DataError(file: "<variables>", line: i + 1, column: 1, seen: "a second variable named \(quotedName(v.name))",
                                expected: "unique variable names")
            }
            index[v.name] = i
        }
        guard !variables.isEmpty else {
            throw DataError(file: "<variables>", line: 1, column: 1, seen: "no variables", expected: "at least one declared variable")
        }
        self.variables = variables
        self.indexByName = index
        self.rules = rules
        var names: [String] = []
        var seenCircuits = Set<String>()
        var firstOccurrence: [ClauseKey: Int] = [:]
        for (i, rule) in rules.enumerated() {
            let at = KnowledgeBase.location(of: rule, index: i)
            for literal in rule.antecedent + rule.consequent where !(0..<variables.count).contains(literal.variable) {
                throw DataError(file: at.file, line: at.line, column: at.column, seen: "variable index \(literal.variable)",
                                expected: "an index below the \(variables.count) declared variables")
            }
            guard !rule.consequent.isEmpty || !rule.antecedent.isEmpty else {
                throw DataError(file: at.file, line: at.line, column: at.column, seen: "an empty rule", expected: "at least one literal")
            }
            if case .soft(let w) = rule.weight, !(w.isFinite && w >= 0) {
                throw DataError(file: at.file, line: at.line, column: at.column, seen: "weight \(w)",
                                expected: "a finite weight w ≥ 0, or 'hard'")
            }
            guard KnowledgeBase.isValidName(rule.circuit) else {
                throw DataError(file: at.file, line: at.line, column: at.column, seen: "circuit name \(quotedName(rule.circuit))",
                                expected: "a name of letters, digits, '_', '.' or '-'")
            }
            let clause = rule.clause
            if let v = zip(clause, clause.dropFirst()).first(where: { $0.0.variable == $0.1.variable })?.0.variable {
                throw DataError(file: at.file, line: at.line, column: at.column,
                                seen: "a rule that always holds ('\(variables[v].name)' and '!\(variables[v].name)' on the same side of the clause)",
                                expected: "a rule that some assignment violates")
            }
            let key = ClauseKey(circuit: rule.circuit, clause: clause)
            if let first = firstOccurrence[key] {
                let earlier = KnowledgeBase.location(of: rules[first], index: first)
                throw DataError(file: at.file, line: at.line, column: at.column, seen: "a duplicate of the rule on line \(earlier.line)",
                                expected: "each rule once per circuit (merge them by adding their weights)")
            }
            firstOccurrence[key] = i
            if seenCircuits.insert(rule.circuit).inserted { names.append(rule.circuit) }
        }
        self.circuitNames = names
        try checkHardRulesSatisfiable()
    }

    /// The index of the variable with this name.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The rules of one circuit, in file order.
    public func rules(inCircuit name: String) -> [Rule] { rules.filter { $0.circuit == name } }

    /// Indices of the variables of a given role, in declaration order.
    public func variables(withRole role: Role) -> [Int] {
        variables.indices.filter { variables[$0].role == role }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(isNameScalar)
    }

    static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "." || c == "-"
    }

    static func location(of rule: Rule, index: Int) -> SourceLocation {
        rule.source ?? SourceLocation(file: "<rules>", line: index + 1, column: 1)
    }

    private struct ClauseKey: Hashable {
        var circuit: String
        var clause: [Literal]
    }

    /// Throws when the hard rules of some circuit contradict each other.
    private func checkHardRulesSatisfiable() throws {
        for name in circuitNames {
            let indexed = rules.enumerated().filter { $0.element.circuit == name && $0.element.weight == .hard }
            guard !indexed.isEmpty else { continue }
            let hard = indexed.map(\.element)
            for component in Components(variableCount: variables.count, rules: hard).groups {
                let order = VariableOrder.automatic.order(of: component.variables, rules: component.rules.map { hard[$0] })
                let diagram = try DecisionDiagram(order: order, rules: component.rules.map { hard[$0] })
                guard diagram.rootEdge != nil else {
                    let culprits = component.rules.map { indexed[$0].offset }
                    let last = culprits.max()!
                    let at = KnowledgeBase.location(of: rules[last], index: last)
                    let lines = culprits.map { String(KnowledgeBase.location(of: rules[$0], index: $0).line) }.joined(separator: ", ")
                    throw DataError(file: at.file, line: at.line, column: at.column,
                                    seen: "hard rules (lines \(lines), circuit '\(name)') that no assignment satisfies together",
                                    expected: "a satisfiable set of hard rules (make one of them soft or drop it)")
                }
            }
        }
    }
}

func quotedName(_ s: String) -> String { "'\(s)'" }
