/// A Boolean variable or its negation, by the variable's index in a ``KnowledgeBase``.
public struct Literal: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Index of the variable (0-based, in declaration order).
    public var variable: Int
    /// `true` for `x`, `false` for `!x`.
    public var isPositive: Bool

    public init(_ variable: Int, isPositive: Bool = true) {
        self.variable = variable
        self.isPositive = isPositive
    }

    /// The complementary literal.
    public var negated: Literal { Literal(variable, isPositive: !isPositive) }

    /// Whether an assignment (`true` = variable is 1) makes this literal true.
    public func holds(_ value: Bool) -> Bool { value == isPositive }

    public static func < (a: Literal, b: Literal) -> Bool {
        (a.variable, a.isPositive ? 1 : 0) < (b.variable, b.isPositive ? 1 : 0)
    }

    public var description: String { (isPositive ? "" : "!") + "x\(variable)" }
}

/// How strongly a rule is enforced.
public enum RuleWeight: Hashable, Sendable, CustomStringConvertible {
    /// A soft rule with weight `w ≥ 0`: every assignment that satisfies it gets the factor `e^w`.
    case soft(Double)
    /// A hard rule: assignments that violate it get probability zero.
    case hard

    public var description: String {
        switch self {
        case .soft(let w): return "w=\(w)"
        case .hard: return "w=hard"
        }
    }
}

/// A weighted propositional rule `a₁ ∧ … ∧ a_k ⇒ b₁ ∨ … ∨ b_m` over literals, belonging to one
/// named circuit (one of COLEP's "PCs").
///
/// A plain clause `b₁ ∨ … ∨ b_m` has an empty antecedent. Logically the rule is the clause
/// `¬a₁ ∨ … ∨ ¬a_k ∨ b₁ ∨ … ∨ b_m`; the antecedent/consequent split is kept only to print the
/// rule as it was written.
public struct Rule: Hashable, Sendable {
    /// Conjunction of literals on the left of `=>` (empty for a clause).
    public var antecedent: [Literal]
    /// Disjunction of literals on the right of `=>` (the whole clause when `antecedent` is empty).
    public var consequent: [Literal]
    public var weight: RuleWeight
    /// Name of the circuit (PC) this rule belongs to.
    public var circuit: String
    /// Where the rule was read from, for error messages; `nil` for rules built in code.
    public var source: SourceLocation?

    public init(antecedent: [Literal] = [], consequent: [Literal], weight: RuleWeight,
                circuit: String = KnowledgeBase.defaultCircuit, source: SourceLocation? = nil) {
        self.antecedent = antecedent
        self.consequent = consequent
        self.weight = weight
        self.circuit = circuit
        self.source = source
    }

    /// The rule as one clause, literals sorted by variable, duplicates removed.
    public var clause: [Literal] {
        Array(Set(antecedent.map(\.negated) + consequent)).sorted()
    }

    /// Whether the assignment (indexed by variable) satisfies the rule.
    public func isSatisfied(by assignment: [Bool]) -> Bool {
        antecedent.contains { !$0.holds(assignment[$0.variable]) } || consequent.contains { $0.holds(assignment[$0.variable]) }
    }
}

/// A position in a rules file (1-based line and column; the column counts characters).
public struct SourceLocation: Hashable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}
