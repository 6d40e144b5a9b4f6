import Certificates
import Foundation
import ProbabilisticCircuits
import SuretyNumerics
import Testing
import ToolTestSupport
@testable import COLEP

/// The shipped knowledge files (`Examples/colep-knowledge`, found by ``ReferenceKnowledge``)
/// against the tables of spec colep.md §1.5, which this test restates on purpose: it is the
/// independent oracle the files are checked against, not a second source for the library.
@Suite struct ReferenceKnowledgeTests {
    /// One dataset's knowledge as the spec writes it: per circuit, its parts
    /// `labels ⇒ attribute`.
    struct SpecTable: Sendable, CustomTestStringConvertible {
        struct Part: Sendable {
            var labels: [Int]
            var attribute: Int
        }
        var name: String
        var url: URL
        var classes: Int
        var attributes: Int
        var circuits: [(name: String, parts: [Part])]
        var testDescription: String { name }

        var variableCount: Int { classes + attributes }
        /// Variable index of attribute `a` (classes are declared first).
        func attributeVariable(_ a: Int) -> Int { classes + a }
        /// The part's variables, ascending.
        func variables(of part: Part) -> [Int] { (part.labels + [attributeVariable(part.attribute)]).sorted() }
    }

    static func part(_ labels: [Int], _ attribute: Int) -> SpecTable.Part { .init(labels: labels, attribute: attribute) }

    static let gtsrb = SpecTable(name: "GTSRB", url: ReferenceKnowledge.gtsrbURL, classes: 12, attributes: 13, circuits: [
        ("shape", [part([0], 0), part([1], 1), part([2, 3], 2), part([4, 5, 6, 7, 8, 9, 10, 11], 3)]),
        ("content", [part([2, 7], 4), part([8], 8), part([10], 9), part([11], 10), part([4], 11), part([5], 12)]),
        ("color", [part([0, 2, 3, 6, 7, 8, 10, 11], 5), part([4, 5], 6), part([9], 7)]),
    ])

    static let cifar10 = SpecTable(name: "CIFAR-10", url: ReferenceKnowledge.cifar10URL, classes: 10, attributes: 9, circuits: [
        ("category", [part([2, 3, 4, 5, 6, 7], 0), part([0, 1, 8, 9], 1)]),
        ("place", [part([0, 2], 2), part([8], 3), part([1, 3, 4, 5, 6, 7, 9], 4)]),
        ("wheel-leg", [part([3, 4, 5, 6, 7], 5), part([2], 6), part([0, 1, 9], 7), part([8], 8)]),
    ])

    /// The paper's weight, on every rule.
    static let weight = 1.5

    /// Variables, roles, circuits and every rule are the spec's, at w = 1.5.
    @Test(arguments: [gtsrb, cifar10])
    func filesParseToTheSpecRules(table: SpecTable) throws {
        let kb = try KnowledgeBase(contentsOf: table.url)
        #expect(kb.variables.map(\.name) == (0..<table.classes).map { "label\($0)" } + (0..<table.attributes).map { "attr\($0)" })
        #expect(kb.variables(withRole: .class) == Array(0..<table.classes))
        #expect(kb.variables(withRole: .concept) == Array(table.classes..<table.variableCount))
        #expect(kb.circuitNames == table.circuits.map(\.name))
        #expect(kb.rules.count == 30)
        for rule in kb.rules {
            #expect(rule.weight == .soft(Self.weight))
            #expect(rule.antecedent.count == 1 && rule.antecedent[0].isPositive && rule.antecedent[0].variable < table.classes)
            #expect(rule.consequent.count == 1 && rule.consequent[0].isPositive && rule.consequent[0].variable >= table.classes)
        }
        func edge(_ circuit: String, _ label: Int, _ attribute: Int) -> String { "\(circuit): label\(label) => attr\(attribute)" }
        let found = kb.rules.map { edge($0.circuit, $0.antecedent[0].variable, $0.consequent[0].variable - table.classes) }
        let expected = Set(table.circuits.flatMap { c in c.parts.flatMap { p in p.labels.map { edge(c.name, $0, p.attribute) } } })
        #expect(expected.count == 30)
        let missing = expected.subtracting(found).sorted(), unexpected = Set(found).subtracting(expected).sorted()
        #expect(missing.isEmpty && unexpected.isEmpty, "missing: \(missing); not in the spec: \(unexpected)")
    }

