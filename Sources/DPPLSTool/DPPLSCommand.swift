import ArgumentParser
import Certificates
import Charts
import CommandLineSupport
import DeterminantalSampling
import Foundation
import SuretyData
import SuretyNumerics

@main
struct DPPLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dppls",
        abstract: "Weighted least squares from optimal, DPP and volume-rescaled samples, with a stability certificate (Nouy–Michel).",
        subcommands: [Design.self, Fit.self, Experiment.self, Verify.self]
    )
}

/// The polynomial space options shared by design, fit and experiment.
struct SpaceOptions: ParsableArguments {
    @Option(help: "legendre (uniform on [−1,1]^d) or hermite (standard Gaussian).") var basis = "legendre"
    @Option(help: "Dimension d.") var dim = 1
    @Option(help: "Polynomial degree p.") var degree = 9
    @Option(help: "total-degree (Σα ≤ p) or tensor (max α ≤ p).") var index = "total-degree"

    func space() throws -> PolynomialSpace {
        guard let family = PolynomialSpace.Family(rawValue: basis) else { throw ValidationError("--basis must be legendre or hermite") }
        guard let set = PolynomialSpace.IndexSet(rawValue: index) else { throw ValidationError("--index must be total-degree or tensor") }
        return try PolynomialSpace(family: family, dimension: dim, degree: degree, indexSet: set)
    }

    var arguments: [String] { ["--basis", basis, "--dim", "\(dim)", "--degree", "\(degree)", "--index", index] }
}

