import Certificates
import Foundation
import Testing
import ToolTestSupport

/// The `colep` executable, run as a user would (it is built with the tests).
@Suite struct CommandLineTests {
    static var binary: URL? { ToolProcess.binary("colep") }

    static func run(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        try ToolProcess.run("colep", arguments, in: directory)
    }

    /// The repository root (where the certificates' relative input paths start).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The reference certificate of the digits example (N = 200 draws, seed 1) is regenerated
    /// and must agree within its recorded tolerances; a tampered copy must not verify.
    @Test(.enabled(if: binary != nil)) func referenceCertificateIsReproduced() throws {
        let reference = Self.root.appendingPathComponent("Certificates/reference/colep-digits.json")
        let certificate = try Certificate.read(from: reference)
        #expect(certificate.kind == "colep.certified-coverage")
        #expect(certificate.seed == 1)
        #expect(certificate.inputs.map(\.path) == ["Examples/colep-digits/digits.csv", "Examples/colep-digits/digits.rules"])
        for key in ["certified_coverage", "empirical_coverage_clean", "mean_set_size", "mean_certified_set_size"] {
            #expect(certificate.results[key] != nil)
        }
        for run in try ToolProcess.verifyUnderTwoKernels("colep", reference, in: Self.root) {
            #expect(run.status == 0, "under OpenBLAS kernel \(run.kernel): \(run.out)\(run.err)")
            #expect(run.out.hasPrefix("verified"))
        }

        var tampered = certificate
        tampered.results["mean_set_size"] = .number((certificate.results["mean_set_size"]?.doubleValue ?? 0) + 0.5)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("colep-tampered-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try tampered.write(to: copy)
        let refused = try Self.run(["verify", copy.path], in: Self.root)
        #expect(refused.status == 1)
        #expect(refused.out.contains("results.mean_set_size"))

        let table = try Self.run(["certify", "--eps", "0.1", "--seed", "1", "--synthetic"])
        for method in ["COLEP (union)", "COLEP (class-conditional)", "vanilla APS", "RSCP+ (main model)", "RSCP+ at COLEP (union) size"] { #expect(table.out.contains(method)) }
    }

    @Test(.enabled(if: binary != nil)) func filesRoundTripAndBadInputIsLocated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colep-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cal = directory.appendingPathComponent("cal.csv").path, test = directory.appendingPathComponent("test.csv").path
        #expect(try Self.run(["simulate", "--count", "400", "--mc-samples", "500", "--seed", "1", "--to", cal]).status == 0)
        #expect(try Self.run(["simulate", "--count", "300", "--mc-samples", "500", "--seed", "2", "--to", test]).status == 0)
        let ok = try Self.run(["certify", "--calibration", cal, "--test", test, "--mc-samples", "500", "--seed", "3"])
        #expect(ok.status == 0, "\(ok.err)")

        // A vote count above N, on line 3 of the test file.
        var lines = try String(contentsOfFile: test, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[2].split(separator: ",").map(String.init)
        fields[1] = "501"
        lines[2] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: test, atomically: true, encoding: .utf8)
        let bad = try Self.run(["certify", "--calibration", cal, "--test", test, "--mc-samples", "500"])
        #expect(bad.status == 64)
        #expect(bad.err.contains("\(test):3:\(fields[0].count + 2): found '501'; expected a vote count between 0 and N = 500"), "\(bad.err)")
        // Too few calibration samples for α_j: the message says how many.
        let small = directory.appendingPathComponent("small.csv").path
        let head = try String(contentsOfFile: cal, encoding: .utf8).split(separator: "\n").prefix(101).joined(separator: "\n")
        try head.write(toFile: small, atomically: true, encoding: .utf8)
        let few = try Self.run(["certify", "--calibration", small, "--test", cal, "--mc-samples", "500"])
        #expect(few.status == 64)
        #expect(few.err.contains("expected at least"), "\(few.err)")
    }
}
