import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Private classification by average similarity: one private structure per class (paper §11).",
        discussion: """
            Trains on --train, reports accuracy on --test for each ε of --epsilons ('inf' is the \
            non-private exact KDE classifier with the same kernel and bandwidth), averaged over --reps \
            independent noise draws. Without --train it runs the examples in Examples/dpkde-classify: \
            scikit-learn's digits and breast_cancer, split 80/20 with --seed. classify is an evaluation, \
            not a private release: it reports the non-private classifier, row counts and the input files' \
            digests (for `dpkde verify`); publish only what build and merge write.
            """
    )

    @Option(help: "Training CSV (header row; a label column).")
    var train: String?
    @Option(help: "Test CSV with the same columns.")
    var test: String?
    @Option(help: "Name of the label column.")
    var label = "label"
    @Option(help: "Comma-separated class names (public). Default: the labels seen in --train (their presence is then disclosed).")
    var classes: String?
    @Option(help: "Comma-separated ε values; 'inf' for the non-private classifier.")
    var epsilons = "0.1,0.3,1,3,10,inf"
    @Option(help: "Noise draws per ε.")
    var reps = 5
    @Option(help: "Seed of the example splits and of the public features.")
    var seed: UInt64 = 1
    @OptionGroup var structure: StructureOptions
    @OptionGroup var privacy: PrivacyOptions
    @Flag(help: "Print the certificate as JSON instead of the table.")
    var json = false
    @Option(help: ArgumentHelp("Also write the certificate here (atomically).", valueName: "file"))
    var certificate: String?

    struct Task {
        var name: String
        var train: NumericTable
        var test: NumericTable
        var classes: [String]
        var domain: [PublicInterval]?
        var bandwidth: Double
        var inputs: [InputDigest]
    }

    func run() throws {
        try reportingErrors {
            guard privacy.ledger == nil, privacy.ledgerBudget == nil, privacy.ledgerDeltaBudget == nil else {
                throw ValidationError("classify evaluates several ε on the same data and charges no ledger; use build for ledgered releases")
            }
            let (cert, tables) = try evaluate()
            if let certificate { try cert.write(to: URL(fileURLWithPath: certificate)) }
            if json { print(cert.canonicalJSON(), terminator: "") } else { tables.forEach { print($0) } }
        }
    }

    /// Runs the comparison: the certificate and the printed tables.
    /// Options left out of the recorded arguments: the certificate's path.
    static let droppedOptions = ["--certificate"]

    func evaluate(arguments: [String] = reproducibleArguments(Array(CommandLine.arguments.dropFirst(2)), subcommand: "classify", dropping: droppedOptions)) throws -> (Certificate, [String]) {
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
        let grid = try epsilons.split(separator: ",").map { item -> Double in
            let text = item.trimmingCharacters(in: .whitespaces)
            if text == "inf" { return .infinity }
            guard let e = Double(text), e > 0, e.isFinite else { throw ValidationError("--epsilons: '\(text)' is not a finite ε > 0 or 'inf'") }
            return e
        }
        let kernel = try structure.similarityKernel()
        var noise = privacy.noise()
        let featureCount = structure.features ?? 128
        var results: [String: JSONValue] = [:]
        var testCounts: [String: Int] = [:]
        var inputs: [InputDigest] = []
        var printed: [String] = []
        for task in try tasks() {
            inputs += task.inputs
            var table = TextTable(header: ["ε", "accuracy", "sd", "build s", "predict s"])
            var rows: [JSONValue] = []
            for epsilon in grid {
                var accuracies: [Double] = [], buildTime = 0.0, predictTime = 0.0
                if epsilon.isInfinite {
                    let start = Date()
                    let predicted = try PrivateKDEClassifier.exactPredict(
                        points: task.train.features, labels: task.train.labels ?? [], classes: task.classes, queries: task.test.features,
                        kernel: kernel, bandwidth: task.bandwidth, domain: task.domain)
                    predictTime = Date().timeIntervalSince(start)
                    accuracies = [accuracy(predicted, task)]
                } else {
                    let features = try RandomFeatures(kernel: kernel, dimension: task.train.features.columns, bandwidth: task.bandwidth,
                                                      features: featureCount, projectedDimension: structure.project,
                                                      domain: task.domain, seed: seed)
                    let budget = try PrivacyBudget(epsilon: epsilon, delta: privacy.delta)
                    for _ in 0..<reps {
                        let start = Date()
                        let classifier = try PrivateKDEClassifier.build(
                            points: task.train.features, labels: task.train.labels ?? [], classes: task.classes, features: features,
                            budget: budget, relation: try privacy.relation(), countShare: privacy.countShare, noiseGenerator: &noise)
                        let mid = Date()
                        accuracies.append(accuracy(try classifier.predict(task.test.features).labels, task))
                        buildTime += mid.timeIntervalSince(start)
                        predictTime += Date().timeIntervalSince(mid)
                    }
                    buildTime /= Double(reps)
                    predictTime /= Double(reps)
                }
                let mean = accuracies.reduce(0, +) / Double(accuracies.count)
                let sd = accuracies.count > 1
                    ? (accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(accuracies.count - 1)).squareRoot() : 0
                table.append([.text(epsilon.isInfinite ? "∞ (exact KDE)" : TextTable.format(epsilon)), .number(mean, digits: 3),
                              .number(sd, digits: 3), .number(buildTime, digits: 3), .number(predictTime, digits: 3)])
                rows.append(.object(["epsilon": epsilon.isInfinite ? .string("inf") : .number(epsilon), "accuracy": .number(mean),
                                     "accuracy_sd": .number(sd), "reps": .integer(accuracies.count)]))
            }
            results[task.name] = .array(rows)
            testCounts[task.name] = task.test.features.rows
            printed.append("\(task.name): \(task.train.features.rows) train, \(task.test.features.rows) test, \(task.classes.count) classes, "
                           + "\(kernel.rawValue) kernel h = \(task.bandwidth), m = \(featureCount)\n" + table.render())
        }
        var cert = Certificate(
            kind: "dpkde.classification",
            claim: "Accuracy of the private per-class KDE classifier at each ε (mean over \(reps) noise draws), beside the non-private exact KDE classifier.",
            assumptions: ["the bandwidth, bounds, features and classes are public (not tuned on the data)",
                          "add/remove: parallel composition over classes; replace-one: ε/2 per class",
                          privacy.insecureNoiseSeed == nil ? "noise from the operating system's secure generator (not reproducible)"
                              : "seeded noise (--insecure-noise-seed): reproducible, NOT PRIVATE"],
            parameters: ["kernel": .string(kernel.rawValue), "features": .integer(featureCount), "delta": .number(privacy.delta),
                         "neighbours": .string(privacy.neighbours), "reps": .integer(reps),
                         "arguments": .array(arguments.map(JSONValue.string))],
            results: results, inputs: inputs, seed: seed)
        // Accuracies are rates of test predictions over the repetitions, taken by comparing
        // densities whose random features go through BLAS: a last-bit change flips a prediction
        // only at a near-tie. One flip moves a repetition's accuracy by 1/count, their standard
        // deviation by at most as much.
        for (task, count) in testCounts {
            cert.tolerate(.decisions(flips: 3, outOf: count * reps), at: "results.\(task).accuracy")
            cert.tolerate(.decisions(flips: 3, outOf: count), at: "results.\(task).accuracy_sd")
        }
        return (cert, printed)
    }

    func accuracy(_ predicted: [Int], _ task: Task) -> Double {
        let truth = task.test.labels ?? []
        let hits = zip(predicted, truth).filter { task.classes[$0] == $1 }.count
        return Double(hits) / Double(max(truth.count, 1))
    }

    func tasks() throws -> [Task] {
        let options = CSVReadOptions(label: .name(label))
        if let train {
            guard let test else { throw ValidationError("--train needs --test") }
            let trainTable = try NumericTable.readCSV(url: URL(fileURLWithPath: train), options: options)
            let testTable = try NumericTable.readCSV(url: URL(fileURLWithPath: test), options: options)
            guard testTable.features.columns == trainTable.features.columns else {
                throw DataError(file: test, line: 1, column: 1, seen: "\(testTable.features.columns) feature columns",
                                expected: "\(trainTable.features.columns), as \(train)")
            }
            let names = classes.map { $0.split(separator: ",").map(String.init) } ?? Array(Set(trainTable.labels ?? [])).sorted()
            return [Task(name: URL(fileURLWithPath: train).lastPathComponent, train: trainTable, test: testTable, classes: names,
                         domain: try structure.domain(dimension: trainTable.features.columns), bandwidth: structure.bandwidth ?? 2,
                         inputs: [try InputDigest.of(file: URL(fileURLWithPath: train)), try InputDigest.of(file: URL(fileURLWithPath: test))])]
        }
        return try ClassificationExamples.all(seed: seed, bandwidth: structure.bandwidth ?? 2)
    }
}
