import ArgumentParser
import Charts
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyNumerics

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The Papers/DPKDE experiments: error vs ε, error vs n, query time vs d (tables and SVG plots).",
        discussion: """
            Data: n points uniform in [0,1]^d (the spec's worked setting: n = 10⁴, d = 10, L = 14, α = 0.1 \
            for ℓ1; m = 1000 features, h = 1 for the Gaussian kernel). Errors are measured against the \
            exact sums on 20 uniform queries, averaged over --reps releases with secure noise; the \
            predicted column is the a-priori noise standard deviation the structure reports.
            """
    )

    @Option(help: "Releases per setting.") var reps = 5
    @Option(help: "Seed of the data, queries and public features.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Write the plots into this directory.", valueName: "dir")) var plots: String?
    @Flag(help: "Smaller sizes (for a quick look).") var quick = false

    func run() throws {
        try reportingErrors {
            var rng = RandomStream(seed: seed)
            func uniform(_ n: Int, _ d: Int) throws -> Matrix {
                try Matrix(rows: n, columns: d, columnMajor: rng.uniforms(count: n * d))
            }
            let d = 10, n = quick ? 2000 : 10_000, queries = try uniform(20, d)
            let epsilons = [0.1, 0.3, 1, 3, 10]

            // Error vs ε.
            let data = try uniform(n, d)
            var table = TextTable(header: ["ε", "ℓ1 rel. error", "ℓ1 predicted", "ℓ1 zCDP error", "zCDP predicted",
                                           "Gauss avg error", "Gauss predicted", "Gauss zCDP error", "zCDP predicted"])
            var l1Curve: [(x: Double, y: Double)] = [], l1zCurve: [(x: Double, y: Double)] = []
            var kdeCurve: [(x: Double, y: Double)] = [], zcdpCurve: [(x: Double, y: Double)] = []
            for epsilon in epsilons {
                let l1 = try l1Errors(data, queries, budget: PrivacyBudget(epsilon: epsilon))
                let l1z = try l1Errors(data, queries, budget: PrivacyBudget(epsilon: epsilon, delta: 1e-6))
                let kde = try kdeErrors(data, queries, budget: PrivacyBudget(epsilon: epsilon))
                let zcdp = try kdeErrors(data, queries, budget: PrivacyBudget(epsilon: epsilon, delta: 1e-6))
                table.append([.number(epsilon, digits: 3), .number(l1.measured, digits: 3), .number(l1.predicted, digits: 3),
                              .number(l1z.measured, digits: 3), .number(l1z.predicted, digits: 3), .number(kde.measured, digits: 3), .number(kde.predicted, digits: 3),
                              .number(zcdp.measured, digits: 3), .number(zcdp.predicted, digits: 3)])
                l1Curve.append((log10(epsilon), log10(l1.measured)))
                l1zCurve.append((log10(epsilon), log10(l1z.measured)))
                kdeCurve.append((log10(epsilon), log10(kde.measured)))
                zcdpCurve.append((log10(epsilon), log10(zcdp.measured)))
            }
            print("error vs ε (n = \(n), d = \(d); ℓ1: relative error of the sum; Gaussian: absolute error of the average similarity)")
            print(table.render())
            try plot("error-vs-epsilon.svg", LineChart(title: "Error vs ε (n = \(n), d = \(d))", xLabel: "log10 ε", yLabel: "log10 error",
                                                      series: [.init(name: "ℓ1 relative error, pure ε", points: l1Curve),
                                                               .init(name: "ℓ1 relative error, zCDP δ = 1e-6", points: l1zCurve),
                                                               .init(name: "Gaussian KDE, pure ε", points: kdeCurve),
                                                               .init(name: "Gaussian KDE, zCDP δ = 1e-6", points: zcdpCurve)]))

            // Error vs n at ε = 1.
            var byN = TextTable(header: ["n", "ℓ1 rel. error", "ℓ1 predicted", "Gauss avg error", "Gauss predicted"])
            var l1N: [(x: Double, y: Double)] = [], kdeN: [(x: Double, y: Double)] = []
            for count in quick ? [1000, 4000] : [1000, 10_000, 100_000] {
                let points = try uniform(count, d)
                let l1 = try l1Errors(points, queries, budget: PrivacyBudget(epsilon: 1))
                let kde = try kdeErrors(points, queries, budget: PrivacyBudget(epsilon: 1))
                byN.append([.integer(count), .number(l1.measured, digits: 3), .number(l1.predicted, digits: 3),
                            .number(kde.measured, digits: 3), .number(kde.predicted, digits: 3)])
                l1N.append((log10(Double(count)), log10(l1.measured)))
                kdeN.append((log10(Double(count)), log10(kde.measured)))
            }
            print("\nerror vs n (ε = 1, d = \(d))")
            print(byN.render())
            try plot("error-vs-n.svg", LineChart(title: "Error vs n (ε = 1, d = \(d))", xLabel: "log10 n", yLabel: "log10 error",
                                                series: [.init(name: "ℓ1 relative error", points: l1N), .init(name: "Gaussian KDE average", points: kdeN)]))

            // Query time vs d, with and without a JL projection to k = 32.
            var byD = TextTable(header: ["d", "query s (RFF)", "query s (JL k=32 + RFF)", "RFF avg error", "JL avg error"])
            var plain: [(x: Double, y: Double)] = [], projected: [(x: Double, y: Double)] = []
            let queryCount = 1000, m = 1024
            for dimension in quick ? [16, 128] : [16, 64, 256, 1024] {
                // Points near one another so the kernel is not negligible in high dimension:
                // a random centre plus small uniform offsets, bandwidth √d/4.
                let points = try uniform(2000, dimension), batch = try uniform(queryCount, dimension)
                let h = Double(dimension).squareRoot() / 4
                var times: [Double] = [], errors: [Double] = []
                for k in [nil, 32] as [Int?] {
                    let kde = try PrivateKernelDensity.build(points: points, bandwidth: h, features: m, projectedDimension: k, seed: seed,
                                                             budget: PrivacyBudget(epsilon: 1e6))
                    let start = Date()
                    let answers = try kde.averages(at: batch)
                    times.append(Date().timeIntervalSince(start))
                    var error = 0.0
                    for q in 0..<50 {
                        let y = batch.row(q)
                        let exact = (0..<points.rows).reduce(0) { $0 + SimilarityKernel.gaussian.value(points.row($1), y, bandwidth: h) } / Double(points.rows)
                        error += abs(answers[q].value - exact) / 50
                    }
                    errors.append(error)
                }
                byD.append([.integer(dimension), .number(times[0], digits: 3), .number(times[1], digits: 3),
                            .number(errors[0], digits: 3), .number(errors[1], digits: 3)])
                plain.append((log10(Double(dimension)), times[0] * 1000))
                projected.append((log10(Double(dimension)), times[1] * 1000))
            }
            print("\nquery time vs d (\(queryCount) queries, m = \(m), n = 2000, h = √d/4, noise negligible: ε = 10⁶)")
            print(byD.render())
            try plot("query-time-vs-d.svg", LineChart(title: "Query time vs d (\(queryCount) queries, m = \(m))", xLabel: "log10 d", yLabel: "ms",
                                                     series: [.init(name: "RFF", points: plain), .init(name: "JL to 32 + RFF", points: projected)]))
        }
    }

    /// Mean relative error of the ℓ1 sums over the queries and reps, and the mean predicted
    /// noise standard deviation relative to the true sum.
    func l1Errors(_ data: Matrix, _ queries: Matrix, budget: PrivacyBudget) throws -> (measured: Double, predicted: Double) {
        let domains = try Array(repeating: PublicInterval(0, 1), count: data.columns)
        var measured = 0.0, predicted = 0.0
        for _ in 0..<reps {
            let tree = try PrivateL1Distance.build(points: data, domains: domains, levels: 14, budget: budget, alpha: 0.1)
            for q in 0..<queries.rows {
                let y = queries.row(q)
                let truth = (0..<data.rows).reduce(0.0) { total, i in total + (0..<data.columns).reduce(0) { $0 + abs(data[i, $1] - y[$1]) } }
                measured += abs(try tree.sum(at: y) - truth) / truth
                predicted += try tree.noiseStandardDeviation(at: y) / truth
            }
        }
        let count = Double(reps * queries.rows)
        return (measured / count, predicted / count)
    }

    /// Mean absolute error of the Gaussian-kernel average similarity (m = 1000, h = 1).
    func kdeErrors(_ data: Matrix, _ queries: Matrix, budget: PrivacyBudget) throws -> (measured: Double, predicted: Double) {
        let exact = (0..<queries.rows).map { q in
            (0..<data.rows).reduce(0) { $0 + SimilarityKernel.gaussian.value(data.row($1), queries.row(q), bandwidth: 1) } / Double(data.rows)
        }
        var measured = 0.0, predicted = 0.0
        for r in 0..<reps {
            let kde = try PrivateKernelDensity.build(points: data, bandwidth: 1, features: 1000, seed: seed + UInt64(r), budget: budget)
            for (answer, truth) in zip(try kde.averages(at: queries), exact) {
                measured += abs(answer.value - truth)
                predicted += answer.noiseStandardDeviation
            }
        }
        let count = Double(reps * queries.rows)
        return (measured / count, predicted / count)
    }

    func plot(_ name: String, _ chart: LineChart) throws {
        guard let plots else { return }
        try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)
        try writeAtomically(Array(chart.svg().utf8), to: URL(fileURLWithPath: plots).appendingPathComponent(name).path)
    }
}