    /// ``ReferenceKnowledge`` loads exactly these files.
    @Test func referenceKnowledgeLoadsTheFiles() throws {
        for (loaded, url) in [(try ReferenceKnowledge.gtsrb(), ReferenceKnowledge.gtsrbURL), (try ReferenceKnowledge.cifar10(), ReferenceKnowledge.cifar10URL)] {
            let file = try KnowledgeBase(contentsOf: url)
            #expect(loaded.variables == file.variables)
            #expect(loaded.rules == file.rules)
            #expect(loaded.rules.first?.source?.file == url.path)
        }
    }

    /// Compiled, each circuit's components are the spec's parts (one attribute and its
    /// labels), every other variable is free, and the circuit is smooth, decomposable and
    /// deterministic with monotone components (exact box bounds).
    @Test(arguments: [gtsrb, cifar10])
    func circuitsAreTheSpecParts(table: SpecTable) throws {
        let kb = try KnowledgeBase(contentsOf: table.url)
        let circuits = try kb.compile()
        #expect(circuits.map(\.name) == table.circuits.map(\.name))
        for (circuit, spec) in zip(circuits, table.circuits) {
            let parts = Set(spec.parts.map(table.variables(of:)))
            #expect(Set(circuit.components.map(\.variables)) == parts, "circuit \(spec.name)")
            #expect(circuit.components.count == spec.parts.count, "circuit \(spec.name)")
            for component in circuit.components {
                #expect(component.variables.filter { $0 >= table.classes }.count == 1, "circuit \(spec.name): one attribute per part")
                #expect(component.monotoneOrientation != nil, "circuit \(spec.name)")
            }
            let mentioned = Set(parts.joined())
            #expect(circuit.freeVariables == (0..<table.variableCount).filter { !mentioned.contains($0) }, "circuit \(spec.name)")
            let validation = circuit.validate()
            #expect(validation.isSmooth && validation.isDecomposable && validation.isDeterministic, "circuit \(spec.name): \(validation.problems)")
            #expect(validation.isValid, "circuit \(spec.name): unverified sums \(validation.unverifiedSums)")
        }
    }

    /// Spec eq. (1) by enumeration: the posterior marginals and `log Z` of one circuit, each
    /// part's `2^{|part|}` assignments weighted by the sensors and `exp(w · #satisfied rules)`;
    /// variables of no part keep their input, and `Z` is the product over the parts.
    static func bruteForce(_ spec: [SpecTable.Part], table: SpecTable, p: [Double]) -> (logZ: Double, marginals: [Double]) {
        var marginals = p
        var logZ = 0.0
        for part in spec {
            let variables = table.variables(of: part)
            let attribute = table.attributeVariable(part.attribute)
            var z = 0.0
            var z1 = [Double](repeating: 0, count: variables.count)
            for mask in 0..<(1 << variables.count) {
                func value(_ v: Int) -> Bool { mask & (1 << variables.firstIndex(of: v)!) != 0 }
                var mass = 1.0
                for v in variables { mass *= value(v) ? p[v] : 1 - p[v] }
                let satisfied = part.labels.filter { !value($0) || value(attribute) }.count
                mass *= exp(Self.weight * Double(satisfied))
                z += mass
                for (k, v) in variables.enumerated() where value(v) { z1[k] += mass }
            }
            logZ += log(z)
            for (k, v) in variables.enumerated() { marginals[v] = z1[k] / z }
        }
        return (logZ, marginals)
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        b == 0 ? a == 0 : abs(a - b) <= 1e-12 * abs(b)
    }

