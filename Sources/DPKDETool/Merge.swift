import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyData

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sum the partial statistics of several shards and release them once, with noise.",
        discussion: """
            Each shard comes from `dpkde build SHARD.csv --partial --feature-seed S …` with the same \
            kernel, bandwidth, features, projection, bounds and seed. The partial files are as \
            sensitive as the data; only merge's output is private. Give --ledger, the ledger of \
            the dataset the shards partition, to charge the release to it before it is written: \
            without one, nothing limits re-running the merge, each run spending ε again. Any engine \
            that can run one command per shard (Spark, Ray, a batch scheduler) can produce them.
            """
    )

    @Argument(help: "The partial files.")
    var partials: [String]
    @OptionGroup var privacy: PrivacyOptions
    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    func run() throws {
        try reportingErrors {
            guard !partials.isEmpty else { throw ValidationError("give at least one partial file") }
            let budget = try privacy.budget(), relation = try privacy.relation()
            try privacy.checkLedger()
            var total: KernelFeatureSums?
            for path in partials {
                let shard = try KernelFeatureSums(fileBytes: try readBytes(path), name: path)
                if let first = total, first.features != shard.features {
                    throw DataError(file: path, line: 1, column: 1,
                                    seen: "random features that differ from \(partials[0])'s (kernel, bandwidth, m, projection, bounds or --feature-seed)",
                                    expected: "shards built with the same public parameters and --feature-seed")
                }
                total = try total.map { try $0.merged(with: shard) } ?? shard
            }
            var noise = privacy.noise()
            let kde = try PrivateKernelDensity.release(total!, budget: budget, relation: relation, countShare: privacy.countShare, noiseGenerator: &noise)
            try privacy.writeRelease(try kde.fileBytes(), to: output, label: "dpkde merge \(partials.joined(separator: " "))")
            if privacy.ledger == nil {
                StandardError.print("warning: no --ledger: nothing limits re-running this merge on the same partial files, and each run "
                                    + "spends ε = \(budget.epsilon) more on their records; give --ledger FILE to cap the total")
            }
            print("wrote \(output) from \(partials.count) shard\(partials.count == 1 ? "" : "s")")
            print(describe(kde.privacy))
        }
    }
}

/// A file's bytes, or a located error.
func readBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError.unreadable(URL(fileURLWithPath: path), expected: "a readable file")
    }
    return Array(data)
}
