// The private Gaussian-kernel KDE at scale (issue #5): n = 10⁶ points in d = 32, m = 2048
// random features; build (feature sums + noise) and 10⁴ queries.
//
//   OPENBLAS_NUM_THREADS=1 swift run -c release dpkde-bench [n] [--write-inputs DIR]
//
// Data: a mixture of 8 Gaussians (centres N(0, 4·I), unit spread), seed 2024; queries: 10⁴
// points from the same mixture. The build uses the secure generator for the noise, as a
// user's would. With --write-inputs the data, queries, the public features and the noiseless
// answers are written as NPY for dpkde_peers.py (NumPy and scikit-learn on the same inputs).
import BenchmarkInputs
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

let arguments = Array(CommandLine.arguments.dropFirst())
let n = arguments.first.flatMap(Int.init) ?? 1_000_000
let directory = arguments.firstIndex(of: "--write-inputs").map { arguments[$0 + 1] }
let d = 32, m = 2048, queryCount = 10_000, bandwidth = 4.0

func mixture(_ count: Int, seed: UInt64) throws -> Matrix {
    var centres = RandomStream(seed: 7)
    let means = (0..<8).map { _ in (0..<d).map { _ in 2 * Normal.standard.sample(using: &centres) } }
    var rng = RandomStream(seed: seed)
    var values = [Double](repeating: 0, count: count * d)
    for i in 0..<count {
        let c = Int(rng.next() % 8)
        for j in 0..<d { values[j * count + i] = means[c][j] + Normal.standard.sample(using: &rng) }
    }
    return try Matrix(rows: count, columns: d, columnMajor: values)
}

let points = try mixture(n, seed: 2024), queries = try mixture(queryCount, seed: 2025)
let features = try RandomFeatures(kernel: .gaussian, dimension: d, bandwidth: bandwidth, features: m, seed: 1)
print("n = \(n), d = \(d), m = \(m), \(queryCount) queries, \(Processors.usable) cores")

var statistics = KernelFeatureSums(features: features)
let sumsTime = try seconds { try statistics.add(points) }
var kde: PrivateKernelDensity?
let releaseTime = try seconds { kde = try PrivateKernelDensity.release(statistics, budget: PrivacyBudget(epsilon: 1)) }
print(String(format: "build: feature sums %.2f s + noise %.4f s = %.2f s", sumsTime, releaseTime, sumsTime + releaseTime))
var answers: [PrivateKernelDensity.Estimate] = []
let queryTimes = try (0..<3).map { _ in try seconds { answers = try kde!.averages(at: queries) } }
print("10^4 average-similarity queries: " + timingSummary(digits: 3, queryTimes))
let meanValue = answers.map(\.value).reduce(0, +) / Double(queryCount)
let meanNoise = answers.map(\.noiseStandardDeviation).reduce(0, +) / Double(queryCount)
print(String(format: "mean answer %.5f, mean noise standard deviation %.2e (ε = 1)", meanValue, meanNoise))

if let directory {
    let url = URL(fileURLWithPath: directory, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try NPY.write(points, to: url.appendingPathComponent("points.npy"))
    try NPY.write(queries, to: url.appendingPathComponent("queries.npy"))
    try NPY.write(features.frequencies, to: url.appendingPathComponent("frequencies.npy"))
    try NPY.write(NPYArray(shape: [m], values: features.phases), to: url.appendingPathComponent("phases.npy"))
    // Noiseless answers (the exact integer sums, unrounded) for the agreement check.
    let sums = statistics.sums.map { Double($0) / Double(1 << KernelFeatureSums.fractionBits) }
    let cosines = try features.cosines(of: queries)
    let exact = (0..<queryCount).map { i in (0..<m).reduce(0.0) { $0 + 2.0.squareRoot() * cosines[$1 * queryCount + i] * sums[$1] } / Double(m) / Double(n) }
    try NPY.write(NPYArray(shape: [queryCount], values: exact), to: url.appendingPathComponent("noiseless.npy"))
    print("inputs written to \(directory)")
}
