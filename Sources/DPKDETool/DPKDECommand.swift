import ArgumentParser
import Certificates
import CommandLineSupport
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

@main
struct DPKDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpkde",
        abstract: "Differentially private kernel-density and distance structures (Backurs et al., ICLR 2024).",
        discussion: """
            build writes a private structure (noisy values and public parameters only); query answers \
            batches of queries from it with an error bar each; merge releases partial builds made \
            shard by shard; classify runs the per-class private KDE classifier; audit checks the \
            mechanisms statistically; info prints a structure's parameters and privacy statement.
            """,
        subcommands: [Build.self, Query.self, Merge.self, Info.self, Classify.self, Audit.self, Verify.self, Sweep.self]
    )
}

/// Where a CSV's rows come from and which column (if any) is a label, not a coordinate.
struct DataOptions: ParsableArguments {
    @Option(help: "Name of a label column to leave out of the coordinates.")
    var label: String?

    /// The table; a malformed file's error gives the position but withholds the value found
    /// (the data are private, and error messages end up in logs).
    ///
    /// - Parameter allowEmpty: accept a file with a header and no rows — for private data, where
    ///   "no rows" and "one row" are neighbouring data sets and must not have different outcomes
    ///   (refusing the empty one would tell them apart with certainty).
    func read(_ path: String, allowEmpty: Bool = false) throws -> NumericTable {
        do {
            return try NumericTable.readCSV(url: URL(fileURLWithPath: path), options: .init(label: label.map { .name($0) }),
                                            minimumRows: allowEmpty ? 0 : 1)
        } catch let error as DataError {
            throw error.withholdingValues()
        }
    }
}

/// The privacy options of a release (build, merge, classify).
struct PrivacyOptions: ParsableArguments {
    @Option(help: "ε of the release (> 0).")
    var epsilon: Double?
    @Option(help: "δ: 0 (default) for pure ε-DP with discrete Laplace noise; 0 < δ < 1 for (ε, δ)-DP through zCDP with discrete Gaussian noise.")
    var delta = 0.0
    @Option(help: "Neighbouring datasets: add-remove (default: one row added or removed) or replace-one.")
    var neighbours = "add-remove"
    @Option(name: .customLong("count-share"), help: "Share of the budget for the noisy point count (add/remove; kernels).")
    var countShare = 0.1
    @Option(help: ArgumentHelp("""
        A budget ledger for this dataset (JSON): the release is refused if it would take the total ε (or δ) past the ledger's \
        budget. The spend is recorded, under an exclusive lock (on the ledger's directory), before the release is written, so \
        concurrent runs cannot overspend, and a run that fails after its charge keeps it spent.
        """, valueName: "file"))
    var ledger: String?
    @Option(name: .customLong("ledger-budget"), help: "Total ε for a new ledger (creates --ledger if it does not exist).")
    var ledgerBudget: Double?
    @Option(name: .customLong("ledger-delta-budget"), help: "Total δ for a new ledger (without it the ledger allows pure-ε releases only).")
    var ledgerDeltaBudget: Double?
    @Option(name: .customLong("insecure-noise-seed"), help: ArgumentHelp(
        "Draw the noise from a seeded generator: for tests only. The output then says NOT PRIVATE.", visibility: .hidden))
    var insecureNoiseSeed: UInt64?

    /// The release options given, by name: a partial build or merge writes no release, so it
    /// refuses them rather than ignore them.
    var releaseOptionsGiven: [String] {
        var given: [String] = []
        if epsilon != nil { given.append("--epsilon") }
        if delta != 0 { given.append("--delta") }
        if neighbours != "add-remove" { given.append("--neighbours") }
        if countShare != 0.1 { given.append("--count-share") }
        if ledger != nil { given.append("--ledger") }
        if ledgerBudget != nil { given.append("--ledger-budget") }
        if ledgerDeltaBudget != nil { given.append("--ledger-delta-budget") }
        if insecureNoiseSeed != nil { given.append("--insecure-noise-seed") }
        return given
    }

    /// A usage error when release options were given to a command that writes partial statistics.
    func refuseForPartial(_ command: String) throws {
        let given = releaseOptionsGiven
        guard given.isEmpty else {
            throw ValidationError("\(command) --partial writes un-noised statistics, not a release: \(given.joined(separator: ", ")) "
                                  + "belong to the final `dpkde merge` (with --epsilon and --ledger)")
        }
    }

    func budget() throws -> PrivacyBudget {
        guard let epsilon else { throw ValidationError("--epsilon is required for a private release") }
        // Beyond 100, e^ε > 10^43 and the statement protects nothing (10^308 used to pass silently).
        guard !(epsilon > 100) else { throw ValidationError("--epsilon \(epsilon) is above 100: beyond it e^ε > 10^43 and the guarantee means nothing") }
        return try PrivacyBudget(epsilon: epsilon, delta: delta)
    }

    func relation() throws -> NeighbourRelation {
        guard let relation = NeighbourRelation(rawValue: neighbours) else {
            throw ValidationError("--neighbours must be add-remove or replace-one, not '\(neighbours)'")
        }
        return relation
    }

