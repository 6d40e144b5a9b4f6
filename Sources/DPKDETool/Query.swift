import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

/// A released structure of either kind, read from its file.
enum LoadedStructure {
    case kernel(PrivateKernelDensity)
    case l1(PrivateL1Distance)
    case prefix(PrivatePrefixL1Distance)
    case l2(PrivateL2Distance)
    case squared(PrivateSquaredL2Distance)

    init(path: String) throws {
        let bytes = try readBytes(path)
        // The reader of the kind checks magic, version and checksum; an unreadable header falls
        // through to `decode` for its located error.
        guard let kind = PrivateStructureFile.kind(of: bytes) else {
            _ = try PrivateStructureFile.decode(bytes, name: path)
            throw DataError(file: path, line: 1, column: 1, seen: "a header without a kind", expected: "a structure written by `dpkde build`")
        }
        switch Optional(kind) {
        case PrivateKernelDensity.fileKind?: self = .kernel(try PrivateKernelDensity(fileBytes: bytes, name: path))
        case PrivateL1Distance.fileKind?: self = .l1(try PrivateL1Distance(fileBytes: bytes, name: path))
        case PrivatePrefixL1Distance.fileKind?: self = .prefix(try PrivatePrefixL1Distance(fileBytes: bytes, name: path))
        case PrivateL2Distance.fileKind?: self = .l2(try PrivateL2Distance(fileBytes: bytes, name: path))
        case PrivateSquaredL2Distance.fileKind?: self = .squared(try PrivateSquaredL2Distance(fileBytes: bytes, name: path))
        case KernelFeatureSums.fileKind?:
            throw DataError(file: path, line: 1, column: 1, seen: "un-noised partial statistics (not a private release)",
                            expected: "a released structure: run `dpkde merge` on the partial files first")
        case let other:
            throw DataError(file: path, line: 1, column: 1, seen: "kind \(other ?? "none")", expected: "a structure written by `dpkde build`")
        }
    }

    var privacy: PrivacyStatement {
        switch self {
        case .kernel(let k): k.privacy
        case .l1(let l): l.privacy
        case .prefix(let p): p.privacy
        case .l2(let l): l.privacy
        case .squared(let s): s.privacy
        }
    }

    var dimension: Int {
        switch self {
        case .kernel(let k): k.features.dimension
        case .l1(let l): l.trees.count
        case .prefix(let p): p.coordinates.count
        case .l2(let l): l.projection.columns
        case .squared(let s): s.sum.count
        }
    }

