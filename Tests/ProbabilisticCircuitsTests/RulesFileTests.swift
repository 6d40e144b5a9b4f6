import Foundation
import SuretyData
import SuretyNumerics
import Testing
@testable import ProbabilisticCircuits

/// The rules file format: what it accepts, and the located error for each kind of mistake.
@Suite struct RulesFileTests {
    @Test func parsesEveryRuleForm() throws {
        let kb = try KnowledgeBase.parse("""
            # traffic signs
            classes:  stop, yield
            concepts: octagon triangle red
            stop => octagon            w=1.5   pc=shape   # preventive knowledge
            octagon => stop            w=0.5   pc=shape
            stop & yield => red        w=hard  pc=color
            stop => !triangle          w=2
            octagon | triangle         w=0.25  pc=shape
            red                        w=1
            """, file: "signs.rules")
        #expect(kb.variables.map(\.name) == ["stop", "yield", "octagon", "triangle", "red"])
        #expect(kb.variables(withRole: .class) == [0, 1])
        #expect(kb.variables(withRole: .concept) == [2, 3, 4])
        #expect(kb.circuitNames == ["shape", "color", "main"])
        #expect(kb.rules.count == 6)
        #expect(kb.rules[2].antecedent == [Literal(0), Literal(1)])
        #expect(kb.rules[2].consequent == [Literal(4)])
        #expect(kb.rules[2].weight == .hard)
        #expect(kb.rules[3].consequent == [Literal(3, isPositive: false)])
        #expect(kb.rules[4].antecedent.isEmpty && kb.rules[4].consequent == [Literal(2), Literal(3)])
        #expect(kb.rules[5].consequent == [Literal(4)] && kb.rules[5].weight == .soft(1))
        #expect(kb.rules[0].source == SourceLocation(file: "signs.rules", line: 4, column: 1))
        // The printed form parses back to the same rules.
        let again = try KnowledgeBase.parse(kb.rulesText)
        #expect(again.variables == kb.variables)
        #expect(again.rules.map(\.clause) == kb.rules.map(\.clause))
        #expect(again.rules.map(\.weight) == kb.rules.map(\.weight))
        #expect(again.rules.map(\.circuit) == kb.rules.map(\.circuit))
    }