    /// Refuses now — before the data is read — a release the ledger (if any) cannot afford.
    /// The spend itself goes through ``writeRelease(_:to:label:)``, which checks again under
    /// the ledger's lock.
    ///
    /// - Parameter outputs: the files the run will write (release, certificate): none may be the
    ///   ledger under any name, or the release would replace the ledger after its charge and every
    ///   recorded spend would be lost (a reviewer did it with `-o LEDGER`).
    func checkLedger(outputs: [String] = []) throws {
        guard let request = try ledgerRequest() else { return }
        for output in outputs where Self.sameFile(output, request.url.path) {
            throw ValidationError("\(output) is the ledger \(request.url.path): write the release and the certificate elsewhere")
        }
        if request.newLedger == nil, !FileManager.default.fileExists(atPath: request.url.path) {
            throw ValidationError("the ledger \(request.url.path) does not exist: give --ledger-budget to create it")
        }
        let budget = try budget()
        try PrivacyBudgetLedger.check(budget.epsilon, delta: budget.delta, relation: try relation(), at: request.url, creating: request.newLedger)
    }

    /// Writes the release `bytes` to `path`, charged to the ledger (if any) first: the output
    /// is opened (so a bad path costs no budget), the spend recorded, and only then the bytes
    /// written and moved into place. A failure after the charge keeps the spend, and says so.
    func writeRelease(_ bytes: [UInt8], to path: String, label: String) throws {
        let writer = try AtomicFileWriter(destination: URL(fileURLWithPath: path))
        let release = {
            try writer.write(bytes)
            try writer.commit()
        }
        guard let request = try ledgerRequest() else { return try release() }
        let budget = try budget()
        do {
            try PrivacyBudgetLedger.charge(budget.epsilon, delta: budget.delta, label: label, relation: try relation(),
                                           to: request.url, creating: request.newLedger, release: release)
        } catch let failure as PrivacyBudgetLedger.ChargedReleaseFailure {
            StandardError.print("note: \(failure.note)")
            throw failure.underlying
        }
    }

    /// Whether two paths name the same file: the same path once symbolic links and `.`/`..`
    /// are resolved, or the same inode (a hard link).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        func resolved(_ p: String) -> String { FileLock.canonicalPath(of: p)?.path ?? p }
        if resolved(a) == resolved(b) { return true }
        let fm = FileManager.default
        guard let x = try? fm.attributesOfItem(atPath: a), let y = try? fm.attributesOfItem(atPath: b),
              let i = x[.systemFileNumber] as? Int, let j = y[.systemFileNumber] as? Int,
              let d = x[.systemNumber] as? Int, let e = y[.systemNumber] as? Int else { return false }
        return i == j && d == e
    }

    /// The ledger file and the ledger to create if it does not exist; nil without --ledger.
    private func ledgerRequest() throws -> (url: URL, newLedger: PrivacyBudgetLedger?)? {
        guard let ledger else {
            if ledgerBudget != nil || ledgerDeltaBudget != nil { throw ValidationError("--ledger-budget and --ledger-delta-budget need --ledger FILE") }
            return nil
        }
        if ledgerDeltaBudget != nil, ledgerBudget == nil {
            throw ValidationError("--ledger-delta-budget needs --ledger-budget: both are fixed when the ledger is created")
        }
        let newLedger = try ledgerBudget.map { try PrivacyBudgetLedger(budget: $0, deltaBudget: ledgerDeltaBudget, relation: try relation()) }
        // The file the operating system would open, symbolic links resolved component by
        // component (a textual `link/../L.json` named another file: a reviewer charged a fresh
        // ledger while the real one went uncharged).
        guard let url = FileLock.canonicalPath(of: ledger) else {
            throw ValidationError("the directory of the ledger \(ledger) does not exist")
        }
        return (url, newLedger)
    }

    /// The secure generator, or the seeded one if asked for (tests).
    func noise() -> NoiseSource {
        guard let insecureNoiseSeed else { return .secure }
        StandardError.print("warning: seeded noise (--insecure-noise-seed): the output is NOT PRIVATE")
        return .seeded(insecureNoiseSeed)
    }
}

/// The structure's public parameters (build and classify).
struct StructureOptions: ParsableArguments {
    @Option(help: "gaussian (default), exponential, laplace, cauchy, inverse-distance (kernel sums); l1, l1-prefix, l2, l2-squared (distance sums).")
    var kernel = "gaussian"
    @Option(name: .customLong("max-rows"), help: "A public upper bound on the number of rows (l2: sets the projected coordinates' clamp).")
    var maxRows = 10_000_000
    @Option(help: "Kernel bandwidth h, in the units of --bounds' unit box when given (default: build 1, classify 2).")
    var bandwidth: Double?
    @Option(help: "Number of random features m, kernels (default: build 1024, classify 128).")
    var features: Int?
    @Option(help: "Project to this many dimensions first (JL; Euclidean kernels only).")
    var project: Int?
    @Option(name: .customLong("feature-seed"), help: "Public seed of the random features (shards of a partial build must share it). Default: fresh, recorded.")
    var featureSeed: UInt64?
    @Option(help: ArgumentHelp("Public domain: lo:hi for every coordinate, or a CSV file of column,lower,upper rows. Required for l1; for kernels the data is clamped and scaled to the unit box.", valueName: "lo:hi|file"))
    var bounds: String?
    @Option(help: "Tree levels L (l1).")
    var levels = 10
    @Option(help: "Ring ratio α of the ℓ1 query (l1; at least 0.001).")
    var alpha = 0.1

