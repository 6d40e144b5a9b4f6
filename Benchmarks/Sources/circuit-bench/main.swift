// Compile time and batched marginals of the probabilistic-circuit compiler.
//
//   OPENBLAS_NUM_THREADS=1 swift run -c release circuit-bench [rows] [--write-inputs DIR]
//
// Workloads:
//  * COLEP's GTSRB knowledge (Kang et al., ICLR 2024; 30 `label => attribute` rules in three
//    circuits, read from the official code, spec colep.md §1.5), weight 1.5, from
//    Examples/colep-knowledge/gtsrb.rules;
//  * a 40-variable implication chain (the compiler must not enumerate 2^40 assignments).
// Marginals are computed for `rows` (default 100 000) random probability vectors, single
// thread; every timing is the best and the median of several runs.
// With --write-inputs DIR, writes the rules, the probability matrix and our marginals so that
// circuit_peer.py can recompute them with a truth-table implementation and compare.
import COLEP
import BenchmarkInputs
import Foundation
import ProbabilisticCircuits
import SuretyNumerics


var arguments = Array(CommandLine.arguments.dropFirst())
var outputDirectory: URL?
if let flag = arguments.firstIndex(of: "--write-inputs"), flag + 1 < arguments.count {
    outputDirectory = URL(fileURLWithPath: arguments[flag + 1])
    arguments.removeSubrange(flag...(flag + 1))
}
let rows = arguments.first.flatMap(Int.init) ?? 100_000

let rulesText = try String(contentsOf: ReferenceKnowledge.gtsrbURL, encoding: .utf8)
let knowledge = try KnowledgeBase.parse(rulesText, file: ReferenceKnowledge.gtsrbURL.path)
var circuits: [ProbabilisticCircuit] = []
let compileTimes = try (0..<20).map { _ in try seconds { circuits = try knowledge.compile() } }
print("GTSRB knowledge: \(knowledge.rules.count) rules, \(knowledge.variables.count) variables, \(circuits.count) circuits")
for c in circuits {
    print("  circuit \(c.name): \(c.nodes.count) nodes, \(c.edgeCount) edges, \(c.components.count) components, valid: \(c.validate().isValid)")
}
print("compile all three: \(timingSummary(compileTimes))")

let chainText = "variables: " + (0..<40).map { "x\($0)" }.joined(separator: " ") + "\n"
    + (1..<40).map { "x\($0 - 1) => x\($0)  w=1.5" }.joined(separator: "\n")
var chain: ProbabilisticCircuit?
let chainTimes = try (0..<20).map { _ in try seconds { chain = try KnowledgeBase.parse(chainText).compile(circuit: "main") } }
print("40-variable chain: \(chain!.nodes.count) nodes; parse + compile: \(timingSummary(chainTimes))")

var rng = RandomStream(seed: 2024)
let probabilities = try Matrix(rows: rows, columns: knowledge.variables.count,
                               columnMajor: (0..<(rows * knowledge.variables.count)).map { _ in rng.nextUniform() })
var results: [CircuitMarginals] = []
for circuit in circuits {
    var result: CircuitMarginals?
    let times = try (0..<5).map { _ in try seconds { result = try circuit.marginals(probabilities: probabilities) } }
    results.append(result!)
    print("marginals, circuit \(circuit.name), \(rows) rows: \(timingSummary(times))")
}
let allTimes = try (0..<5).map { _ in try seconds { for c in circuits { _ = try c.marginals(probabilities: probabilities) } } }
print("marginals, all three circuits, \(rows) rows: \(timingSummary(allTimes))")
// Boxes of half-width 0.05 around the inputs, as randomized smoothing would give.
let lower = try Matrix(rows: rows, columns: probabilities.columns, columnMajor: probabilities.storage.map { max(0, $0 - 0.05) })
let upper = try Matrix(rows: rows, columns: probabilities.columns, columnMajor: probabilities.storage.map { min(1, $0 + 0.05) })
let boundTimes = try (0..<3).map { _ in try seconds { for c in circuits { _ = try c.marginalBounds(lower: lower, upper: upper) } } }
print("exact box bounds (monotone), all three circuits, \(rows) rows: \(timingSummary(boundTimes))")

if let directory = outputDirectory {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try rulesText.write(to: directory.appendingPathComponent("gtsrb.rules"), atomically: true, encoding: .utf8)
    func write(_ m: Matrix, _ name: String) throws {
        var text = ""
        for i in 0..<m.rows { text += (0..<m.columns).map { String(m[i, $0]) }.joined(separator: ",") + "\n" }
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let sample = min(rows, 2000)
    try write(try Matrix((0..<sample).map { i in (0..<probabilities.columns).map { probabilities[i, $0] } }), "probabilities.csv")
    for (c, r) in zip(circuits, results) {
        try write(try Matrix((0..<sample).map { i in (0..<r.marginals.columns).map { r.marginals[i, $0] } }), "marginals-\(c.name).csv")
    }
    print("wrote \(sample) rows of inputs and marginals to \(directory.path)")
}
