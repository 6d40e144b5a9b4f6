import Foundation
import SuretyNumerics
import Testing
@testable import ProbabilisticCircuits

/// Hand-checkable cases and the test vectors of the COLEP spec (§1.3, §3.2).
@Suite struct KnownValueTests {
    /// The paper's sanity example: a fooled stop-sign sensor (0.9) and an octagon detector that
    /// says no (0): `π_stop = 0.9 / (0.9 + 0.1 e^w)`.
    @Test func stopSignClosedForm() throws {
        for (w, expected) in [(1.0, 0.768031), (1.5, 0.667572), (3.0, 0.309432)] {
            let kb = try KnowledgeBase.parse("""
                classes: stop
                concepts: octagon
                stop => octagon  w=\(w)  pc=shape
                """)
            let circuit = try kb.compile(circuit: "shape")
            let m = try circuit.marginals(probabilities: try Matrix([[0.9, 0.0]]))
            #expect(abs(m.marginals[0, 0] - 0.9 / (0.9 + 0.1 * exp(w))) < 1e-15)
            #expect(abs(m.marginals[0, 0] - expected) < 5e-7)       // spec values have 6 decimals
            #expect(m.marginals[0, 1] == 0)
        }
    }

    static let part = """
        variables: a b c
        a => c  w=1.5
        b => c  w=1.5
        """

    /// Spec §3.2: marginals and Z of the part `{0,1} ⇒ 2`, w = 1.5, at p = (0.7, 0.2, 0.4).
    @Test func specPartMarginals() throws {
        let circuit = try KnowledgeBase.parse(Self.part).compile(circuit: "main")
        let m = try circuit.marginals(probabilities: try Matrix([[0.7, 0.2, 0.4]]))
        for (j, expected) in [0.569014, 0.146098, 0.633727].enumerated() {
            #expect(abs(m.marginals[0, j] - expected) < 5e-7)
        }
        #expect(abs(exp(m.logPartition[0]) - 12.67772) < 5e-5)
        let logZ = try circuit.logPartition(probabilities: try Matrix([[0.7, 0.2, 0.4]]))
        #expect(logZ[0] == m.logPartition[0])
    }

    /// Spec §3.2 box-bound vectors: exact (monotone = vertex enumeration) and decoupled.
    @Test func specPartBoxBounds() throws {
        let circuit = try KnowledgeBase.parse(Self.part).compile(circuit: "main")
        let lo = try Matrix([[0.6, 0.1, 0.3]]), hi = try Matrix([[0.8, 0.3, 0.5]])
        let exact = [(0.413280, 0.726117), (0.059469, 0.252142), (0.465346, 0.775020)]
        let decoupled = [(0.273578, 0.833256), (0.029742, 0.420980), (0.329012, 0.856549)]
        let automatic = try circuit.marginalBounds(lower: lo, upper: hi)
        #expect(automatic.kinds == [.exactByMonotonicity, .exactByMonotonicity, .exactByMonotonicity])
        let enumerated = try circuit.marginalBounds(lower: lo, upper: hi, method: .vertexEnumeration())
        #expect(enumerated.kinds == [BoundKind](repeating: .exactByVertexEnumeration, count: 3))
        let relaxed = try circuit.marginalBounds(lower: lo, upper: hi, method: .decoupled)
        #expect(relaxed.kinds == [BoundKind](repeating: .soundRelaxation, count: 3))
        for j in 0..<3 {
            for bounds in [automatic, enumerated] {
                #expect(abs(bounds.lower[0, j] - exact[j].0) < 5e-7)
                #expect(abs(bounds.upper[0, j] - exact[j].1) < 5e-7)
            }
            #expect(abs(relaxed.lower[0, j] - decoupled[j].0) < 5e-7)
            #expect(abs(relaxed.upper[0, j] - decoupled[j].1) < 5e-7)
        }
    }