    static let distances = ["l1", "l1-prefix", "l2", "l2-squared"]
    var isDistance: Bool { Self.distances.contains(kernel) }

    func similarityKernel() throws -> SimilarityKernel {
        guard let k = SimilarityKernel(rawValue: kernel) else {
            throw ValidationError("--kernel must be one of \((SimilarityKernel.allCases.map(\.rawValue) + Self.distances).joined(separator: ", ")), not '\(kernel)'")
        }
        return k
    }

    func domain(dimension d: Int) throws -> [PublicInterval]? {
        guard let bounds else { return nil }
        let parts = bounds.split(separator: ":")
        if parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]) {
            return Array(repeating: try PublicInterval(lo, hi), count: d)
        }
        let table = try NumericTable.readCSV(url: URL(fileURLWithPath: bounds), options: .init(label: .index(0)))
        guard table.features.rows == d, table.features.columns == 2 else {
            throw DataError(file: bounds, line: 1, column: 1, seen: "\(table.features.rows) rows of \(table.features.columns) bounds",
                            expected: "\(d) rows 'column,lower,upper', one per coordinate of the data")
        }
        return try (0..<d).map { i in
            do { return try PublicInterval(table.features[i, 0], table.features[i, 1]) } catch {
                throw DataError(file: bounds, line: i + 2, column: 2, seen: "lower \(table.features[i, 0]), upper \(table.features[i, 1])",
                                expected: "finite lower < upper with a finite width upper − lower")
            }
        }
    }

    func randomFeatures(dimension d: Int, seed: UInt64, bandwidth defaultBandwidth: Double = 1, features defaultFeatures: Int = 1024) throws -> RandomFeatures {
        try RandomFeatures(kernel: similarityKernel(), dimension: d, bandwidth: bandwidth ?? defaultBandwidth, features: features ?? defaultFeatures,
                           projectedDimension: project, domain: domain(dimension: d), seed: seed)
    }
}

extension StructureOptions {
    /// Builds the distance structure named by `--kernel` and returns its file and privacy statement.
    func buildDistance(_ points: Matrix, domain: [PublicInterval], budget: PrivacyBudget, relation: NeighbourRelation, seed: UInt64,
                       noise: inout NoiseSource) throws -> ([UInt8], PrivacyStatement) {
        switch kernel {
        case "l1":
            let s = try PrivateL1Distance.build(points: points, domains: domain, levels: levels, budget: budget, alpha: alpha,
                                                relation: relation, using: &noise)
            return (try s.fileBytes(), s.privacy)
        case "l1-prefix":
            let s = try PrivatePrefixL1Distance.build(points: points, domains: domain, levels: levels, epsilon: budget.epsilon, relation: relation,
                                                      using: &noise)
            return (try s.fileBytes(), s.privacy)
        case "l2":
            // Points are clamped to the box; the projected coordinates to ±B for the box's farthest
            // corner from the origin and the public row bound (spec §2.6).
            let k = project ?? 32
            let radius = domain.reduce(0.0) { $0 + max($1.lower * $1.lower, $1.upper * $1.upper) }.squareRoot()
            let bound = PrivateL2Distance.coordinateBound(radius: radius, maxPoints: maxRows, projectionDimension: k, failureProbability: 1e-6)
            let clamped = try PublicInterval.clamped(points, by: domain)
            var projection = RandomStream(seed: seed)
            let s = try PrivateL2Distance.build(points: clamped, projectionDimension: k, coordinateBound: bound, levels: levels,
                                                budget: budget, alpha: alpha, relation: relation, projectionGenerator: &projection,
                                                noiseGenerator: &noise)
            return (try s.fileBytes(), s.privacy)
        default:
            let s = try PrivateSquaredL2Distance.build(points: points, domains: domain, epsilon: budget.epsilon, relation: relation, using: &noise)
            return (try s.fileBytes(), s.privacy)
        }
    }
}

/// Writes `bytes` to `path` atomically (a failure leaves no partial file), with the mode bits
/// `permissions` from the file's creation on.
func writeAtomically(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o666) throws {
    try AtomicFileWriter.write(bytes, to: URL(fileURLWithPath: path), permissions: permissions)
}

/// The default output path: the data file with its extension replaced.
func defaultOutput(for data: String, extension ext: String) -> String {
    URL(fileURLWithPath: data).deletingPathExtension().appendingPathExtension(ext).path
}
