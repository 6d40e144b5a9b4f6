import Foundation
import SuretyNumerics
import Testing
@testable import ProbabilisticCircuits

/// Compilation stays small on wide-but-thin rule sets, answers do not depend on the variable
/// order, and the validators catch each kind of broken circuit.
@Suite struct CompilerTests {
    static func chain(_ n: Int, weight: Double) throws -> KnowledgeBase {
        let names = (0..<n).map { "x\($0)" }
        let rules = (1..<n).map { "x\($0 - 1) => x\($0)  w=\(weight)" }
        return try KnowledgeBase.parse("variables: \(names.joined(separator: " "))\n" + rules.joined(separator: "\n"))
    }

    /// Marginals of the chain `x0 ⇒ x1 ⇒ … ⇒ x_{n−1}` by 2×2 transfer matrices (forward–backward).
    static func chainMarginals(_ p: [Double], weight w: Double) -> (logZ: Double, marginals: [Double]) {
        let n = p.count
        func leaf(_ i: Int, _ v: Int) -> Double { v == 1 ? p[i] : 1 - p[i] }
        func factor(_ a: Int, _ b: Int) -> Double { a == 1 && b == 0 ? 1 : exp(w) }
        var forward = [[Double]](repeating: [0, 0], count: n), backward = forward
        forward[0] = [leaf(0, 0), leaf(0, 1)]
        for i in 1..<n {
            for b in 0...1 { forward[i][b] = leaf(i, b) * (0...1).reduce(0) { $0 + forward[i - 1][$1] * factor($1, b) } }
        }
        backward[n - 1] = [1, 1]
        for i in stride(from: n - 2, through: 0, by: -1) {
            for a in 0...1 { backward[i][a] = (0...1).reduce(0) { $0 + factor(a, $1) * leaf(i + 1, $1) * backward[i + 1][$1] } }
        }
        let z = forward[n - 1][0] + forward[n - 1][1]
        return (log(z), (0..<n).map { forward[$0][1] * backward[$0][1] / z })
    }

