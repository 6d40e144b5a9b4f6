import Foundation
import PropertyBased
import Testing
import SuretyData
import SuretyNumerics
import ProbabilisticCircuits

/// Compiled circuits against brute-force enumeration of all `2^n` assignments.
@Suite struct CircuitProperties {
    /// A random rule set over `n` variables: clauses of 1–4 distinct literals written as
    /// implications or clauses, soft weights in [0, 3] or hard (about one in eight).
    static func randomKnowledge(variables n: Int, rules count: Int, maxLiterals: Int = 4, hardShare: Double = 0.125,
                                implicationsOnly: Bool = false, using rng: inout RandomStream) -> (vars: [KnowledgeBase.Variable], rules: [Rule]) {
        let vars = (0..<n).map { KnowledgeBase.Variable(name: "v\($0)") }
        var rules: [Rule] = [], seen = Set<[Literal]>()
        for _ in 0..<count {
            let weight: RuleWeight = rng.nextUniform() < hardShare ? .hard : .soft(3 * rng.nextUniform())
            var rule: Rule
            if implicationsOnly {
                guard n >= 2 else { break }
                let a = rng.nextInt(below: n)
                var b = rng.nextInt(below: n - 1)
                if b >= a { b += 1 }
                rule = Rule(antecedent: [Literal(a)], consequent: [Literal(b)], weight: weight)
            } else {
                let k = 1 + rng.nextInt(below: min(maxLiterals, n))
                var chosen: [Int] = []
                while chosen.count < k {
                    let v = rng.nextInt(below: n)
                    if !chosen.contains(v) { chosen.append(v) }
                }
                let literals = chosen.map { Literal($0, isPositive: rng.nextUniform() < 0.5) }
                let split = rng.nextInt(below: k)          // the first `split` literals form the antecedent
                rule = Rule(antecedent: literals[..<split].map(\.negated), consequent: Array(literals[split...]), weight: weight)
            }
            if seen.insert(rule.clause).inserted { rules.append(rule) }
        }
        return (vars, rules)
    }

    /// Z and every marginal by enumerating all assignments (Neumaier-compensated sums).
    static func bruteForce(rules: [Rule], p: [Double], evidence: [Int: Bool] = [:]) -> (z: Double, marginals: [Double], hardSatisfiable: Bool) {
        let n = p.count
        var z = CompensatedSum(), ones = [CompensatedSum](repeating: CompensatedSum(), count: n)
        var satisfiable = false
        var assignment = [Bool](repeating: false, count: n)
        for code in 0..<(1 << n) {
            for v in 0..<n { assignment[v] = code >> v & 1 == 1 }
            if evidence.contains(where: { assignment[$0.key] != $0.value }) { continue }
            var weight = 1.0, hardOK = true
            for v in 0..<n { weight *= assignment[v] ? p[v] : 1 - p[v] }
            var exponent = 0.0
            for rule in rules where rule.isSatisfied(by: assignment) == false {
                if rule.weight == .hard { hardOK = false }
            }
            guard hardOK else { continue }
            satisfiable = true
            for rule in rules where rule.isSatisfied(by: assignment) {
                if case .soft(let w) = rule.weight { exponent += w }
            }
            weight *= exp(exponent)
            z.add(weight)
            for v in 0..<n where assignment[v] { ones[v].add(weight) }
        }
        return (z.value, ones.map { $0.value / z.value }, satisfiable)
    }

    struct CompensatedSum {
        var sum = 0.0, correction = 0.0
        mutating func add(_ x: Double) {
            let t = sum + x
            correction += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
            sum = t
        }
        var value: Double { sum + correction }
    }

