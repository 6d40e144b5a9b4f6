// The full tester-learner at n = 10⁵, d = 20 (issue #6: under 10 s on 2 cores), beside
// scikit-learn's LogisticRegression on the same data (halfspace_peer.py).
//
//   swift run -c release halfspace-bench [n] [d] [--write DIR]
//
// Data: N(0, I_d) with quadrant-Massart labels η = 0.2 (seed 2024); ε = 0.05, δ = 0.01.
// Best and median of 3 runs (each a full run: tests, descent over the σ grid, selection, local
// tests, the near-optimality bound).
import BenchmarkInputs
import Foundation
import SuretyData
import SuretyNumerics
import TestableLearning

let arguments = Array(CommandLine.arguments.dropFirst())
let n = arguments.first.flatMap(Int.init) ?? 100_000
let d = arguments.dropFirst().first.flatMap(Int.init) ?? 20
let directory = arguments.firstIndex(of: "--write").map { arguments[$0 + 1] }

var data = RandomStream(seed: 2024)
let x = try Marginal.gaussian.sample(count: n, dimension: d, using: &data)
let sample = try LabeledSample(dimension: d, values: x, labels: LabelModel.quadrantMassart(eta: 0.2).labels(x, dimension: d, using: &data))
let learner = try TesterLearner(epsilon: 0.05, delta: 0.01, noise: .massart(bound: 0.2))
print("n = \(n), d = \(d), ε = 0.05, δ = 0.01, \(Processors.usable) cores")
var result: TesterLearner.Result?
let times = try (0..<3).map { r in
    try seconds {
        var rng = RandomStream(seed: UInt64(r))
        result = try learner.run(sample, using: &rng)
    }
}
print("full tester-learner: " + timingSummary(digits: 2, times))
if let result {
    print("verdict \(result.accepted ? "accept" : "reject"), validation error \(String(format: "%.4f", result.validationError)), "
          + "error bound \(String(format: "%.4f", result.errorBound)), angle to w* \(String(format: "%.2f", acos(result.weights[0]) * 180 / .pi))°, "
          + "certified \(result.certified), excess bound \(result.nearOptimality.excessBound.map { String(format: "%.4f", $0) } ?? "none")")
}
if let directory {
    let url = URL(fileURLWithPath: directory, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try NPY.write(NPYArray(shape: [n, d], values: x), to: url.appendingPathComponent("x.npy"))
    try NPY.write(NPYArray(shape: [n], values: sample.labels), to: url.appendingPathComponent("y.npy"))
}
