import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import SuretyData
import SuretyNumerics
import TestableLearning

@main
struct HalfspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "halfspace",
        abstract: "Testable learning of halfspaces: a learned halfspace with tests certifying near-optimality (GKSV, ICLR 2024).",
        subcommands: [Learn.self, Test.self, Predict.self, Simulate.self, Verify.self],
        defaultSubcommand: Learn.self
    )
}

/// A labelled CSV read and mapped to ±1.
struct LabeledData {
    var sample: LabeledSample
    var labels: BinaryLabels
    var digest: InputDigest
    /// The feature columns, in order (what `predict` must find).
    var columns: [String]

    init(path: String, label: String, positive: String?) throws {
        let url = URL(fileURLWithPath: path)
        let table = try NumericTable.readCSV(url: url, options: .init(label: .name(label)))
        columns = table.columnNames
        let column = (try NumericCSVReader(url: url, options: .init(label: .name(label))).labelIndex ?? 0) + 1
        labels = try BinaryLabels(table.labels ?? [], positive: positive, file: path, column: column)
        guard table.features.columns >= 1 else {
            throw DataError(file: path, line: 1, column: 1, seen: "no feature columns", expected: "at least one numeric column besides '\(label)' (d ≥ 1)")
        }
        sample = try LabeledSample(points: table.features, labels: labels.labels)
        digest = try InputDigest.of(file: url)
    }
}

/// The label-noise model the near-optimality bound assumes.
enum NoiseOption: String, ExpressibleByArgument, CaseIterable {
    case massart, agnostic
}

struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn a halfspace, test the marginal around it and bound its excess error over the best halfspace.",
        discussion: """
            Exit 0 when the tests accept and the data prove err ≤ opt + ε; exit 1 (certificate still written) when a test \
            rejects or ε is not reached — the certificate then states what is proved; exit 64 when the data are too few \
            for ε (the message says how many are needed). The near-optimality bound assumes an N(0, I) marginal (tested, \
            not proved) and the --noise model. Without a data file, runs the embedded example: d = 10 Gaussian points, \
            quadrant-Massart labels η = 0.2, n = 100 000.
            """)

    @Argument(help: "CSV with a header row, numeric feature columns and a label column (±1, 0/1 or two names).")
    var data: String?
    @Option(help: "Name of the label column.") var label = "y"
    @Option(help: "The label that maps to +1 (default: 1, or the second name in sorted order).") var positive: String?
    @Option(help: "Target excess error ε.") var epsilon = 0.05
    @Option(help: "Failure probability δ.") var delta = 0.01
    @Option(help: "Label noise the near-optimality bound assumes: agnostic (any labels) or massart (flip rate ≤ --eta).")
    var noise: NoiseOption = .agnostic
    @Option(help: "Massart bound η̄ < 1/2 on the flip rate (required with --noise massart).") var eta: Double?
    @Option(help: "Certify the error bound on a fresh hold-out of this share of the data (ln(4/δ), no union over candidates); 0: on the validation split.")
    var holdout = 0.0
    @Flag(help: "Whiten: fit the mean and a whitening W (WᵀW = Σ̂⁻¹, scale-free) on a separate --fit-share of the rows and learn on the rest (tests widened for the fit's error, δ/4 charged).")
    var standardize = false
    @Option(help: "Share of the rows that fit the standardization.") var fitShare = 0.2
    @Flag(help: "Learn sign(⟨w, x⟩ + b): b chosen on a separate --intercept-share of the rows (only its distribution-free error bound is claimed, δ/4 charged).")
    var intercept = false
    @Option(help: "Share of the rows that choose the intercept.") var interceptShare = 0.2
    @Option(help: "Degree of the full moment-matching test (skipped, with a note, above 12 000 monomials).") var degree = 4
    @OptionGroup var common: CommonOptions

    func validate() throws {
        switch (noise, eta) {
        case (.massart, nil): throw ValidationError("--noise massart needs the flip-rate bound --eta (without one, use --noise agnostic)")
        case (.massart, let eta?) where !(eta >= 0 && eta < 0.5): throw ValidationError("--eta must be in [0, 1/2)")
        case (.agnostic, .some): throw ValidationError("--eta applies to --noise massart only")
        default: break
        }
    }

    var noiseModel: NearOptimalityBound.NoiseModel {
        switch noise {
        case .massart: .massart(bound: eta ?? 0)
        case .agnostic: .agnostic
        }
    }

    func run() throws {
        let certified = try reportingErrors { () -> Bool in
            let seed = common.resolvedSeed()
            let (certificate, table) = try evaluate(seed: seed, arguments: reproducibleArguments(Array(CommandLine.arguments.dropFirst()), subcommand: "learn"))
            try common.emit(certificate, table: table)
            return certificate.results["certified"]?.boolValue == true
        }
        if !certified { throw SuretyExitCode.failure }
    }

    func evaluate(seed: UInt64, arguments: [String]) throws -> (Certificate, String) {
        var learner = try TesterLearner(epsilon: epsilon, delta: delta, noise: noiseModel)
        learner.holdoutShare = holdout
        learner.momentDegree = degree
        var preparation = DataPreparation(standardize: standardize, intercept: intercept)
        (preparation.fitShare, preparation.interceptShare) = (fitShare, interceptShare)
        var rng = RandomStream(seed: seed)
        let sample: LabeledSample, labels: BinaryLabels?, inputs: [InputDigest]
        var header = "", columns = (1...10).map { "x\($0)" }
        if let data {
            let loaded = try LabeledData(path: data, label: label, positive: positive)
            (sample, labels, inputs, columns) = (loaded.sample, loaded.labels, [loaded.digest], loaded.columns)
            header = "\(data): \(sample.count) rows, d = \(sample.dimension); label '\(loaded.labels.positive)' → +1, '\(loaded.labels.negative)' → −1\n"
        } else {
            var example = RandomStream(seed: 2024)
            let x = try Marginal.gaussian.sample(count: 100_000, dimension: 10, using: &example)
            sample = try LabeledSample(dimension: 10, values: x, labels: LabelModel.quadrantMassart(eta: 0.2).labels(x, dimension: 10, using: &example))
            (labels, inputs) = (nil, [])
            header = "embedded example: N(0, I₁₀), quadrant-Massart labels η = 0.2 (opt ≈ 0.1), n = 100 000, data seed 2024\n"
        }
        let result = try learner.run(sample, preparation: preparation, using: &rng)
        var certificate = result.certificate(learner: learner, inputs: inputs, seed: seed, arguments: arguments,
                                             labels: (labels?.positive ?? "+1", labels?.negative ?? "-1"))
        result.recordPreparation(preparation, featureColumns: columns, labelColumn: data == nil ? nil : label, in: &certificate)
        var table = TextTable(header: ["test", "statistic", "acceptance region", "verdict"])
        for t in result.tests {
            let region = t.lower.isFinite ? "[\(TextTable.format(t.lower)), \(TextTable.format(t.upper))]" : "≤ \(TextTable.format(t.upper))"
            table.append([.text(t.name), .number(t.statistic, digits: 4), .text(region), .text(t.passed ? "pass" : "FAIL")])
        }
        let near = result.nearOptimality
        var widths = TextTable(header: ["σ", "‖ĝ‖", "radius r", "Γ(π/2)", "angle bound"])
        for w in near.widths {
            widths.append([.number(w.sigma, digits: 3), .number(w.gradientNorm, digits: 4), .number(w.radius, digits: 4),
                           .number(w.largestGamma, digits: 4), .text(w.angle < Double.pi / 2 ? String(format: "%.2f°", w.angle * 180 / .pi) : "none")])
        }
        let verdict: String
        switch (result.accepted, near.excessBound) {
        case (false, _): verdict = "not certified: \(result.failedTests.count) test(s) failed"
        case (true, .some(let e)) where result.certified: verdict = "certified: error ≤ opt + \(String(format: "%.4f", e)) ≤ opt + \(epsilon)"
        case (true, .some(let e)): verdict = "not certified at ε = \(epsilon): the data prove only error ≤ opt + \(String(format: "%.4f", e))"
            + (near.reason.map { " — \($0)" } ?? "")
        case (true, .none): verdict = "not certified: \(near.reason ?? "no bound")"
        }
        let summary = """
            \(header)tests: \(result.accepted ? "ACCEPT" : "REJECT") (δ = \(delta)); near-optimality assumes N(0, I) and \(noiseModel)
            weights: [\(result.weights.map { String(format: "%.4f", $0) }.joined(separator: ", "))]
            validation error \(String(format: "%.4f", result.validationError)), error bound \(String(format: "%.4f", result.errorBound)) \
            (any distribution, prob. ≥ 1 − δ); σ = \(result.sigma), \(result.candidateCount) candidates, splits \(result.splitSizes.sgd)/\(result.splitSizes.test)/\(result.splitSizes.validation)
            \(verdict)
            """
        return (certificate, summary + "\n" + table.render() + result.notes.map { "\nnote: \($0)" }.joined() + "\nnear-optimality (gradient at ŵ on the test split; an angle is excluded where Γ > ‖ĝ‖ + r):\n" + widths.render())
    }
}
struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label-free tests of the marginal against N(0, I): mean, covariance, degree-4 moments, moment matching.",
        discussion: "The label column (--label, default y) is left out when the file has it; --all-columns tests every column.")

    @Argument(help: "CSV with a header row and numeric columns.") var data: String
    @Option(help: "The label column to leave out (default: y, when present; naming a column the file lacks is an error).") var label: String?
    @Flag(help: "Test every column, a column named like the label included.") var allColumns = false
    @Option(help: "Failure probability δ (split over the tests).") var delta = 0.01
    @Option(help: "Degree of the full moment-matching test (skipped, with a note, above 12 000 monomials).") var degree = 4
    @Flag(help: "Whiten first: fit the mean and a whitening W (WᵀW = Σ̂⁻¹, scale-free) on a separate --fit-share of the rows, test the rest with thresholds widened for the fit's error (δ/4 charged).")
    var standardize = false
    @Option(help: "Share of the rows that fit the standardization.") var fitShare = 0.2
    @Option(help: "Seed of the random directions (and, with --standardize, of the split).") var seed: UInt64 = 1

    func validate() throws {
        guard delta > 0, delta < 1 else { throw ValidationError("--delta must be in (0, 1)") }
        guard degree >= 1 else { throw ValidationError("--degree must be at least 1") }
        guard fitShare > 0, fitShare < 0.5 else { throw ValidationError("--fit-share must be in (0, 1/2)") }
        if allColumns && label != nil { throw ValidationError("--all-columns and --label exclude each other") }
    }

    func run() throws {
        let passed = try reportingErrors { () -> Bool in
            let url = URL(fileURLWithPath: data)
            let names = try NumericCSVReader(url: url).columnNames
            let left = allColumns ? nil : (label ?? (names.contains("y") ? "y" : nil))
            let table = try NumericTable.readCSV(url: url, options: .init(label: left.map { .name($0) }))
            var sample = try LabeledSample(points: table.features, labels: Array(repeating: 1, count: table.features.rows))
            var rng = RandomStream(seed: seed)
            var slack: WhiteningSlack?, testedDelta = delta
            var lines = ["\(data): \(sample.count) rows, d = \(sample.dimension)\(left.map { " (label column '\($0)' left out)" } ?? ""), δ = \(delta)"]
            if standardize {
                let shuffled = sample.shuffled(using: &rng)
                let nFit = Int(Double(sample.count) * fitShare)
                let fitted = try Standardization.fit(shuffled.rows(0..<nFit))
                slack = try WhiteningSlack(dimension: sample.dimension, fitRows: nFit, failureProbability: delta / 4)
                sample = try fitted.apply(shuffled.rows(nFit..<shuffled.count))
                testedDelta = delta * 3 / 4
                lines.append("standardized on \(nFit) rows (mean and W, WᵀW = Σ̂⁻¹); \(sample.count) rows tested with widened thresholds (δ/4 charged to the fit)")
            }
            let battery = LabelFreeBattery(dimension: sample.dimension, degree: degree, slack: slack)
            let tests = try battery.run(sample, failureProbability: testedDelta / Double(battery.testCount), using: &rng)
            var out = TextTable(header: ["test", "statistic", "threshold", "verdict"])
            for t in tests { out.append([.text(t.name), .number(t.statistic, digits: 4), .number(t.upper, digits: 4), .text(t.passed ? "pass" : "FAIL")]) }
            if battery.skipNote != nil {
                out.append([.text("moment matching (degree \(degree), \(battery.monomials) monomials)"), .text("—"), .text("—"), .text("skipped")])
            }
            print(lines.joined(separator: "\n"))
            print(out.render() + (battery.skipNote.map { "\nnote: \($0)" } ?? ""))
            return tests.allSatisfy(\.passed)
        }
        if !passed { throw SuretyExitCode.failure }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write labelled data from the experiments' generators as CSV (columns x1…xd, y).")

    @Option(help: "gaussian, cube, student-t, laplace, ckmy, correlated.") var marginal = "gaussian"
    @Option(help: "clean, random-flips, quadrant-massart, wedge-massart, band-massart, adversarial, ckmy.") var labels = "quadrant-massart"
    @Option(help: "Noise rate η (or opt for adversarial).") var eta = 0.2
    @Option(name: .customLong("band"), help: "Threshold t of band-massart, margin of wedge-massart.") var band = 0.5
    @Option(name: .customShort("n"), help: "Rows.") var count = 40_000
    @Option(name: .customShort("d"), help: "Dimension.") var dimension = 10
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output CSV (atomic).") var output: String

    func run() throws {
        try reportingErrors {
            guard let m = Marginal(rawValue: marginal) else { throw ValidationError("--marginal: one of \(Marginal.allCases.map(\.rawValue).joined(separator: ", "))") }
            let model: LabelModel
            switch labels {
            case "clean": model = .clean
            case "random-flips": model = .randomFlips(eta: eta)
            case "quadrant-massart": model = .quadrantMassart(eta: eta)
            case "band-massart": model = .bandMassart(eta: eta, threshold: band)
            case "wedge-massart": model = .wedgeMassart(eta: eta, margin: band)
            case "adversarial": model = .adversarial(opt: eta)
            case "ckmy": model = .ckmy(eta: eta)
            default: throw ValidationError("--labels: clean, random-flips, quadrant-massart, wedge-massart, band-massart, adversarial or ckmy")
            }
            guard count >= 1 else { throw ValidationError("-n must be at least 1") }
            var rng = RandomStream(seed: seed)
            let x = try m.sample(count: count, dimension: dimension, using: &rng)
            let y = try model.labels(x, dimension: dimension, using: &rng)
            let writer = try CSVWriter(url: URL(fileURLWithPath: output), header: (1...dimension).map { "x\($0)" } + ["y"])
            for i in 0..<count {
                try writer.writeRow(fields: x[(i * dimension)..<((i + 1) * dimension)].map { "\($0)" } + [y[i] > 0 ? "1" : "-1"])
            }
            try writer.finish()
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute a halfspace certificate from its recorded arguments, seed and inputs, and compare.",
        discussion: "Run from the directory the certificate's input paths are relative to.")

    @Argument(help: "The certificate (JSON).") var certificate: String

    func run() throws {
        try verifyCertificate(at: certificate, kind: "halfspace.tester-learner") { recorded in
            let (arguments, seed) = try recordedArguments(of: recorded, path: certificate)
            guard let seed else { throw ValidationError("\(certificate) records no seed to recompute from") }
            // Recorded as the tool records them, or the recomputation would echo a forged list.
            return try Learn.parse(arguments).evaluate(seed: seed, arguments: reproducibleArguments(arguments, subcommand: "learn")).0
        }
    }
}