    /// Z and all marginals agree with enumeration to 1e-12 relative, for random rule sets of up
    /// to 16 variables, random leaves (some exactly 0 or 1) and random evidence, in both
    /// arithmetics; the compiled
    /// circuit validates; an unsatisfiable hard set is rejected exactly when enumeration finds
    /// no assignment satisfying it.
    @Test func marginalsEqualBruteForce() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = RandomStream(seed: UInt64(seed))
            let n = 1 + rng.nextInt(below: 16)
            let (vars, rules) = Self.randomKnowledge(variables: n, rules: 1 + rng.nextInt(below: 20), using: &rng)
            let p = (0..<n).map { _ -> Double in
                let u = rng.nextUniform()
                return u < 0.05 ? 0 : u > 0.95 ? 1 : rng.nextUniform()
            }
            let kb: KnowledgeBase
            do {
                kb = try KnowledgeBase(variables: vars, rules: rules)
            } catch is DataError {
                let hard = rules.filter { $0.weight == .hard }
                #expect(!Self.bruteForce(rules: hard, p: [Double](repeating: 0.5, count: n)).hardSatisfiable)
                return
            }
            let circuit = try kb.compile(circuit: KnowledgeBase.defaultCircuit)
            let report = circuit.validate()
            #expect(report.isValid, "\(report.problems)")
            var evidence: [Int: Bool] = [:]
            if rng.nextUniform() < 0.3 { evidence[rng.nextInt(below: n)] = rng.nextUniform() < 0.5 }
            let reference = Self.bruteForce(rules: rules, p: p, evidence: evidence)
            for arithmetic in [CircuitArithmetic.automatic, .logSpace] {
                let m = try circuit.marginals(probabilities: try Matrix([p]), evidence: evidence, arithmetic: arithmetic)
                if reference.z == 0 {
                    #expect(m.logPartition[0] == -.infinity)
                    continue
                }
                #expect(abs(m.logPartition[0] - log(reference.z)) <= 1e-12, "\(arithmetic): log Z \(m.logPartition[0]) vs \(log(reference.z))")
                for j in 0..<n {
                    #expect(abs(m.marginals[0, j] - reference.marginals[j]) <= 1e-12 * reference.marginals[j],
                            "\(arithmetic), variable \(j): \(m.marginals[0, j]) vs \(reference.marginals[j])")
                }
            }
        }
    }

    /// For implication-only rule sets (`A ⇒ B`, w ≥ 0 or hard), raising any input never lowers
    /// any marginal (FKG); the compiler marks every such component monotone.
    @Test func implicationOnlyMarginalsAreMonotone() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = RandomStream(seed: UInt64(seed))
            let n = 2 + rng.nextInt(below: 9)
            let (vars, rules) = Self.randomKnowledge(variables: n, rules: 1 + rng.nextInt(below: 12), hardShare: 0.1,
                                                     implicationsOnly: true, using: &rng)
            let circuit = try KnowledgeBase(variables: vars, rules: rules).compile(circuit: KnowledgeBase.defaultCircuit)
            #expect(circuit.components.allSatisfy { $0.monotoneOrientation?.allSatisfy { !$0 } == true })
            let p = (0..<n).map { _ in 0.02 + 0.96 * rng.nextUniform() }
            let k = rng.nextInt(below: n)
            var q = p
            q[k] = p[k] + (1 - p[k]) * rng.nextUniform()
            let m = try circuit.marginals(probabilities: try Matrix([p, q])).marginals
            for j in 0..<n { #expect(m[1, j] >= m[0, j] - 1e-13, "raising p\(k) lowered π\(j): \(m[0, j]) → \(m[1, j])") }
        }
    }

    /// Box bounds: the automatic method (monotone where it applies) equals the vertex
    /// enumeration oracle, the decoupled relaxation contains it, and marginals at random
    /// points of the box lie inside.
    @Test func boxBoundsAreExactOrSound() async {
        await propertyCheck(count: 80, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = RandomStream(seed: UInt64(seed))
            let n = 2 + rng.nextInt(below: 7)
            let implications = rng.nextUniform() < 0.5
            let (vars, rules) = Self.randomKnowledge(variables: n, rules: 1 + rng.nextInt(below: 10), maxLiterals: 3, hardShare: 0,
                                                     implicationsOnly: implications, using: &rng)
            let circuit = try KnowledgeBase(variables: vars, rules: rules).compile(circuit: KnowledgeBase.defaultCircuit)
            var lo = [Double](), hi = [Double]()
            for _ in 0..<n {
                let a = rng.nextUniform(), b = rng.nextUniform()
                lo.append(min(a, b)); hi.append(max(a, b))
            }
            let lower = try Matrix([lo]), upper = try Matrix([hi])
            let automatic = try circuit.marginalBounds(lower: lower, upper: upper)
            let oracle = try circuit.marginalBounds(lower: lower, upper: upper, method: .vertexEnumeration())
            let relaxed = try circuit.marginalBounds(lower: lower, upper: upper, method: .decoupled)
            for j in 0..<n {
                #expect(abs(automatic.lower[0, j] - oracle.lower[0, j]) <= 1e-12)
                #expect(abs(automatic.upper[0, j] - oracle.upper[0, j]) <= 1e-12)
                #expect(relaxed.lower[0, j] <= oracle.lower[0, j] + 1e-12 && relaxed.upper[0, j] >= oracle.upper[0, j] - 1e-12)
            }
            let points = try Matrix((0..<20).map { _ in (0..<n).map { lo[$0] + (hi[$0] - lo[$0]) * rng.nextUniform() } })
            let inside = try circuit.marginals(probabilities: points).marginals
            for i in 0..<20 {
                for j in 0..<n { #expect(inside[i, j] >= oracle.lower[0, j] - 1e-12 && inside[i, j] <= oracle.upper[0, j] + 1e-12) }
            }
        }
    }
}