    /// With every weight zero the rules say nothing: the marginals are the inputs.
    @Test func zeroWeightsGiveBackTheInputs() throws {
        let kb = try KnowledgeBase.parse("""
            variables: a b c d
            a & b => c  w=0   pc=x
            c => !d     w=0   pc=x
            a | d       w=0   pc=x
            """)
        let circuit = try kb.compile(circuit: "x")
        let p = try Matrix([[0.1, 0.5, 0.93, 0.0], [1.0, 0.25, 0.6, 0.7]])
        let m = try circuit.marginals(probabilities: p)
        for i in 0..<2 {
            #expect(abs(m.logPartition[i]) < 1e-15)
            for j in 0..<4 { #expect(abs(m.marginals[i, j] - p[i, j]) < 1e-15) }
        }
    }

    /// A hard rule gives zero mass to assignments that violate it: `a => b` hard makes
    /// `P(a=1, b=0) = 0`, so `P(a) = P(a, b)` and conditioning on `a` forces `b`.
    @Test func hardRulesRemoveViolatingAssignments() throws {
        let circuit = try KnowledgeBase.parse("""
            variables: a b
            a => b  w=hard
            """).compile(circuit: "main")
        let (pa, pb) = (0.6, 0.3)
        let m = try circuit.marginals(probabilities: try Matrix([[pa, pb]]))
        let z = pa * pb + (1 - pa) * pb + (1 - pa) * (1 - pb)        // every assignment but (1, 0)
        #expect(abs(m.logPartition[0] - log(z)) < 1e-15)
        #expect(abs(m.marginals[0, 0] - pa * pb / z) < 1e-15)
        let given = try circuit.marginals(probabilities: try Matrix([[pa, pb]]), evidence: [0: true])
        #expect(given.marginals[0, 1] == 1)
        // Evidence that contradicts a hard rule leaves no mass: Z = 0 and the marginals are NaN.
        let impossible = try circuit.marginals(probabilities: try Matrix([[pa, pb]]), evidence: [0: true, 1: false])
        #expect(impossible.logPartition[0] == -.infinity)
        #expect(impossible.marginals[0, 0].isNaN)
    }

    /// Evidence conditions exactly: P(c | a = 1) for the spec part by hand.
    @Test func evidenceConditions() throws {
        let circuit = try KnowledgeBase.parse(Self.part).compile(circuit: "main")
        let p = [0.7, 0.2, 0.4], e = exp(1.5)
        // Given a = 1: the rule a => c pays e^w only when c = 1; b => c as usual.
        func weight(_ b: Int, _ c: Int) -> Double {
            (b == 1 ? p[1] : 1 - p[1]) * (c == 1 ? p[2] : 1 - p[2]) * (c == 1 ? e : 1) * (b == 0 || c == 1 ? e : 1)
        }
        let z = weight(0, 0) + weight(0, 1) + weight(1, 0) + weight(1, 1)
        let m = try circuit.marginals(probabilities: try Matrix([p]), evidence: [0: true])
        #expect(abs(m.marginals[0, 2] - (weight(0, 1) + weight(1, 1)) / z) < 1e-14)
        #expect(m.marginals[0, 0] == 1)
        #expect(abs(m.logPartition[0] - log(p[0] * z)) < 1e-14)
    }

    /// A variable no rule of the circuit mentions keeps its input; components are independent.
    @Test func freeVariablesAndComponents() throws {
        let kb = try KnowledgeBase.parse("""
            variables: a b c d e
            a => b  w=1  pc=one
            c => d  w=2  pc=one
            e => a  w=1  pc=two
            """)
        let one = try kb.compile(circuit: "one")
        #expect(one.components.map(\.variables) == [[0, 1], [2, 3]])
        #expect(one.freeVariables == [4])
        let m = try one.marginals(probabilities: try Matrix([[0.3, 0.4, 0.5, 0.6, 0.77]]))
        #expect(abs(m.marginals[0, 4] - 0.77) < 1e-15)
        // Marginals of {a, b} do not depend on the other component's inputs.
        let other = try one.marginals(probabilities: try Matrix([[0.3, 0.4, 0.9, 0.1, 0.2]]))
        #expect(abs(m.marginals[0, 0] - other.marginals[0, 0]) < 1e-15)
        #expect(try kb.compile().map(\.name) == ["one", "two"])
    }

    /// Where linear arithmetic would overflow (weights of 500 per rule) or lose precision
    /// (subnormal leaves), the checked linear pass falls back to log space and agrees with it.
    @Test func automaticArithmeticFallsBackToLogSpace() throws {
        let kb = try KnowledgeBase.parse("variables: a b c\na => b  w=500\nb => c  w=500\na | c  w=2")
        let circuit = try kb.compile(circuit: "main")
        let subnormal = Double.leastNonzeroMagnitude * 1000      // about 5e-321
        let p = try Matrix([[0.3, 0.6, 0.2], [subnormal, 0.5, 0.5], [0.25, subnormal / 100, 1 - 1e-16]])
        let fast = try circuit.marginals(probabilities: p)
        let reference = try circuit.marginals(probabilities: p, arithmetic: .logSpace)
        for i in 0..<3 {
            #expect(fast.logPartition[i].isFinite && abs(fast.logPartition[i] - reference.logPartition[i]) <= 1e-12 * abs(reference.logPartition[i]))
            for j in 0..<3 { #expect(abs(fast.marginals[i, j] - reference.marginals[i, j]) <= 1e-12 * reference.marginals[i, j]) }
        }
        #expect(fast.logPartition[0] > 999)
    }
}
