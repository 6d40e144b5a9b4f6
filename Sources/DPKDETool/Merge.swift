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
            kernel, bandwidth, features, projection, bounds and seed. The shards must be disjoint: \
            a partial file given twice, a copy of one, or the same shard built twice (same shard \
            identifier or same statistics) is refused. The partial files are as sensitive as the \
            data (written mode 0600); only merge's output is private. Give --ledger, the ledger of \
            the dataset the shards partition, to charge the release to it before it is written: \
            without one, nothing limits re-running the merge, each run spending ε again. Any engine \
            that can run one command per shard (Spark, Ray, a batch scheduler) can produce them. \
            With --partial, merge adds partial files into one partial file without noise (owner-only, \
            as sensitive as the data, recording every leaf shard it sums), so an engine can reduce in \
            a tree; the one release with --epsilon happens at the root. The sums are exact integers, \
            so any tree over the same shards releases the same values.
            """
    )

    @Argument(help: "The partial files.")
    var partials: [String]
    @OptionGroup var privacy: PrivacyOptions
    @Flag(help: "Write the sum of the partial files as a partial file (no noise, no ε): a node of a merge tree.")
    var partial = false
    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    func run() throws {
        try reportingErrors {
            guard !partials.isEmpty else { throw ValidationError("give at least one partial file") }
            // Never over an input: a release written over a partial would destroy it, a node
            // written over one of its inputs would lose a shard (red-team review of #20).
            let target = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath()
            if let input = partials.first(where: { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() == target }) {
                throw ValidationError("-o \(output) is the input \(input): write to a new file")
            }
            if partial {
                try privacy.refuseForPartial("merge")
                let shards = try partials.map { try KernelFeatureSums.Shard(fileBytes: try readBytes($0), name: $0) }
                let (total, lineage) = try KernelFeatureSums.combine(shards)
                try writeAtomically(try total.fileBytes(lineage: lineage), to: output, permissions: 0o600)   // owner only: exact sums
                StandardError.print("wrote \(output): un-noised statistics of \(total.count) rows from \(lineage.leaves.count) shard\(lineage.leaves.count == 1 ? "" : "s") "
                                    + "— SENSITIVE, release with `dpkde merge --epsilon`")
                return
            }
            let budget = try privacy.budget(), relation = try privacy.relation()
            try privacy.checkLedger(outputs: [output])
            let shards = try partials.map { try KernelFeatureSums.Shard(fileBytes: try readBytes($0), name: $0) }
            let total = try KernelFeatureSums.union(of: shards)
            var noise = privacy.noise()
            let kde = try PrivateKernelDensity.release(total, budget: budget, relation: relation, countShare: privacy.countShare, allowEmpty: true,
                                                       noiseGenerator: &noise)
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
