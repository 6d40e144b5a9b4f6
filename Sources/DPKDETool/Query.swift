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
            similarity) and the standard deviation of its privacy noise; for l1 the estimated sum of \
            ℓ1 distances and its noise standard deviation. The error bars are a-priori: they depend on \
            the query and the public parameters, not on the data.
            """
    )

    @Argument(help: "A structure written by `dpkde build` or `dpkde merge`.")
    var structure: String
    @Argument(help: "The queries: a CSV with a header row and the structure's dimension.")
    var queries: String
    @OptionGroup var input: DataOptions
    @Flag(help: "Average similarity (divided by the noisy count) instead of the sum (kernels).")
    var average = false
    @Option(name: .shortAndLong, help: "Write the answers here (atomically) instead of standard output.")
    var output: String?

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
            switch loaded {
            case .kernel(let kde):
                let answers = try average ? kde.averages(at: table.features) : kde.sums(at: table.features)
                lines = [average ? "average_similarity,noise_sd" : "similarity_sum,noise_sd"]
                lines += answers.map { "\($0.value),\($0.noiseStandardDeviation)" }
            default:
                guard !average, let (name, answer) = loaded.distance else { throw ValidationError("--average is for kernel structures") }
                lines = ["\(name),noise_sd"]
                for i in 0..<table.features.rows {
                    let (value, sd) = try answer(table.features.row(i))
                    lines.append("\(value),\(sd)")
                }
            }
            let text = lines.joined(separator: "\n") + "\n"
            if let output { try writeAtomically(Array(text.utf8), to: output) } else { print(text, terminator: "") }
        }
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