struct Design: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Points (and weights) at which to evaluate an expensive function.",
        discussion: """
            Continuous spaces: --method iid|dpp|dpp-repeat|volume-rescaled. Discrete ground sets (--features FILE.csv, one row per \
            candidate, one column per feature): --method dpp (m distinct rows), dpp-repeat (--reps independent DPP samples; a row \
            chosen by several repetitions is written once per repetition), volume (-n distinct rows, weight 1: volume sampling's \
            guarantees are for unweighted least squares) or volume-rescaled (m DPP rows plus n − m rows drawn with replacement \
            from the leverage scores, weighted), writing the chosen rows with their weights.
            """)

    @OptionGroup var space: SpaceOptions
    @Option(help: "iid, dpp, dpp-repeat, volume-rescaled (continuous); dpp, dpp-repeat, volume, volume-rescaled (discrete).") var method = "dpp-repeat"
    @Option(name: [.customLong("reps"), .customLong("repetitions")], help: "Independent DPP samples for dpp-repeat (continuous or discrete).") var reps = 3
    @Option(name: .customShort("n"), help: "Number of points for iid and volume-rescaled (default: the Chernoff rule for δ = 0.5, η = 0.1, resp. 2m), or rows for discrete volume (default m) and volume-rescaled (default 2m).") var count: Int?
    @Option(help: "Redraw until ‖G − I‖ ≤ this δ (conditioned design).") var condition: Double?
    @Option(help: "Best of M draws before conditioning (boosted).") var boost = 1
    @Option(help: ArgumentHelp("A discrete ground set: CSV of candidate feature rows.", valueName: "file")) var features: String?
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output CSV (atomic).") var output: String

    func run() throws {
        try reportingErrors {
            var rng = RandomStream(seed: seed)
            if let features {
                guard condition == nil, boost == 1 else {
                    throw ValidationError("--condition and --boost apply to continuous spaces; a discrete design (--features) is drawn once")
                }
                let table = try NumericTable.readCSV(url: URL(fileURLWithPath: features))
                let ground = try DiscreteSpace(featureMatrix: table.features)
                let design: DiscreteDesign
                switch method {
                case "dpp": design = .dpp
                case "dpp-repeat":
                    guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
                    design = .dppRepeat(repetitions: reps)
                case "volume":
                    let n = count ?? ground.count
                    guard n >= ground.count, n <= ground.items else {
                        throw ValidationError("-n must be between m = \(ground.count) and the \(ground.items) candidates (volume sampling picks distinct rows)")
                    }
                    design = .volume(size: n)
                case "volume-rescaled":
                    let n = count ?? 2 * ground.count
                    guard n >= ground.count else { throw ValidationError("-n must be at least m = \(ground.count)") }
                    design = .volumeRescaled(size: n)
                default: throw ValidationError("--method for a discrete ground set: dpp, dpp-repeat, volume or volume-rescaled")
                }
                let chosen = try design.draw(ground, using: &rng)
                let writer = try CSVWriter(url: URL(fileURLWithPath: output), header: ["row"] + table.columnNames + ["weight"])
                for i in chosen.sorted() {
                    try writer.writeRow(fields: ["\(i + 2)"] + table.features.row(i).map { "\($0)" } + ["\(design.weight(ground, item: i))"])
                }
                try writer.finish()
                let distinct = Set(chosen).count
                print("wrote \(chosen.count) rows (\(distinct) distinct) of \(ground.items) candidates (m = \(ground.count), \(method)) to \(output)"
                      + (method == "volume" ? "; weights 1: volume sampling's guarantees are for unweighted least squares" : ""))
                print("evaluate f at each row, add a column 'f', then: dppls fit FILE --features \(features)")
                return
            }
            let space = try space.space()
            let m = space.count
            let design: SamplingDesign
            switch method {
            case "iid": design = .iid(count: count ?? WeightedLeastSquares.requiredSampleSize(m: m, delta: 0.5, eta: 0.1))
            case "dpp": design = .dpp
            case "dpp-repeat":
                guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
                design = .dppRepeat(repetitions: reps)
            case "volume-rescaled": design = .volumeRescaled(count: count ?? 2 * m)
            default: throw ValidationError("--method must be iid, dpp, dpp-repeat or volume-rescaled")
            }
            let points: [[Double]], deviation: Double
            if let condition {
                (points, deviation, _) = try design.drawConditioned(space, delta: condition, boost: boost, using: &rng)
            } else {
                points = try design.draw(space, using: &rng)
                deviation = try WeightedLeastSquares.gramDeviation(space: space, points: points)
            }
            let writer = try CSVWriter(url: URL(fileURLWithPath: output), header: (1...space.dimension).map { "x\($0)" } + ["weight"])
            for x in points { try writer.writeRow(x + [WeightedLeastSquares.weight(space, x)]) }
            try writer.finish()
            print("wrote \(points.count) points (m = \(m), \(method)) to \(output); ‖G − I‖ = \(TextTable.format(deviation))")
            print("evaluate f at each row, add a column 'f', then: dppls fit FILE \(self.space.arguments.joined(separator: " "))")
        }
    }
}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Weighted least-squares fit of evaluated points, with its stability certificate.",
        discussion: """
            Polynomial spaces: DATA has columns x1…xd (as written by design) and the values. A discrete ground set \
            (--features CANDIDATES.csv, the file the design was drawn from): DATA is the design file (columns row, the \
            features, weight) with the values added; the fit is in the span of the candidates' features, with the weights \
            the design wrote.
            """)

    @Argument(help: "CSV with columns x1…xd (as written by design) and the function values; with --features, the design file with the values added.") var data: String
    @OptionGroup var space: SpaceOptions
    @Option(help: ArgumentHelp("The candidates CSV a discrete design was drawn from (fit on its features instead of polynomials).", valueName: "file"))
    var features: String?
    @Option(name: .customLong("value-column"), help: "Name of the function-value column.") var valueColumn = "f"
    @Option(help: "Stability threshold δ for ‖G − I‖.") var delta = 0.5
    @OptionGroup var common: CommonOptions

    func run() throws {
        try reportingErrors {
            let (certificate, table) = try evaluate()
            try common.emit(certificate, table: table)
        }
    }

    /// The function values of `table`'s label column, each a finite number.
    func values(of table: NumericTable) throws -> [Double] {
        try (table.labels ?? []).enumerated().map { i, text -> Double in
            guard let v = Double(text), v.isFinite else {
                throw DataError(file: data, line: i + 2, column: 1, seen: "'\(text)' in column '\(valueColumn)'", expected: "a finite number")
            }
            return v
        }
    }

    func evaluate() throws -> (Certificate, String) {
        if let features { return try evaluateDiscrete(candidates: features) }
        let space = try space.space()
        let url = URL(fileURLWithPath: data)
        let table = try NumericTable.readCSV(url: url, options: .init(label: .name(valueColumn)))
        let names = (1...space.dimension).map { "x\($0)" }
        let columns = try names.map { name -> Int in
            guard let j = table.columnNames.firstIndex(of: name) else {
                throw DataError(file: data, line: 1, column: 1, seen: "columns \(table.columnNames.joined(separator: ","))",
                                expected: "columns \(names.joined(separator: ",")) and '\(valueColumn)' for d = \(space.dimension)")
            }
            return j
        }
        let values = try values(of: table)
        let points = (0..<table.features.rows).map { i in columns.map { table.features[i, $0] } }
        if space.family == .legendre, let bad = points.firstIndex(where: { $0.contains { abs($0) > 1 } }) {
            throw DataError(file: data, line: bad + 2, column: 1, seen: "a point outside [−1, 1]^d", expected: "points in the Legendre basis's domain")
        }
        let fit = try WeightedLeastSquares.fit(space: space, points: points, values: values)
        let certificate = certify(fit, m: space.count,
                                  spaceText: "m = \(space.count), \(space.family.rawValue) \(space.indexSet.rawValue) degree \(space.degree)",
                                  weights: "w = m/k_m", spaceArguments: self.space.arguments,
                                  assumptions: ["f is evaluated exactly at the points", "the weights are the optimal ones, w = m/k_m (recomputed from the points)"],
                                  inputs: [try InputDigest.of(file: url, recordedPath: data)])
        return (certificate, summary(fit, m: space.count))
    }

    /// A fit on a discrete ground set: DATA is a `design --features` file with the values added.
    func evaluateDiscrete(candidates path: String) throws -> (Certificate, String) {
        let candidates = try NumericTable.readCSV(url: URL(fileURLWithPath: path))
        let ground = try DiscreteSpace(featureMatrix: candidates.features)
        let url = URL(fileURLWithPath: data)
        let table = try NumericTable.readCSV(url: url, options: .init(label: .name(valueColumn)))
        let header = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").prefix { $0 != "\n" && $0 != "\r" }.split(separator: ",").map(String.init)
        func column(_ name: String) -> Int { (header.firstIndex(of: name) ?? 0) + 1 }
        let wanted = ["row"] + candidates.columnNames + ["weight"]
        let indices = try wanted.map { name -> Int in
            guard let j = table.columnNames.firstIndex(of: name) else {
                throw DataError(file: data, line: 1, column: 1, seen: "columns \(table.columnNames.joined(separator: ","))",
                                expected: "columns \(wanted.joined(separator: ",")) and '\(valueColumn)', as dppls design --features \(path) writes them")
            }
            return j
        }
        let n = candidates.features.rows
        var items: [Int] = [], weights: [Double] = []
        for i in 0..<table.features.rows {
            let row = table.features[i, indices[0]]
            guard row == row.rounded(), row >= 2, row <= Double(n + 1) else {
                throw DataError(file: data, line: i + 2, column: column("row"), seen: "row \(row)", expected: "a line number of \(path), 2…\(n + 1)")
            }
            let item = Int(row) - 2
            for (k, name) in candidates.columnNames.enumerated() where table.features[i, indices[k + 1]] != candidates.features[item, k] {
                throw DataError(file: data, line: i + 2, column: column(name), seen: "\(name) = \(table.features[i, indices[k + 1]])",
                                expected: "\(candidates.features[item, k]), the value on line \(item + 2) of \(path) (is this the design drawn from it?)")
            }
            let weight = table.features[i, indices.last!]
            guard weight > 0, weight.isFinite else {
                throw DataError(file: data, line: i + 2, column: column("weight"), seen: "weight \(weight)", expected: "a finite positive weight")
            }
            items.append(item)
            weights.append(weight)
        }
        let fit = try WeightedLeastSquares.fit(space: ground, items: items, weights: weights, values: try values(of: table))
        // The same fitted function on the user's own features: X·β = Φ·ĉ on every candidate.
        let raw = try candidates.features.leastSquares(try ground.features.multiplied(by: fit.coefficients)).coefficients
        let sigma = try candidates.features.singularValues()
        let kappa = (sigma.first ?? 0) / (sigma.last ?? 0)
        var certificate = certify(fit, m: ground.count,
                                  spaceText: "m = \(ground.count), the span of the \(ground.count) feature columns of \(path), L² of the uniform measure on its \(n) rows",
                                  weights: "w the design's weights", spaceArguments: ["--features", path],
                                  assumptions: ["f is evaluated exactly at the chosen rows",
                                                "the weights are the design's (1 for volume sampling, m/‖φ_i‖² otherwise), read from \(data)",
                                                "norms are over the \(n) candidate rows with equal mass"],
                                  inputs: [try InputDigest.of(file: url, recordedPath: data), try InputDigest.of(file: URL(fileURLWithPath: path), recordedPath: path)])
        certificate.results["feature_coefficients"] = .array(raw.map(JSONValue.number))
        certificate.tolerate(.conditioned(fit.solutionCondition * kappa), at: "results.feature_coefficients")
        var text = summary(fit, m: ground.count)
        text += "\nin the columns \(candidates.columnNames.joined(separator: ", ")): [\(raw.prefix(12).map { String(format: "%.6g", $0) }.joined(separator: ", "))]"
        return (certificate, text)
    }

    /// The certificate of a fit: the deterministic quasi-optimality statement and the stability
    /// verdict, with tolerances from the problem's conditioning (Certificates/README.md): the
    /// coefficients by their least-squares condition number; ‖G − I‖ = σ² − 1 of the design's
    /// singular values carries the SVD's absolute error, u·σ_max² ≤ u·(1 + d), however small d is
    /// (at Gauss nodes it is pure round-off); the bound factor (1 − d)^(−1/2) divides by 1 − d.
    func certify(_ fit: WeightedLeastSquares.Fit, m: Int, spaceText: String, weights: String, spaceArguments: [String],
                 assumptions: [String], inputs: [InputDigest]) -> Certificate {
        let stable = fit.stable(delta: delta)
        var certificate = Certificate(
            kind: "dppls.weighted-least-squares",
            claim: "For every v in V_m (\(spaceText)), "
                + "‖f − f̂‖ ≤ ‖f − v‖ + bound_factor·‖f − v‖_n with ‖g‖_n² = (1/n)Σ w(x_i)g(x_i)², \(weights) (deterministic, this sample)"
                + (stable ? "; the sample is δ-stable (‖G − I‖ ≤ \(delta))." : "; the sample is NOT δ-stable for δ = \(delta)."),
            assumptions: assumptions,
            parameters: ["space": .array(spaceArguments.map(JSONValue.string)), "delta": .number(delta), "value_column": .string(valueColumn)],
            results: ["coefficients": .array(fit.coefficients.map(JSONValue.number)), "gram_deviation": .number(fit.gramDeviation),
                      "stable": .bool(stable), "bound_factor": .number(fit.boundFactor)],
            evidence: ["n": .integer(fit.count), "m": .integer(m),
                       "chernoff_n_for_delta_eta_0.1": .integer(WeightedLeastSquares.requiredSampleSize(m: m, delta: delta, eta: 0.1))],
            inputs: inputs)
        let d = fit.gramDeviation
        certificate.tolerate(.absolute(Tolerance.roundoffRelative * (1 + d)), at: "results.gram_deviation")
        certificate.tolerate(.conditioned(fit.solutionCondition), at: "results.coefficients")
        if fit.boundFactor.isFinite {
            certificate.tolerate(.conditioned((1 + d) * fit.boundFactor * fit.boundFactor), at: "results.bound_factor")
        }
        return certificate
    }

    func summary(_ fit: WeightedLeastSquares.Fit, m: Int) -> String {
        let stable = fit.stable(delta: delta)
        return """
            \(data): n = \(fit.count) points, m = \(m)
            ‖G − I‖ = \(TextTable.format(fit.gramDeviation)) (\(stable ? "stable" : "NOT stable") at δ = \(delta)); bound factor (1 − ‖G − I‖)^(−1/2) = \
            \(fit.boundFactor.isFinite ? TextTable.format(fit.boundFactor) : "∞")
            coefficients: [\(fit.coefficients.prefix(12).map { String(format: "%.6g", $0) }.joined(separator: ", "))\(fit.count > 12 && m > 12 ? ", …" : "")]
            """
    }
}

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The Papers/DPPLeastSquares comparison: i.i.d. vs DPP repetitions vs volume-rescaled, n = m…8m.",
        discussion: "1-D: m = 10 Legendre, f = 1/(1+25x²). 2-D: total degree 3 (m = 10), f = 1/(1+25(x²+y²)).")

    @Option(help: "1 or 2.") var dim = 1
    @Option(help: "Draws per cell.") var trials = 2000
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Write an SVG plot of P(‖G − I‖ ≤ ½) and the median error ratio.", valueName: "file")) var plot: String?

    func run() throws {
        try reportingErrors {
            guard dim == 1 || dim == 2 else { throw ValidationError("--dim must be 1 or 2") }
            guard trials >= 10 else { throw ValidationError("--trials must be at least 10") }
            let space = try PolynomialSpace(family: .legendre, dimension: dim, degree: dim == 1 ? 9 : 3)
            let experiment = try LeastSquaresExperiment(space: space, quadraturePoints: dim == 1 ? 400 : 100) { x in
                1 / (1 + 25 * x.reduce(0) { $0 + $1 * $1 })
            }
            let m = space.count
            print("m = \(m) (\(dim)-D Legendre, total degree \(space.degree)), e_m(f) = \(String(format: "%.5g", experiment.bestError2.squareRoot())), \(trials) draws per cell")
            var table = TextTable(header: ["n", "design", "P(‖G−I‖≤½)", "median ‖f−f̂‖/e_m", "q90", "E‖f−f̂‖²/e_m²"])
            var stability: [String: [(x: Double, y: Double)]] = [:], medians: [String: [(x: Double, y: Double)]] = [:]
            var rng = RandomStream(seed: seed)
            let bar = ProgressBar(total: 18, label: "designs")
            for r in [1, 2, 3, 4, 5, 8] {
                for design in [SamplingDesign.iid(count: r * m), .dppRepeat(repetitions: r), .volumeRescaled(count: r * m)] {
                    let row = try experiment.run(design, trials: trials, using: &rng)
                    bar.advance()
                    table.append([.integer(row.n), .text(row.design), .number(row.stableFraction, digits: 3), .number(row.medianRatio, digits: 3),
                                  .number(row.q90Ratio, digits: 3), .number(row.meanSquaredRatio, digits: 3)])
                    stability[row.design, default: []].append((Double(row.n) / Double(m), row.stableFraction))
                    medians[row.design, default: []].append((Double(row.n) / Double(m), row.medianRatio))
                }
            }
            bar.finish()
            print(table.render())
            if let plot {
                let names = ["i.i.d. ρ_m", "DPP repetitions", "volume-rescaled"]
                let a = LineChart(title: "P(‖G − I‖ ≤ ½), m = \(m)", xLabel: "n / m", yLabel: "probability",
                                  series: names.map { .init(name: $0, points: stability[$0] ?? []) }, yRange: 0...1)
                let b = LineChart(title: "median ‖f − f̂‖ / e_m, m = \(m)", xLabel: "n / m", yLabel: "ratio",
                                  series: names.map { .init(name: $0, points: medians[$0] ?? []) })
                try AtomicFileWriter.write(Array(a.svg().utf8), to: URL(fileURLWithPath: plot))
                let second = URL(fileURLWithPath: plot).deletingPathExtension().appendingPathExtension("median.svg")
                try AtomicFileWriter.write(Array(b.svg().utf8), to: second)
                print("plots: \(plot), \(second.path)")
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recompute a dppls fit certificate from its recorded parameters and input, and compare.")

    @Argument(help: "The certificate (JSON).") var certificate: String

    func run() throws {
        try verifyCertificate(at: certificate, kind: "dppls.weighted-least-squares") { recorded in
            guard let spaceArguments = recorded.parameters["space"]?.arrayValue?.compactMap(\.stringValue),
                  let delta = recorded.parameters["delta"]?.doubleValue, let column = recorded.parameters["value_column"]?.stringValue,
                  let input = recorded.inputs.first else {
                throw ValidationError("\(certificate) records no parameters or input to recompute from")
            }
            // Recorded fields are reparsed: one that asks for help would print it and exit 0.
            return try Fit.parse(refusingEarlyExits([input.path] + spaceArguments + ["--delta", "\(delta)", "--value-column", column],
                                                    path: certificate)).evaluate().0
        }
    }
}
