// Projection DPP samples (issue #7: at least 10× faster than DPPy on the same task):
// m = 50 Legendre on [−1, 1] and on [−1, 1]² (the first 50 functions of the graded order,
// as DPPy's MultivariateJacobiOPE(N = 50)), and a discrete ground set of N = 5000 items with
// m = 100 features (Gaussian entries, seed 2024, orthonormalized; written for dppy_peer.py).
//
//   swift run -c release dppls-bench [--write DIR]
//
// Per sample: median and best over repeated samples (one seed stream).
import BenchmarkInputs
import CLinAlg
import DeterminantalSampling
import Foundation
import SuretyData
import SuretyNumerics

let arguments = Array(CommandLine.arguments.dropFirst())
let directory = arguments.firstIndex(of: "--write").map { arguments[$0 + 1] }

func report(_ label: String, repetitions: Int, _ body: () throws -> Void) rethrows {
    let times = try (0..<repetitions).map { _ in try seconds(body) }.sorted()
    print(String(format: "%@: median %.3f ms, best %.3f ms (%d samples)", label, times[times.count / 2] * 1e3, times[0] * 1e3, repetitions))
}

var rng = RandomStream(seed: 1)
let line = try PolynomialSpace(family: .legendre, dimension: 1, count: 50)
let square = try PolynomialSpace(family: .legendre, dimension: 2, count: 50)
try report("Legendre 1-D, m = 50", repetitions: 200) { _ = try ProjectionDPP.sample(line, using: &rng) }
// Where the 1-D time goes: the random Jacobi matrix (2m − 1 Beta draws), then LAPACK's
// eigenvalue solve alone on such matrices.
let models = (0..<200).map { _ in ProjectionDPP.legendreJacobiMatrix(count: 50, using: &rng) }
report("  of which the Jacobi matrix (99 Beta draws)", repetitions: 200) { _ = ProjectionDPP.legendreJacobiMatrix(count: 50, using: &rng) }
var model = 0
report("  of which LAPACK dsterf on that matrix", repetitions: 200) {
    var (d, e) = models[model % models.count]
    model += 1
    _ = LAPACKE_dsterf(50, &d, &e)
}
try report("Legendre 2-D, m = 50", repetitions: 100) { _ = try ProjectionDPP.sample(square, using: &rng) }

var data = RandomStream(seed: 2024)
let n = 5000, m = 100
let a = try Matrix(rows: n, columns: m, columnMajor: (0..<(n * m)).map { _ in Normal.standard.sample(using: &data) })
var space: DiscreteSpace?
let setup = try seconds { space = try DiscreteSpace(featureMatrix: a) }
print(String(format: "discrete ground set N = %d, m = %d: orthonormalization %.1f ms (once)", n, m, setup * 1e3))
report("discrete N = 5000, m = 100", repetitions: 50) { _ = ProjectionDPP.sample(space!, using: &rng) }

if let directory {
    let url = URL(fileURLWithPath: directory, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    // The orthonormal columns (uniform masses 1/N): U = Φ/√N, UᵀU = I.
    let u = space!.features.storage.map { $0 / Double(n).squareRoot() }
    try NPY.write(try Matrix(rows: n, columns: m, columnMajor: u), to: url.appendingPathComponent("U.npy"))
}
