import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a private structure from a CSV of points (all columns numeric, except --label).",
        discussion: """
            The output holds only noisy values and public parameters. With --partial the output is the \
            shard's UN-NOISED sufficient statistics (kernels only), as sensitive as the data: it is \
            written readable by its owner only (mode 0600) with a random shard identifier; keep it \
            inside the trust boundary and release the union with `dpkde merge --epsilon …`. With \
            --ledger the spend is recorded before the release is written (see --ledger).
            """
    )

    @Argument(help: "The data: a CSV with a header row.")
    var data: String
    @OptionGroup var input: DataOptions
    @OptionGroup var structure: StructureOptions
    @OptionGroup var privacy: PrivacyOptions
    @Flag(help: "Write the shard's un-noised mergeable statistics instead of a private release.")
    var partial = false
    @Option(name: .shortAndLong, help: "Output file (default: the data file with extension .dpkde, or .partial with --partial).")
    var output: String?
    @Flag(help: "Print the certificate as JSON instead of the summary.")
    var json = false
    @Option(help: ArgumentHelp("Also write the certificate here (atomically).", valueName: "file"))
    var certificate: String?

    func run() throws {
        try reportingErrors {
            var system = SystemRandomNumberGenerator()
            let featureSeed = structure.featureSeed ?? system.next()
            if partial {
                guard !structure.isDistance else { throw ValidationError("--partial is for kernels; the distance structures are released in one build") }
                try privacy.refuseForPartial("build")
                let table = try input.read(data, allowEmpty: true)
                var statistics = KernelFeatureSums(features: try structure.randomFeatures(dimension: table.features.columns, seed: featureSeed))
                try addWithProgress(table.features, to: &statistics)
                let path = output ?? defaultOutput(for: data, extension: "partial")
                try writeAtomically(try statistics.fileBytes(), to: path, permissions: 0o600)   // owner only: exact sums
                StandardError.print("wrote \(path): un-noised statistics of \(statistics.count) rows — SENSITIVE, release with `dpkde merge`")
                return
            }
            let budget = try privacy.budget(), relation = try privacy.relation()
            try privacy.checkLedger(outputs: [output ?? defaultOutput(for: data, extension: "dpkde")] + (certificate.map { [$0] } ?? []))
            let table = try input.read(data, allowEmpty: true)
            let bytes: [UInt8]
            let statement: PrivacyStatement
            var summary: [String: JSONValue]
            if structure.isDistance {
                guard budget.isPure || ["l1", "l2"].contains(structure.kernel) else {
                    throw ValidationError("\(structure.kernel) is pure ε-DP only: leave --delta at 0 (l1 and l2 offer zCDP)")
                }
                guard let domain = try structure.domain(dimension: table.features.columns) else {
                    throw ValidationError("--bounds lo:hi (or a bounds file) is required for \(structure.kernel): the domain must be public")
                }
                var noise = privacy.noise()
                (bytes, statement) = try structure.buildDistance(table.features, domain: domain, budget: budget, relation: relation,
                                                                 seed: featureSeed, noise: &noise)
                summary = ["structure": .string(structure.kernel), "levels": .integer(structure.levels), "alpha": .number(structure.alpha)]
            } else {
                let features = try structure.randomFeatures(dimension: table.features.columns, seed: featureSeed)
                var statistics = KernelFeatureSums(features: features)
                try addWithProgress(table.features, to: &statistics)
                var noise = privacy.noise()
                let kde = try PrivateKernelDensity.release(statistics, budget: budget, relation: relation, countShare: privacy.countShare, allowEmpty: true,
                                                           noiseGenerator: &noise)
                bytes = try kde.fileBytes()
                statement = kde.privacy
                summary = [
                    "structure": .string(PrivateKernelDensity.fileKind), "kernel": .string(features.kernel.rawValue),
                    "bandwidth": .number(features.bandwidth), "features": .integer(features.count),
                    "feature_seed": .string(String(featureSeed)), "noisy_count": .number(kde.count),
                    "sum_noise_sd": .number(kde.sumNoiseVariance.squareRoot()),
                ]
            }
            let path = output ?? defaultOutput(for: data, extension: "dpkde")
            try privacy.writeRelease(bytes, to: path, label: "dpkde build \(data)")
            summary["output"] = .string(path)
            summary["dimension"] = .integer(table.features.columns)
            // Nothing computed from the data goes into the certificate outside the mechanism: no
            // digest, size or path of the data file (a digest let a reviewer recover a hidden row
            // by hashing candidates); the released file's digest is public.
            let claim = statement.securelyGenerated
                ? "The file \(URL(fileURLWithPath: path).lastPathComponent) is a \(statement.budget.guarantee) release of the data set given to dpkde build "
                    + "under \(relation.rawValue) neighbours: it holds only noisy values and public parameters."
                : "NOT PRIVATE: the file \(URL(fileURLWithPath: path).lastPathComponent) was built with seeded noise (--insecure-noise-seed); "
                    + "anyone with the seed can remove the noise. With secure noise the same build would be a \(statement.budget.guarantee) release "
                    + "under \(relation.rawValue) neighbours."
            var cert = Certificate(
                kind: "dpkde.release",
                claim: claim,
                assumptions: [
                    "the public parameters (domain, bandwidth, features, levels, feature seed) were not derived from the data",
                    statement.securelyGenerated ? "the operating system's generator is cryptographically secure"
                        : "NONE: the noise was seeded (--insecure-noise-seed); this release is NOT PRIVATE",
                ],
                parameters: ["privacy": statement.json],
                results: summary,
                evidence: ["output_sha256": .string(InputDigest.sha256(of: bytes))])
            cert.tolerate(.roundoff) { $0 == "results.sum_noise_sd" }   // a formula of the budget and sensitivity
            if let certificate { try cert.write(to: URL(fileURLWithPath: certificate)) }
            if json {
                print(cert.canonicalJSON(), terminator: "")
            } else {
                print("wrote \(path)")
                print(describe(statement))
            }
        }
    }
}

/// Adds the rows to the statistics, with a progress bar on a terminal that shows the fraction
/// done but not the number of rows (under add/remove neighbours the row count is private).
func addWithProgress(_ points: Matrix, to statistics: inout KernelFeatureSums) throws {
    let bar = ProgressBar(total: points.rows, label: "random features", showsCounts: false)
    try statistics.add(points) { bar.advance(by: $0) }
    bar.finish()
}

/// A privacy statement in a few lines.
func describe(_ statement: PrivacyStatement) -> String {
    var table = TextTable(header: ["privacy", ""])
    table.append(["guarantee", .text(statement.securelyGenerated ? statement.budget.guarantee : "NONE (seeded noise: NOT PRIVATE)")])
    table.append(["neighbours", .text(statement.relation.rawValue)])
    table.append(["mechanism", .text(statement.budget.mechanism)])
    table.append(["accounting", .text(statement.accounting)])
    return table.render()
}
