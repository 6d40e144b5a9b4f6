// One EM run, n = 10⁵, d = 10, k = 5, 100 iterations (issue #8: at least 2× faster than
// scikit-learn's GaussianMixture with spherical covariance, same iterations, same data).
//
//   swift run -c release ambient-bench [--write DIR]
//
// Data: 5 atoms on the sphere of radius 3 (seed 2024), unit noise. Both sides start from the
// same atoms (written for ambient_peer.py) and run exactly 100 iterations (no tolerance).
import AmbientMixtures
import BenchmarkInputs
import Foundation
import SuretyData
import SuretyNumerics

let arguments = Array(CommandLine.arguments.dropFirst())
let directory = arguments.firstIndex(of: "--write").map { arguments[$0 + 1] }
var rng = RandomStream(seed: 2024)
let mixing = try MixingDistribution.sphere(k: 5, dimension: 10, radius: 3, using: &rng)
let sample = try mixing.sample(noiseLevels: Array(repeating: 1, count: 100_000), using: &rng)
let start = (0..<5).map { j in Array(sample.values[(j * 997 * 10)..<(j * 997 * 10 + 10)]) }
var em = try HeteroscedasticEM(k: 5)
em.maxIterations = 100
em.tolerance = 0
var fit: HeteroscedasticEM.Fit?
let times = try (0..<3).map { _ in try seconds { fit = try em.run(sample, atoms: start, weights: Array(repeating: 0.2, count: 5)) } }
print("EM, n = 100000, d = 10, k = 5, 100 iterations: " + timingSummary(digits: 3, times))
print(String(format: "mean log-likelihood %.6f, W1 to the truth %.4f", fit!.logLikelihood, MixtureMetrics.wasserstein1(fit!.mixing, mixing)))
if let directory {
    let url = URL(fileURLWithPath: directory, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try NPY.write(NPYArray(shape: [100_000, 10], values: sample.values), to: url.appendingPathComponent("x.npy"))
    try NPY.write(NPYArray(shape: [5, 10], values: start.flatMap { $0 }), to: url.appendingPathComponent("start.npy"))
}