    /// A 40-variable chain compiles to a circuit linear in its length (a truth table would
    /// have 2^40 rows), is smooth, decomposable and deterministic, and its marginals match
    /// forward–backward. (Compile time is measured in Benchmarks/, not asserted here.)
    @Test func fortyVariableChain() throws {
        let kb = try Self.chain(40, weight: 0.7)
        let circuit = try kb.compile(circuit: "main")
        #expect(circuit.nodes.count < 8 * 40)
        let report = circuit.validate()
        #expect(report.isValid, "\(report.problems)")
        var rng = RandomStream(seed: 11)
        let p = (0..<40).map { _ in rng.nextUniform() }
        let m = try circuit.marginals(probabilities: try Matrix([p]))
        let reference = Self.chainMarginals(p, weight: 0.7)
        #expect(abs(m.logPartition[0] - reference.logZ) < 1e-12 * abs(reference.logZ))
        for j in 0..<40 { #expect(abs(m.marginals[0, j] - reference.marginals[j]) < 1e-12 * reference.marginals[j]) }
    }

    /// The order changes the circuit, never the answers.
    @Test func answersDoNotDependOnTheOrder() throws {
        let kb = try Self.chain(12, weight: 1.3)
        var rng = RandomStream(seed: 5)
        let p = try Matrix((0..<3).map { _ in (0..<12).map { _ in rng.nextUniform() } })
        let base = try kb.compile(circuit: "main").marginals(probabilities: p)
        var shuffled = Array(0..<12)
        shuffled.shuffle(using: &rng)
        for order in [VariableOrder.declaration, .explicit(Array((0..<12).reversed())), .explicit(shuffled)] {
            let other = try kb.compile(circuit: "main", options: CompilationOptions(order: order))
            #expect(other.validate().isValid)
            let m = try other.marginals(probabilities: p)
            for k in 0..<36 { #expect(abs(m.marginals.storage[k] - base.marginals.storage[k]) < 1e-13) }
        }
        #expect(throws: NumericsError.self) { try kb.compile(circuit: "main", options: CompilationOptions(order: .explicit([0, 1]))) }
        #expect(throws: NumericsError.self) { try kb.compile(circuit: "nope") }
    }

    /// A component too entangled for the state limit fails with an error, not by exhausting memory.
    @Test func stateLimitIsAnError() throws {
        let n = 12
        var text = "variables: " + (0..<n).map { "v\($0)" }.joined(separator: " ") + "\n"
        for i in 0..<n { for j in (i + 1)..<n { text += "v\(i) | v\(j)  w=1\n" } }
        let kb = try KnowledgeBase.parse(text)
        #expect(throws: NumericsError.self) { try kb.compile(circuit: "main", options: CompilationOptions(stateLimit: 4)) }
        #expect(try kb.compile(circuit: "main").validate().isValid)
    }

    /// Monotone orientation: attractive implications, sign-balanced rules, and what breaks it.
    @Test func monotoneOrientation() throws {
        func orientation(_ rules: String) throws -> [Bool]? {
            try KnowledgeBase.parse("variables: a b c\n" + rules).compile(circuit: "main").components.first?.monotoneOrientation
        }
        #expect(try orientation("a => b  w=1\nb => c  w=hard") == [false, false, false])
        #expect(try orientation("a => !b  w=1\nb => c  w=1") == [false, true, true])
        #expect(try orientation("a | b  w=1\nb => c  w=1") == [false, true, true])
        #expect(try orientation("a => b  w=1\nb => !c  w=1\nc => a  w=1") == nil)     // odd cycle of signs
        #expect(try orientation("a & b => c  w=1") == nil)                            // three literals
        #expect(try orientation("a & b => c  w=0\na => b  w=1") == [false, false, false])   // zero weight says nothing
    }

    // MARK: Validators on hand-built circuits

    static let a = Literal(0), notA = Literal(0, isPositive: false), b = Literal(1), notB = Literal(1, isPositive: false)

    @Test func validatorFindsNonDeterminism() throws {
        // (a · (b + ¬b)) + (a · b): smooth and decomposable, but both children hold at a = b = 1.
        let circuit = try ProbabilisticCircuit(variableCount: 2, nodes: [
            .literal(Self.a), .literal(Self.notA), .literal(Self.b), .literal(Self.notB),
            .sum(children: [2, 3], logWeights: [0, 0]),
            .product(children: [0, 4]), .product(children: [0, 2]),
            .sum(children: [5, 6], logWeights: [0, 0]),
        ])
        let report = circuit.validate()
        #expect(report.isSmooth && report.isDecomposable && report.coversAllVariables)
        #expect(!report.isDeterministic)
        #expect(report.problems.map(\.node) == [7])
        #expect(report.problems[0].detail.contains("x0=1 x1=1"))
    }

    @Test func validatorProvesDeterminismWithoutASeparatingLiteral() throws {
        // (a ⇔ b) + (a ⊕ b): no literal separates the children, enumeration shows they never overlap.
        let circuit = try ProbabilisticCircuit(variableCount: 2, nodes: [
            .literal(Self.a), .literal(Self.notA), .literal(Self.b), .literal(Self.notB),
            .product(children: [0, 2]), .product(children: [1, 3]), .sum(children: [4, 5], logWeights: [0, 0]),
            .product(children: [0, 3]), .product(children: [1, 2]), .sum(children: [7, 8], logWeights: [0, 0]),
            .sum(children: [6, 9], logWeights: [0.5, -0.5]),
        ])
        #expect(circuit.validate().isValid)
    }

    @Test func constructorRejectsCircuitsThatWouldGiveWrongMarginals() {
        let nodes: [[ProbabilisticCircuit.Node]] = [
            [.literal(Self.a), .literal(Self.b), .sum(children: [0, 1], logWeights: [0, 0])],          // not smooth
            [.literal(Self.a), .literal(Self.notA), .literal(Self.b), .product(children: [0, 1, 2])],  // not decomposable
            [.literal(Self.a), .literal(Self.notA), .sum(children: [0, 1], logWeights: [0, 0])],       // misses variable 1
            [.literal(Self.a), .product(children: [2]), .literal(Self.b)],                              // child after parent
            [.literal(Self.a), .literal(Self.a), .product(children: [0, 1])],                           // repeated leaf
            [.literal(Self.a), .sum(children: [0], logWeights: [.infinity])],                           // infinite weight
            [.literal(Literal(5))],                                                                     // unknown variable
            [],
        ]
        for n in nodes {
            #expect(throws: NumericsError.self) { try ProbabilisticCircuit(variableCount: 2, nodes: n) }
        }
    }

    @Test func queriesCheckTheirArguments() throws {
        let circuit = try Self.chain(3, weight: 1).compile(circuit: "main")
        #expect(throws: NumericsError.self) { try circuit.marginals(probabilities: try Matrix([[0.5, 0.5]])) }
        #expect(throws: NumericsError.self) { try circuit.marginals(probabilities: try Matrix([[0.5, 1.5, 0.1]])) }
        #expect(throws: NumericsError.self) { try circuit.marginals(probabilities: try Matrix([[0.5, .nan, 0.1]])) }
        #expect(throws: NumericsError.self) { try circuit.marginals(probabilities: try Matrix([[0.5, 0.5, 0.1]]), evidence: [3: true]) }
        #expect(throws: NumericsError.self) {
            try circuit.marginalBounds(lower: try Matrix([[0.5, 0.5, 0.2]]), upper: try Matrix([[0.6, 0.6, 0.1]]))
        }
        let tangled = try KnowledgeBase.parse("variables: a b c\na & b => c  w=1").compile(circuit: "main")
        let box = try Matrix([[0.2, 0.3, 0.4]])
        #expect(throws: NumericsError.self) { try tangled.marginalBounds(lower: box, upper: box, method: .monotone) }
        #expect(throws: NumericsError.self) { try tangled.marginalBounds(lower: box, upper: box, method: .vertexEnumeration(limit: 2)) }
        // A degenerate box is a point: every method returns the marginals there.
        let point = try tangled.marginals(probabilities: box).marginals
        for method in [BoundMethod.automatic(), .vertexEnumeration(), .decoupled] {
            let bounds = try tangled.marginalBounds(lower: box, upper: box, method: method)
            for j in 0..<3 {
                #expect(abs(bounds.lower[0, j] - point[0, j]) < 1e-14)
                #expect(abs(bounds.upper[0, j] - point[0, j]) < 1e-14)
            }
        }
    }
}