    /// Marginals and `log Z` of every compiled circuit equal the enumeration of eq. (1) to
    /// 1e-12 relative, for random sensor vectors and one with saturated sensors.
    @Test(arguments: [gtsrb, cifar10])
    func marginalsMatchEnumeration(table: SpecTable) throws {
        let kb = try KnowledgeBase(contentsOf: table.url)
        var rng = RandomStream(seed: 17)
        var rows = (0..<8).map { _ in (0..<table.variableCount).map { _ in rng.nextUniform() } }
        rows.append((0..<table.variableCount).map { [0.0, 1.0, 0.5][$0 % 3] })
        let p = try Matrix(rows)
        for (circuit, spec) in zip(try kb.compile(), table.circuits) {
            for arithmetic in [CircuitArithmetic.automatic, .logSpace] {
                let result = try circuit.marginals(probabilities: p, arithmetic: arithmetic)
                for (i, row) in rows.enumerated() {
                    let reference = Self.bruteForce(spec.parts, table: table, p: row)
                    #expect(Self.close(result.logPartition[i], reference.logZ), "circuit \(spec.name), row \(i): log Z \(result.logPartition[i]) vs \(reference.logZ)")
                    for j in 0..<table.variableCount {
                        #expect(Self.close(result.marginals[i, j], reference.marginals[j]),
                                "circuit \(spec.name), row \(i), variable \(j): \(result.marginals[i, j]) vs \(reference.marginals[j])")
                    }
                }
            }
        }
    }

    // MARK: - Loading the files with `colep --rules`

    static var binary: URL? { ToolProcess.binary("colep") }
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `--rules Examples/colep-knowledge/gtsrb.rules` runs the synthetic example, and gives the
    /// same table as the default knowledge (the file is the default).
    @Test(.enabled(if: binary != nil)) func gtsrbRulesRunTheSyntheticExample() throws {
        let arguments = ["certify", "--synthetic", "--mc-samples", "200", "--seed", "5", "--eps", "0.1"]
        let withFile = try ToolProcess.run("colep", arguments + ["--rules", "Examples/colep-knowledge/gtsrb.rules"], in: Self.root)
        #expect(withFile.status == 0, "\(withFile.err)")
        for method in ["COLEP", "vanilla APS", "RSCP", "RSCP+"] { #expect(withFile.out.contains(method)) }
        let byDefault = try ToolProcess.run("colep", arguments, in: Self.root)
        #expect(byDefault.status == 0, "\(byDefault.err)")
        #expect(byDefault.out == withFile.out)
    }

    /// `simulate` and `certify` with `--rules Examples/colep-knowledge/cifar10.rules`: the
    /// files have the CIFAR-10 columns, the certificate records the rules file, and it verifies.
    @Test(.enabled(if: binary != nil)) func cifar10RulesRunOnSimulatedFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colep-knowledge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = "Examples/colep-knowledge/cifar10.rules"
        let cal = directory.appendingPathComponent("cal.csv").path, test = directory.appendingPathComponent("test.csv").path
        let certificate = directory.appendingPathComponent("certificate.json")
        for (count, seed, path) in [(500, "1", cal), (300, "2", test)] {
            let simulated = try ToolProcess.run("colep", ["simulate", "--rules", rules, "--count", "\(count)", "--mc-samples", "200",
                                                          "--seed", seed, "--to", path], in: Self.root)
            #expect(simulated.status == 0, "\(simulated.err)")
        }
        let header = try String(contentsOfFile: cal, encoding: .utf8).prefix { $0 != "\n" }
        #expect(header == "label," + ((0..<10).map { "label\($0)" } + (0..<9).map { "attr\($0)" }).joined(separator: ","))
        let run = try ToolProcess.run("colep", ["certify", "--rules", rules, "--calibration", cal, "--test", test, "--mc-samples", "200",
                                                "--seed", "3", "--output", certificate.path], in: Self.root)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("COLEP"))
        let written = try Certificate.read(from: certificate)
        #expect(written.inputs.map(\.path) == [cal, test, rules])
        let verified = try ToolProcess.run("colep", ["verify", certificate.path], in: Self.root)
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")
    }
}