    /// Each malformed input and the exact position and wording of its error.
    @Test(arguments: [
        ("variables: a b\na => c  w=1", 2, 6, "unknown variable 'c'"),
        ("variables: a b\na => b  w=1\nb | !a  w=2", 3, 1, "a duplicate of the rule on line 2"),
        ("variables: a b\na => b  w=1 pc=x\n!a | b  w=2 pc=x", 3, 1, "a duplicate of the rule on line 2"),
        ("variables: a b\na => b  w=-1", 2, 11, "weight '-1'"),
        ("variables: a b\na => b  w=nan", 2, 11, "weight 'nan'"),
        ("variables: a b\na => b  w=inf", 2, 11, "weight 'inf'"),
        ("variables: a b\na => b", 2, 7, "no weight"),
        ("variables: a b\na => b w=1 w=2", 2, 12, "a second 'w='"),
        ("variables: a b\na => b w=1 size=2", 2, 12, "attribute 'size='"),
        ("variables: a b\na | b => a  w=1", 2, 7, "'|' left of '=>'"),
        ("variables: a b c\na => b & c  w=1", 2, 13, "'&' right of '=>'"),
        ("variables: a b\na & b  w=1", 2, 8, "a conjunction without '=>'"),
        ("variables: a b\na => => b  w=1", 2, 6, "'=>'"),
        ("variables: a b\na =>   w=1", 2, 8, "an attribute"),
        ("variables: a b\na b  w=1", 2, 3, "another literal"),
        ("variables: a b\na => b  w=1 pc=", 2, 16, "circuit name ''"),
        ("variables: a b\na => a  w=1", 2, 1, "a rule that always holds"),
        ("variables: a b\na => $b  w=1", 2, 6, "'$b  w=1'"),
        ("variables: a a", 1, 14, "'a' declared a second time"),
        ("variables:", 1, 11, "no names after 'variables:'"),
        ("colours: red", 1, 1, "'colours:'"),
        ("variables: a b\na => b  w=hard\nb => !a  w=hard\na  w=hard", 4, 1, "hard rules (lines 2, 3, 4, circuit 'main')"),
        ("variables: a b c\na  w=hard\na => b  w=hard\nb => c  w=hard\n!c  w=hard pc=main", 5, 1, "hard rules (lines 2, 3, 4, 5, circuit 'main')"),
    ])
    func locatesErrors(text: String, line: Int, column: Int, seen: String) throws {
        do {
            _ = try KnowledgeBase.parse(text, file: "k.rules")
            Issue.record("accepted: \(text)")
        } catch let error as DataError {
            #expect(error.file == "k.rules")
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.seen.contains(seen), "\(error)")
            #expect(!error.expected.isEmpty)
        }
    }

    /// Hard rules that are satisfiable together are accepted even when they chain; the same
    /// contradiction split over two circuits is fine (each circuit is its own model).
    @Test func satisfiableHardRules() throws {
        _ = try KnowledgeBase.parse("variables: a b c\na => b  w=hard\nb => c  w=hard\n!c  w=hard")
        _ = try KnowledgeBase.parse("variables: a\na  w=hard  pc=one\n!a  w=hard  pc=two")
    }

    @Test func readsFilesAndReportsMissingOnes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("surety-\(UUID().uuidString).rules")
        defer { try? FileManager.default.removeItem(at: url) }
        try "variables: a b\r\na => b  w=1\r\n".write(to: url, atomically: true, encoding: .utf8)
        let kb = try KnowledgeBase(contentsOf: url)
        #expect(kb.rules.count == 1)
        #expect(throws: DataError.self) { try KnowledgeBase(contentsOf: url.appendingPathExtension("missing")) }
    }

    /// Rules built in code are validated the same way, located by their index.
    @Test func validatesRulesBuiltInCode() throws {
        let vars = [KnowledgeBase.Variable(name: "a"), KnowledgeBase.Variable(name: "b")]
        #expect(throws: DataError.self) { try KnowledgeBase(variables: vars, rules: [Rule(consequent: [Literal(2)], weight: .soft(1))]) }
        #expect(throws: DataError.self) { try KnowledgeBase(variables: vars, rules: [Rule(consequent: [Literal(0)], weight: .soft(.infinity))]) }
        #expect(throws: DataError.self) { try KnowledgeBase(variables: vars + vars, rules: []) }
        #expect(throws: DataError.self) { try KnowledgeBase(variables: [], rules: []) }
    }

    /// The module README's example, as written.
    @Test func readmeExample() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("signs-\(UUID().uuidString).rules")
        defer { try? FileManager.default.removeItem(at: url) }
        try """
            # one item per line; '#' starts a comment
            classes:  stop yield
            concepts: octagon triangle
            stop => octagon            w=1.5   pc=shape
            yield => triangle          w=1.5   pc=shape
            stop & yield => octagon    w=hard  pc=shape
            stop => !triangle          w=2
            octagon | triangle         w=0.5   pc=shape
            """.write(to: url, atomically: true, encoding: .utf8)
        let knowledge = try KnowledgeBase(contentsOf: url)
        let shape = try knowledge.compile(circuit: "shape")
        let p = try Matrix([[0.9, 0.05, 0.02, 0.3]])
        let result = try shape.marginals(probabilities: p)
        let given = try shape.marginals(probabilities: p, evidence: [knowledge.index(of: "octagon")!: true])
        #expect(given.marginals[0, 2] == 1)
        let low = try Matrix([[0.85, 0.0, 0.0, 0.25]]), high = try Matrix([[0.95, 0.1, 0.05, 0.35]])
        let box = try shape.marginalBounds(lower: low, upper: high)
        #expect(box.kinds == [BoundKind](repeating: .exactByVertexEnumeration, count: 4))
        for j in 0..<4 { #expect(box.lower[0, j] <= result.marginals[0, j] && result.marginals[0, j] <= box.upper[0, j]) }
    }
}
