import Foundation
import PrivateKDE
import SuretyNumerics
import Testing
import ToolTestSupport

/// A black-box privacy audit through the `dpkde` executable with the **secure** generator
/// (issue #18; CLAIMS.md `dpkde.*`): build many releases from neighbouring data sets D and D′
/// (D′ = D plus one extreme record), reduce each released file to one number, and bound ε from
/// below with `PrivacyAudit.lowerBound` (Clopper–Pearson on threshold events, confidence
/// 1 − 10⁻⁶). A sound release's bound stays at or below its ε; a release at ε = 3 audited
/// against a claim of ε = 1 must be caught.
///
/// The short version (in the README's test command) audits the one-level ℓ1 tree in one
/// dimension, whose node counts each carry the whole ε: 80 builds per data set at ε = 1 (the
/// bound must not pass 1) and 150 at ε = 3 (it must pass 1; measured 1.27). The long version, every pure-ε structure
/// with 1 000 builds per data set, runs with
/// `SURETY_FALSIFY_LONG=1 OPENBLAS_NUM_THREADS=1 swift test --disable-xctest --filter BlackBoxAuditTests`.
@Suite(.serialized) struct BlackBoxAuditTests {
    static var binary: URL? { ToolProcess.binary("dpkde") }
    static var long: Bool { ProcessInfo.processInfo.environment["SURETY_FALSIFY_LONG"] == "1" }

    /// One structure to audit: its build options and the statistic read from a released file.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var dimension: Int
        var options: [String]
        var statistic: @Sendable ([UInt8], Int) throws -> Double
        var description: String { name }
    }

    /// The sum of the noisy counts on the extreme record's path through every tree (each shifts
    /// by one when the record is added).
    static func pathCount(_ bytes: [UInt8], _ dimension: Int) throws -> Double {
        let l1 = try PrivateL1Distance(fileBytes: bytes, name: "release")
        var total: Int64 = 0
        for tree in l1.trees {
            let leaf = tree.leafIndex(1)
            for level in 1...tree.levels { total += tree.noisyCounts[level - 1][leaf >> (tree.levels - level)] }
        }
        return Double(total)
    }

    static let cases: [Case] = [
        Case(name: "l1 (1-D, one level)", dimension: 1, options: ["--kernel", "l1", "--bounds", "0:1", "--levels", "1"], statistic: pathCount),
        Case(name: "l1 (2-D, 3 levels)", dimension: 2, options: ["--kernel", "l1", "--bounds", "0:1", "--levels", "3"], statistic: pathCount),
        Case(name: "gaussian kernel", dimension: 2, options: ["--bandwidth", "0.5", "--features", "32", "--feature-seed", "5"]) { bytes, d in
            try PrivateKernelDensity(fileBytes: bytes, name: "release").sums(at: Matrix([[Double](repeating: 1, count: d)]))[0].value
        },
        Case(name: "l1-prefix", dimension: 2, options: ["--kernel", "l1-prefix", "--bounds", "0:1"]) { bytes, d in
            try PrivatePrefixL1Distance(fileBytes: bytes, name: "release").sum(at: [Double](repeating: 0, count: d)).0
        },
        Case(name: "l2", dimension: 2, options: ["--kernel", "l2", "--bounds", "0:1", "--levels", "4", "--max-rows", "100"]) { bytes, d in
            try PrivateL2Distance(fileBytes: bytes, name: "release").sum(at: [Double](repeating: 0, count: d)).0
        },
        Case(name: "l2-squared", dimension: 2, options: ["--kernel", "l2-squared", "--bounds", "0:1"]) { bytes, d in
            try PrivateSquaredL2Distance(fileBytes: bytes, name: "release").sum(at: [Double](repeating: 0, count: d)).0
        },
    ]

    /// D: eight records near the origin; D′: the same and one record at the far corner.
    static func scratch(dimension d: Int) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dpkde-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let header = (0..<d).map { "x\($0)" }.joined(separator: ",")
        var rows = [header] + (0..<8).map { i in (0..<d).map { c in "\(Double((i + c) % 4) / 10)" }.joined(separator: ",") }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        rows.append((0..<d).map { _ in "1" }.joined(separator: ","))
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("neighbour.csv"), atomically: true, encoding: .utf8)
        return directory
    }

    /// The audit's lower bound on ε for `trials` secure builds per data set at `epsilon`.
    static func audit(_ c: Case, epsilon: Double, trials: Int) throws -> PrivacyAudit.Result {
        let dir = try scratch(dimension: c.dimension)
        defer { try? FileManager.default.removeItem(at: dir) }
        func release(_ data: String) throws -> Double {
            let run = try ToolProcess.run("dpkde", ["build", data, "--epsilon", "\(epsilon)", "-o", "release.dpkde"] + c.options, in: dir)
            guard run.status == 0 else { throw AuditError.build(run.err) }
            return try c.statistic(Array(try Data(contentsOf: dir.appendingPathComponent("release.dpkde"))), c.dimension)
        }
        // Thresholds from a pilot of separate builds (so they do not depend on the audited runs):
        // the neighbour's quartiles and deciles, where the likelihood ratio is largest.
        let pilot = try (0..<30).map { _ in try release("neighbour.csv") }.sorted()
        let thresholds = Array(Set([0.1, 0.25, 0.5, 0.75].map { pilot[Int($0 * Double(pilot.count))] })).sorted()
        return try PrivacyAudit.lowerBound(trials: trials, thresholds: thresholds, failureProbability: 1e-6,
                                           statisticOnD: { try release("d.csv") }, statisticOnNeighbour: { try release("neighbour.csv") })
    }

    enum AuditError: Error { case build(String) }

    @Test(.enabled(if: binary != nil)) func aSoundReleasePassesAndAnOverspentOneIsCaught() throws {
        // The sound direction needs few trials to pass (the bound is conservative); the power
        // check needs enough to catch ε = 3.
        let trials = Self.long ? 1000 : 150
        let tree = Self.cases[0]
        let sound = try Self.audit(tree, epsilon: 1, trials: Self.long ? 1000 : 80)
        #expect(sound.epsilonLowerBound <= 1, "ε = 1 build audited at \(sound.epsilonLowerBound) > 1")
        let overspent = try Self.audit(tree, epsilon: 3, trials: trials)
        #expect(overspent.epsilonLowerBound > 1, "an ε = 3 build audited only at \(overspent.epsilonLowerBound): the audit lacks power")
        print("black-box audit, \(tree.name), secure builds per data set: ε = 1 → lower bound \(sound.epsilonLowerBound); "
              + "ε = 3 (\(trials) builds) → \(overspent.epsilonLowerBound)")
    }

    @Test(.enabled(if: binary != nil && long), arguments: cases.dropFirst())
    func everyStructureStaysWithinItsEpsilon(_ c: Case) throws {
        let result = try Self.audit(c, epsilon: 1, trials: 1000)
        #expect(result.epsilonLowerBound <= 1, "\(c.name): lower bound \(result.epsilonLowerBound) > ε = 1")
        print("black-box audit, \(c.name), 1000 secure builds per data set at ε = 1: lower bound \(result.epsilonLowerBound)")
    }
}