    /// The CSV column name and the per-query answer of a distance structure.
    var distance: (name: String, answer: ([Double]) throws -> (Double, Double))? {
        switch self {
        case .kernel: nil
        case .l1(let l): ("l1_distance_sum", { y in (try l.sum(at: y), try l.noiseStandardDeviation(at: y)) })
        case .prefix(let p): ("l1_distance_sum", { y in try p.sum(at: y) })
        case .l2(let l): ("l2_distance_sum", { y in try l.sum(at: y) })
        case .squared(let s): ("squared_l2_distance_sum", { y in try s.sum(at: y) })
        }
    }
}

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a batch of queries (one per CSV row) from a private structure, each with an error bar.",
        discussion: """
            Prints CSV: for kernels the estimated sum of similarities (or with --average the average \
            similarity), noise_sd, the standard deviation of its privacy noise ONLY, and exact_low, \
            exact_high, an interval that contains the EXACT kernel sum (average) with probability at \
            least --confidence for that query: it adds a data-independent bound on the random \
            features' error (Bernstein over the m features; the JL distortion with --project; the \
            noisy count under add/remove), which noise_sd leaves out and which dominates at large ε, \
            under zCDP or with few features. The probability is per query, over the features' draw \
            and the noise: for Q queries at once ask for 1 − (1 − confidence)/Q. For l1 and the other \
            distances: the estimated sum and its noise standard deviation. All error bars depend on \
            the query and the public parameters, not on the data. --json prints a certificate instead. \
            "Exact" means the kernel sum of the data as the structure saw it: with --bounds, after each \
            value was clamped into the box and the box scaled to the unit cube, so a point outside the \
            box counts where it was clamped to. Kernels: gaussian exp(−‖x−y‖²/h²) (no factor 2), \
            exponential exp(−‖x−y‖/h), laplace exp(−‖x−y‖₁/h), cauchy 1/(1+‖x−y‖²/h²), inverse-distance \
            1/(1+‖x−y‖/h).
            """
    )

    @Argument(help: "A structure written by `dpkde build` or `dpkde merge`.")
    var structure: String
    @Argument(help: "The queries: a CSV with a header row and the structure's dimension.")
    var queries: String
    @OptionGroup var input: DataOptions
    @Flag(help: "Average similarity (divided by the noisy count) instead of the sum (kernels).")
    var average = false
    @Option(help: "Per-query probability that [exact_low, exact_high] contains the exact kernel sum or average (kernels), in (0, 1).")
    var confidence = 0.95
    @Flag(help: "Print the answers as a certificate (JSON) instead of CSV.")
    var json = false
    @Option(name: .shortAndLong, help: "Write the answers here (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must be in (0, 1), not \(confidence)") }
    }

    func run() throws {
        try reportingErrors {
            let loaded = try LoadedStructure(path: structure)
            if !loaded.privacy.securelyGenerated {
                StandardError.print("warning: \(structure) was built with seeded noise (--insecure-noise-seed): its answers are NOT PRIVATE")
            }
            let table = try input.read(queries)
            guard table.features.columns == loaded.dimension else {
                throw DataError(file: queries, line: 1, column: 1, seen: "\(table.features.columns) coordinates per query",
                                expected: "\(loaded.dimension), the dimension of \(structure)")
            }
            var lines: [String]
            var certificate: () throws -> Certificate      // only made for --json (it hashes the inputs)
            switch loaded {
            case .kernel(let kde):
                let answers = try average ? kde.averages(at: table.features, confidence: confidence)
                    : kde.sums(at: table.features, confidence: confidence)
                lines = [average ? "average_similarity,noise_sd,exact_low,exact_high" : "similarity_sum,noise_sd,exact_low,exact_high"]
                lines += answers.map { "\($0.value),\($0.noiseStandardDeviation),\($0.exact.lower),\($0.exact.upper)" }
                certificate = { try kernelCertificate(kde, answers) }
            default:
                guard !average, let (name, answer) = loaded.distance else { throw ValidationError("--average is for kernel structures") }
                lines = ["\(name),noise_sd"]
                var answers: [JSONValue] = []
                for i in 0..<table.features.rows {
                    let (value, sd) = try answer(table.features.row(i))
                    lines.append("\(value),\(sd)")
                    answers.append(["value": .number(value), "noise_sd": .number(sd)])
                }
                certificate = {
                    try queryCertificate(
                        claim: "Each answer estimates the \(name.replacingOccurrences(of: "_", with: " ")) at its query; noise_sd is the "
                            + "standard deviation of the privacy noise only. No interval for the exact value is issued for this structure.",
                        assumptions: [], parameters: [:], results: ["answers": .array(answers)])
                }
            }
            let text = json ? try certificate().canonicalJSON() : lines.joined(separator: "\n") + "\n"
            if let output { try writeAtomically(Array(text.utf8), to: output) } else { print(text, terminator: "") }
        }
    }

    /// The certificate of a kernel structure's answers: the exact-KDE intervals' claim, their
    /// parts, and each answer.
    func kernelCertificate(_ kde: PrivateKernelDensity, _ answers: [PrivateKernelDensity.Estimate]) throws -> Certificate {
        let target = average ? "average similarity (1/n)·Σ_x k(x, y)" : "kernel sum Σ_x k(x, y)"
        let first = answers.first?.exact
        return try queryCertificate(
            claim: "For each query y, [exact_low, exact_high] contains the exact \(target) of the structure's data with probability at "
                + "least \(confidence) over the random features' draw and the privacy noise (per query, not simultaneously over the "
                + "queries). noise_sd is the standard deviation of the privacy noise only; the interval adds a data-independent bound "
                + "on the random features' error (and the JL projection's, and the noisy count's).",
            assumptions: [
                "the feature seed was drawn independently of the data and of the queries (dpkde build's default draws a fresh one)",
                "each query was fixed without looking at the released features",
                "for Q queries at once the probability that all intervals hold is at least 1 − Q·(1 − confidence) (union bound)",
                "with a public box, the exact value is that of the clamped, rescaled points",
            ] + (average ? ["the dataset is not empty (n ≥ 1)"] : []),
            parameters: [
                "confidence": .number(confidence), "average": .bool(average), "kernel": .string(kde.features.kernel.rawValue),
                "bandwidth": .number(kde.features.bandwidth), "features": .integer(kde.features.count),
                "projected_dimension": kde.features.projection.map { .integer($0.columns) } ?? .null, "privacy": kde.privacy.json,
            ],
            results: [
                "feature_bound_per_point": .number(first?.featureBound ?? 0),
                "projection_bound_per_point": .number(first?.projectionBound ?? 0),
                "count_bound": .number(first?.countBound ?? 0),
                "answers": .array(answers.map { answer in
                    ["value": .number(answer.value), "noise_sd": .number(answer.noiseStandardDeviation),
                     "exact_low": .number(answer.exact.lower), "exact_high": .number(answer.exact.upper),
                     "noise_bound": .number(answer.exact.noiseBound)]
                }),
            ])
    }

    func queryCertificate(claim: String, assumptions: [String], parameters: [String: JSONValue], results: [String: JSONValue]) throws -> Certificate {
        Certificate(kind: "dpkde.query", claim: claim, assumptions: assumptions, parameters: parameters, results: results,
                    inputs: [try InputDigest.of(file: URL(fileURLWithPath: structure), recordedPath: structure),
                            try InputDigest.of(file: URL(fileURLWithPath: queries), recordedPath: queries)])
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a structure's public parameters and privacy statement.")

    @Argument(help: "A file written by dpkde.")
    var structure: String

    func run() throws {
        try reportingErrors {
            let (header, body) = try PrivateStructureFile.decode(try readBytes(structure), name: structure)
            var table = TextTable(header: ["field", "value"])
            for key in header.keys.sorted() where key != "privacy" {
                table.append([.text(key), .text(header[key].map(render) ?? "")])
            }
            table.append(["body values", .integer(body.count)])
            print(table.render())
            if case .object(let privacy)? = header["privacy"] {
                var p = TextTable(header: ["privacy", ""])
                for key in privacy.keys.sorted() { p.append([.text(key), .text(render(privacy[key]!))]) }
                print(p.render())
            }
        }
    }

    func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .array(let items) where items.count > 4: "[\(items.count) entries]"
        default: "\(value)"
        }
    }
}
