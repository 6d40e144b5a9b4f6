import ArgumentParser
import COLEP
import Certificates
import Charts
import CommandLineSupport
import Conformal
import Foundation
import ProbabilisticCircuits
import SuretyData
import SuretyNumerics

@main
struct COLEPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colep",
        abstract: "Certified-robust conformal prediction with knowledge (COLEP, Kang et al. ICLR 2024).",
        subcommands: [Certify.self, Predict.self, Sweep.self, Simulate.self, Verify.self],
        defaultSubcommand: Certify.self
    )
}

extension COLEPCalibration: ExpressibleByArgument {}
extension EstimateKind: ExpressibleByArgument {}

/// Options shared by the subcommands that build a COLEP predictor.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: """
        Rules file (classes, concepts, 'class => concept  w=…  pc=…'). Default: the digits example's knowledge for the \
        digits example; COLEP's GTSRB knowledge (Examples/colep-knowledge/gtsrb.rules) with --synthetic or data files.
        """)
    var knowledge: String?
    @Option(help: "Target miscoverage α of the class sets.")
    var alpha = 0.1
    @Option(name: .customLong("alpha-cert"), help: "Failure probability of each sensor's smoothing box (α_cert).")
    var alphaCert = 0.001
    @Option(help: """
        Binary score per variable: lac (default) or aps (randomized, the official code's default).         Randomized binary APS gives confident negatives uniform scores, which inflates the union-bound sets.
        """)
    var score = "lac"
    @Option(name: .customLong("circuit-share"), help: "λ: weight of the circuits against the raw sensor (the code's pc_weight).")
    var circuitShare = 0.5
    @Flag(name: .customLong("concept-pruning"), help: "Also calibrate the concepts and prune contradicting classes.")
    var conceptPruning = false
    @Option(name: .customLong("alpha-split"), help: """
        How α is shared among the variables: union (each used variable at (α − V·α_cert)/K) or class-conditional \
        (each class's threshold calibrated on that class: (α − V·α_cert)/(1 + concepts used)). The table shows both.
        """)
    var alphaSplit: COLEPCalibration = .unionBound
    @Option(name: .customLong("circuit-weights"), help: "β per circuit, e.g. shape=2,strokes=1 (default: uniform over the circuits containing a variable).")
    var circuitWeights: String?

    func parsedCircuitWeights() throws -> [String: Double]? {
        guard let circuitWeights else { return nil }
        var out: [String: Double] = [:]
        for item in circuitWeights.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let w = Double(parts[1]) else {
                throw ValidationError("--circuit-weights must look like shape=2,strokes=1, not '\(item)'")
            }
            out[parts[0]] = w
        }
        return out
    }

    /// The `--rules` file, else `fallback`, else COLEP's GTSRB knowledge.
    func knowledgeBase(fallback: URL? = nil) throws -> KnowledgeBase {
        if let knowledge { return try KnowledgeBase(contentsOf: URL(fileURLWithPath: knowledge)) }
        if let fallback { return try KnowledgeBase(contentsOf: fallback) }
        return try ReferenceKnowledge.gtsrb()
    }

    func predictor(fallbackKnowledge: URL? = nil) throws -> COLEPPredictor {
        let base: ClassificationScore
        switch score {
        case "aps": base = .aps(randomized: true)
        case "lac": base = .lac
        default: throw ValidationError("--score must be 'aps' or 'lac', not '\(score)'")
        }
        let correction = try KnowledgeCorrection(knowledge: knowledgeBase(fallback: fallbackKnowledge), circuitShare: circuitShare,
                                                 circuitWeights: parsedCircuitWeights())
        return try COLEPPredictor(correction: correction, alpha: alpha, score: base, smoothingFailure: alphaCert,
                                  conceptPruning: conceptPruning, calibration: alphaSplit)
    }
}

/// The data and method options shared by certify, predict and sweep.
struct RunOptions: ParsableArguments {
    @OptionGroup var model: ModelOptions
    @Option(help: "Calibration split (CSV, or NPY when the name ends in .npy).") var calibration: String?
    @Option(help: "Test split (CSV or NPY).") var test: String?
    @Option(help: """
        What the sensor columns hold: votes (counts out of --mc-samples) or mean (Monte-Carlo mean probabilities). Both \
        splits must come from noisy copies with the same σ and N: clean softmax outputs given as means void the guarantee.
        """)
    var kind: EstimateKind = .votes
    @Option(name: .customLong("mc-samples"), help: "Noise draws N behind every estimate (Monte-Carlo samples).") var draws = 1000
    @Option(help: "Smoothing noise σ.") var sigma = 0.25
    @Option(help: "ν: the certified coverage holds with probability 1 − ν over the test sample.") var confidence = 0.01
    @Flag(help: "Without data files, run the synthetic GTSRB example instead of the digits example.") var synthetic = false
    @Flag(help: "Digits example: also run an ℓ2 PGD attack of radius ε on the smoothed pipeline and report COLEP's coverage under it.")
    var attack = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard draws >= 1 else { throw ValidationError("--mc-samples must be at least 1, not \(draws)") }
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence (ν) must lie in (0, 1), not \(confidence)") }
        guard sigma > 0, sigma.isFinite else { throw ValidationError("--sigma must be a positive number, not \(sigma)") }
        guard model.alpha > 0, model.alpha < 1 else { throw ValidationError("--alpha must lie in (0, 1), not \(model.alpha)") }
        guard model.alphaCert > 0, model.alphaCert < 1 else { throw ValidationError("--alpha-cert must lie in (0, 1), not \(model.alphaCert)") }
    }

    /// Runs the certification and builds its certificate; the parameters record the
    /// arguments that reproduce it (`colep verify`).
    func certify(seed: UInt64, eps: Double) throws -> (Certificate, COLEPEvaluation) {
        let digits = calibration == nil && test == nil && !synthetic
        let predictor = try model.predictor(fallbackKnowledge: digits ? DigitsExample.rulesURL : nil)
        let smoothing = try RandomizedSmoothing(sigma: sigma, radius: eps)
        var rng = RandomStream(seed: seed)
        var (cal, tst, inputs, context) = try splits(predictor: predictor, using: &rng)
        if let knowledge = model.knowledge {
            inputs.append(try InputDigest.of(file: URL(fileURLWithPath: knowledge), recordedPath: knowledge))
        } else if !digits {
            // The default knowledge is a file too: record it, so a changed file does not verify.
            inputs.append(try InputDigest.of(file: ReferenceKnowledge.gtsrbURL, recordedPath: "Examples/colep-knowledge/gtsrb.rules"))
        }
        var evaluation = try COLEPEvaluation.run(predictor: predictor, smoothing: smoothing, calibration: cal, test: tst,
                                                 confidence: confidence, using: &rng)
        if attack {
            guard let context else { throw ValidationError("--attack needs the digits example (the attack needs the sensors and images)") }
            // Empirical soundness check: PGD on the smoothed pipeline — through the circuits for
            // the COLEP variants, through the main model alone (λ = 0) for the others — then
            // every method's standard sets at the attacked images from fresh Monte-Carlo votes.
            let mainOnly = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: predictor.correction.knowledge, circuitShare: 0),
                                              alpha: predictor.alpha, score: predictor.score, smoothingFailure: predictor.smoothingFailure)
            var attackedVotes: [Matrix] = []
            for (target, label) in [(predictor, "PGD attack on COLEP"), (mainOnly, "PGD attack on the main model")] {
                let bar = ProgressBar(total: context.testLabels.count, label: label)
                let attacked = try SmoothedPipelineAttack(radius: eps).attack(context.testFeatures, labels: context.testLabels, sensors: context.sensors,
                                                                              predictor: target, roles: context.roles, progress: { bar.advance() },
                                                                              using: &rng)
                bar.finish()
                let votes = try context.sensors.votes(attacked, draws: draws, variables: context.roles, using: &rng)
                attackedVotes.append(try SensorSplit(estimates: votes, labels: context.testLabels).estimateMatrix())
            }
            try evaluation.recordAttack(knowledgeAttacked: attackedVotes[0], mainAttacked: attackedVotes[1], labels: context.testLabels, using: &rng)
        }
        var certificate = evaluation.certificate(predictor: predictor, smoothing: smoothing, inputs: inputs, seed: seed)
        if attack {
            certificate.tolerate(.decisions(flips: 3, outOf: evaluation.testCount)) { $0.hasSuffix("under_attack") }
        }
        certificate.parameters["data"] = .string(digits ? "digits example" : synthetic ? "synthetic example" : "files")
        certificate.parameters["draws"] = .integer(draws)
        certificate.parameters["kind"] = .string(kind.rawValue)
        certificate.parameters["arguments"] = .array((arguments + ["--eps", "\(eps)"]).map(JSONValue.string))
        return (certificate, evaluation)
    }

    /// The options of this run as command-line arguments (without --eps, --seed, --json, --output).
    var arguments: [String] {
        var out = ["--alpha", "\(model.alpha)", "--alpha-cert", "\(model.alphaCert)", "--score", model.score,
                   "--alpha-split", model.alphaSplit.rawValue,
                   "--circuit-share", "\(model.circuitShare)", "--kind", kind.rawValue, "--mc-samples", "\(draws)",
                   "--sigma", "\(sigma)", "--confidence", "\(confidence)"]
        if model.conceptPruning { out.append("--concept-pruning") }
        if let weights = model.circuitWeights { out += ["--circuit-weights", weights] }
        if synthetic { out.append("--synthetic") }
        if attack { out.append("--attack") }
        if let knowledge = model.knowledge { out += ["--rules", knowledge] }
        if let calibration, let test { out += ["--calibration", calibration, "--test", test] }
        return out
    }

    func splits(predictor: COLEPPredictor, using rng: inout RandomStream) throws
        -> (SensorSplit, SensorSplit, [InputDigest], DigitsExample.AttackContext?) {
        let estimateKind = kind
        switch (calibration, test) {
        case let (cal?, tst?):
            let calURL = URL(fileURLWithPath: cal), testURL = URL(fileURLWithPath: tst)
            let knowledge = predictor.correction.knowledge
            return (try SensorSplit.read(url: calURL, knowledge: knowledge, kind: estimateKind, draws: draws),
                    try SensorSplit.read(url: testURL, knowledge: knowledge, kind: estimateKind, draws: draws),
                    [try InputDigest.of(file: calURL, recordedPath: cal), try InputDigest.of(file: testURL, recordedPath: tst)], nil)
        case (nil, nil) where synthetic:
            StandardError.print("colep: running the synthetic GTSRB example "
                + "(1000 + 1000 samples, N = \(draws) votes, weak class sensors beside strong concept sensors)")
            return (try Simulate.split(predictor: predictor, count: 1000, sigma: sigma, draws: draws, using: &rng),
                    try Simulate.split(predictor: predictor, count: 1000, sigma: sigma, draws: draws, using: &rng), [], nil)
        case (nil, nil):
            let (cal, tst, inputs, context) = try DigitsExample.splits(predictor: predictor, sigma: sigma, draws: draws, using: &rng)
            return (cal, tst, inputs, context)
        default:
            throw ValidationError("give both --calibration and --test, or neither for the embedded example")
        }
    }
}

struct Certify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibrate on one split, certify on another; compare COLEP's two α splits with the main model alone (RSCP+ on the same boxes) and vanilla APS.",
        discussion: """
            Data files are CSV: a header with 'label' and one column per variable of the knowledge \
            file; each row a sample's class name and its sensors' smoothing estimates (vote counts \
            out of --mc-samples, or mean probabilities with --kind mean). Or NPY (.npy): a float64 array \
            of shape (samples, 1 + variables), the class index first, then the variables in the \
            knowledge file's declaration order. Without --calibration and --test \
            the command runs the embedded handwritten-digits example (Examples/colep-digits: sensors \
            trained here with noise augmentation, then smoothed with --mc-samples votes), or with \
            --synthetic the synthetic GTSRB example.
            """
    )

    @OptionGroup var options: RunOptions
    @Option(help: "ℓ2 attack radius ε.") var eps = 0.1

    func validate() throws {
        guard eps >= 0, eps.isFinite else { throw ValidationError("--eps must be a radius ≥ 0, not \(eps)") }
    }

    func run() throws {
        try reportingErrors {
            let (certificate, evaluation) = try certify(seed: options.common.resolvedSeed())
            try options.common.emit(certificate, table: Self.table(evaluation, eps: eps))
        }
    }

    func certify(seed: UInt64) throws -> (Certificate, COLEPEvaluation) { try options.certify(seed: seed, eps: eps) }

    static func table(_ e: COLEPEvaluation, eps: Double) -> String {
        let attacked = e.methods.contains { $0.coverageUnderAttack != nil }
        var header = ["method", "α", "certified coverage (ε = \(eps))", "clean coverage", "mean set size", "mean certified set size"]
        if attacked { header += ["coverage under PGD", "set size under PGD"] }
        var table = TextTable(header: header)
        for m in e.methods {
            var row: [TextTable.Cell] = [.text(m.name), .number(m.alpha, digits: 4), m.certifiedCoverage.map { .number($0, digits: 4) } ?? "—",
                                         .number(m.empiricalCoverageClean, digits: 4), .number(m.meanSetSize, digits: 3),
                                         m.meanCertifiedSetSize.map { .number($0, digits: 3) } ?? "—"]
            if attacked {
                row += [m.coverageUnderAttack.map { .number($0, digits: 4) } ?? "—", m.meanSetSizeUnderAttack.map { .number($0, digits: 3) } ?? "—"]
            }
            table.append(row)
        }
        return table.render() + "\n" + Self.legend(e, eps: eps)
    }

    /// What each column states.
    static func legend(_ e: COLEPEvaluation, eps: Double) -> String {
        """
        certified coverage: a lower bound, holding with probability \(e.confidence) over the test sample, on the standard sets' coverage \
        under every ℓ2 attack of radius ≤ \(eps) (exact one-sided Clopper–Pearson on the test points whose true class survives the worst \
        point of its smoothing boxes, minus the boxes' failure probability: \(e.sensorsPerDecision) × α_cert for COLEP, 1 × α_cert for RSCP+).
        clean coverage, set sizes: measured on the test split. RSCP+ rows "at COLEP size": the main model's threshold moved until its \
        mean set size on the calibration split reaches that COLEP variant's (α is then the rank's level, not a guarantee; the certified \
        coverage stays a valid bound). calibration n = \(e.calibrationCount), test n = \(e.testCount), COLEP α_j = \(String(format: "%.4g", e.variableAlpha)) per variable.
        """
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic calibration or test split (linear sensors with closed-form smoothing, spec §7) as CSV votes.")

    @OptionGroup var model: ModelOptions
    @Option(help: "Number of samples.") var count = 1000
    @Option(name: .customLong("mc-samples"), help: "Noise draws N per estimate (Monte-Carlo samples).") var draws = 1000
    @Option(help: "Smoothing noise σ.") var sigma = 0.25
    @Option(help: "Output CSV file.") var to: String
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .customLong("class-noise"), help: "Noise of the class sensors' inputs (error rate Φ(−1/noise)).") var classNoise = 0.5
    @Option(name: .customLong("concept-noise"), help: "Noise of the concept sensors' inputs.") var conceptNoise = 0.25

    func validate() throws {
        guard draws >= 1 else { throw ValidationError("--mc-samples must be at least 1, not \(draws)") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count)") }
    }

    func run() throws {
        try reportingErrors {
            let predictor = try model.predictor()
            var rng = RandomStream(seed: seed)
            let split = try Self.split(predictor: predictor, count: count, sigma: sigma, draws: draws,
                                       classNoise: classNoise, conceptNoise: conceptNoise, using: &rng)
            try split.writeCSV(to: URL(fileURLWithPath: to), knowledge: predictor.correction.knowledge)
        }
    }

    static func split(predictor: COLEPPredictor, count: Int, sigma: Double, draws: Int, classNoise: Double = 0.5, conceptNoise: Double = 0.25,
                      using rng: inout RandomStream) throws -> SensorSplit {
        let data = try SyntheticKnowledgeData(predictor: predictor, count: count, classNoise: classNoise, conceptNoise: conceptNoise, using: &rng)
        return SensorSplit(estimates: try SyntheticKnowledgeData.votes(data.inputs, sigma: sigma, draws: draws, using: &rng), labels: data.labels)
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute a colep certificate from its recorded arguments, seed and inputs, and compare.",
        discussion: "Run from the directory the certificate's relative input paths are relative to (the repository root for the examples).")

    @Argument(help: "The certificate (JSON).") var certificate: String

    func run() throws {
        try verifyCertificate(at: certificate, kind: "colep.certified-coverage") { recorded in
            let (arguments, seed) = try recordedArguments(of: recorded, path: certificate)
            guard let seed else { throw ValidationError("\(certificate) records no seed to recompute from") }
            return try Certify.parse(arguments).certify(seed: seed).0
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "COLEP class sets without certification: calibrate, predict the test split, write one set per sample.",
        discussion: "Same data options as certify. With --sets FILE the sets are written as CSV (sample, label, set).")

    @OptionGroup var certify: RunOptions
    @Option(help: "Write the sets to this CSV file (atomically).") var sets: String?

    func run() throws {
        try reportingErrors {
            let digits = certify.calibration == nil && certify.test == nil && !certify.synthetic
            let predictor = try certify.model.predictor(fallbackKnowledge: digits ? DigitsExample.rulesURL : nil)
            let seed = certify.common.resolvedSeed()
            var rng = RandomStream(seed: seed)
            let (cal, tst, inputs, _) = try certify.splits(predictor: predictor, using: &rng)
            let model = try predictor.calibrate(estimates: cal.estimateMatrix(), labels: cal.labels, using: &rng)
            let classSets = try model.predict(estimates: tst.estimateMatrix(), using: &rng)
            let knowledge = predictor.correction.knowledge
            let names = predictor.classes.map { knowledge.variables[$0].name }
            if let sets {
                var text = "sample,label,set\n"
                for i in 0..<classSets.count {
                    let members = names.indices.filter { classSets.contains(sample: i, class: $0) }.map { names[$0] }
                    text += "\(i),\(names[tst.labels[i]]),\(members.joined(separator: " "))\n"
                }
                try AtomicFileWriter.write(Array(text.utf8), to: URL(fileURLWithPath: sets))
            }
            let coverage = classSets.coverage(labels: tst.labels)
            var certificate = Certificate(
                kind: "colep.prediction-sets",
                claim: "For exchangeable calibration and test data, each class set contains the true class with probability at least \(predictor.alpha == 0 ? 1 : 1 - predictor.alpha).",
                assumptions: ["calibration and test samples are exchangeable", "estimates are computed the same way for both splits"],
                parameters: ["alpha": .number(predictor.alpha), "score": .string(certify.model.score), "alpha_split": .string(predictor.calibration.rawValue),
                             "circuit_share": .number(predictor.correction.circuitShare),
                             "concept_pruning": .bool(predictor.conceptPruning), "arguments": .array(certify.arguments.map(JSONValue.string))],
                results: ["empirical_coverage_clean": .number(coverage), "mean_set_size": .number(classSets.meanSize)],
                evidence: ["thresholds": .array(model.thresholds.map { JSONValue($0) }), "alpha_per_variable": .number(predictor.variableAlpha),
                           "calibration_count": .integer(cal.labels.count), "test_count": .integer(tst.labels.count)],
                inputs: inputs, seed: seed)
            certificate.tolerate(.roundoff, at: "evidence.thresholds")
            certificate.tolerate(.decisions(flips: 3, outOf: tst.labels.count), at: "results.empirical_coverage_clean", "results.mean_set_size")
            try certify.common.emit(certificate, table: "test n = \(tst.labels.count): coverage \(coverage), mean set size \(classSets.meanSize)"
                                    + (sets.map { ", sets written to \($0)" } ?? ""))
        }
    }
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Certified coverage against the attack radius for COLEP and the baselines, as a table and an SVG chart (with --attack, coverage under PGD too).")

    @OptionGroup var certify: RunOptions
    @Option(name: .customLong("eps"), help: "Comma-separated attack radii ε.") var radii = "0.125,0.25,0.5"
    @Option(help: "Write the chart to this SVG file.") var plot: String?

    func run() throws {
        try reportingErrors {
            let values = try radii.split(separator: ",").map { text -> Double in
                guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                    throw ValidationError("--eps must be comma-separated numbers ≥ 0, not '\(text)'")
                }
                return v
            }
            let seed = certify.common.resolvedSeed()
            var rows: [(Double, COLEPEvaluation)] = []
            for eps in values {
                rows.append((eps, try certify.certify(seed: seed, eps: eps).1))     // same seed: same data and sensors for every ε
            }
            let names = rows[0].1.methods.filter { $0.certifiedCoverage != nil }.map(\.name)
            print("certified coverage against the attack radius (seed \(seed))")
            var table = TextTable(header: ["ε"] + names)
            for (eps, e) in rows {
                table.append([.number(eps, digits: 3)] + e.methods.filter { $0.certifiedCoverage != nil }.map { .number($0.certifiedCoverage!, digits: 4) })
            }
            print(table.render())
            if certify.attack {
                print("\ncoverage under a 20-step ℓ2 PGD attack of radius ε (should be at least the certified coverage above)")
                var attacked = TextTable(header: ["ε"] + rows[0].1.methods.map(\.name))
                for (eps, e) in rows {
                    attacked.append([.number(eps, digits: 3)] + e.methods.map { m in m.coverageUnderAttack.map { .number($0, digits: 4) } ?? "—" })
                }
                print(attacked.render())
            }
            print("certified coverage: lower bounds holding with probability \(rows[0].1.confidence) over the test sample, "
                  + "each method on the same smoothing boxes (colep certify's legend says what each number is)")
            if let plot {
                let series = names.map { name in
                    LineChart.Series(name: name, points: rows.map { eps, e in (x: eps, y: e.methods.first { $0.name == name }!.certifiedCoverage ?? 0) })
                }
                let chart = LineChart(title: "Certified coverage vs attack radius (seed \(seed))", xLabel: "ε (ℓ2 radius)",
                                      yLabel: "certified coverage", series: series, yRange: 0...1)
                try AtomicFileWriter.write(Array(chart.svg().utf8), to: URL(fileURLWithPath: plot))
                print("chart written to \(plot)")
            }
        }
    }
}
