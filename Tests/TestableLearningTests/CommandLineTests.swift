import Certificates
import Foundation
import Testing
import ToolTestSupport

/// The `halfspace` executable, run as a user would (it is built with the tests).
@Suite struct HalfspaceCommandLineTests {
    static var binary: URL? { ToolProcess.binary("halfspace") }

    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, out: String, err: String) {
        try ToolProcess.run("halfspace", arguments, in: directory)
    }

    /// simulate → learn (accept, certificate) → verify; the cube is rejected with exit 1 and a
    /// reject certificate; `test` runs the label-free tests only.
    @Test(.enabled(if: binary != nil)) func simulateLearnVerify() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("halfspace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.run(["simulate", "-n", "30000", "-d", "5", "--eta", "0.3", "--seed", "2", "-o", "g.csv"], in: dir).status == 0)
        let learned = try Self.run(["learn", "g.csv", "--epsilon", "0.1", "--noise", "massart", "--eta", "0.3", "--seed", "4", "-o", "cert.json"], in: dir)
        #expect(learned.status == 0, "\(learned.out)\(learned.err)")
        #expect(learned.out.contains("tests: ACCEPT") && learned.out.contains("certified: error ≤ opt + ") && learned.out.contains("label '1' → +1"))
        let certificate = try Certificate.read(from: dir.appendingPathComponent("cert.json"))
        #expect(certificate.results["certified"]?.boolValue == true && certificate.claim.hasPrefix("CERTIFIED."))
        for key in ["verdict", "weights", "validation_error", "error_bound", "tests", "near_optimality"] { #expect(certificate.results[key] != nil, "\(key)") }
        let verified = try Self.run(["verify", "cert.json"], in: dir)
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")

        #expect(try Self.run(["simulate", "--marginal", "cube", "-n", "30000", "-d", "5", "--seed", "2", "-o", "c.csv"], in: dir).status == 0)
        let rejected = try Self.run(["learn", "c.csv", "--epsilon", "0.1", "--seed", "4", "--json"], in: dir)
        #expect(rejected.status == 1)
        #expect(try Certificate.decode(Data(rejected.out.utf8)).results["verdict"]?.stringValue == "reject")
        // Agnostic labels with opt ≈ 0.15: the tests accept, near-optimality is not proved, exit 1
        // and a certificate that says so.
        let agnostic = try Self.run(["learn", "g.csv", "--epsilon", "0.1", "--seed", "4", "--json"], in: dir)
        #expect(agnostic.status == 1, "\(agnostic.err)")
        let uncertified = try Certificate.decode(Data(agnostic.out.utf8))
        #expect(uncertified.results["verdict"]?.stringValue == "accept" && uncertified.results["certified"]?.boolValue == false)
        #expect(uncertified.claim.hasPrefix("ACCEPT, NOT CERTIFIED.") && !uncertified.claim.contains("≤ opt + ε"))
        // --noise massart needs --eta; --eta needs massart.
        #expect(try Self.run(["learn", "g.csv", "--noise", "massart"], in: dir).status == 64)
        #expect(try Self.run(["learn", "g.csv", "--eta", "0.2"], in: dir).status == 64)
        let tested = try Self.run(["test", "c.csv", "--label", "y"], in: dir)
        #expect(tested.status == 1 && tested.out.contains("fourth moments"))
    }

    /// Bad input: three label values, d = 0, too few samples (with the number needed),
    /// non-finite values — each exit 64 with its reason.
    @Test(.enabled(if: binary != nil)) func badInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("halfspace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["three.csv": "a,y\n1,x\n2,y\n3,z\n", "nod.csv": "y\n1\n-1\n", "nan.csv": "a,b,y\n1,nan,1\n2,3,-1\n", "small.csv": "a,b,y\n1,2,1\n2,3,-1\n"]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        for (file, message) in [("three.csv", "third label"), ("nod.csv", "d ≥ 1"), ("nan.csv", "nan"), ("small.csv", "at least")] {
            let result = try Self.run(["learn", file], in: dir)
            #expect(result.status == 64, "\(file): \(result.status) \(result.err)")
            #expect(result.err.contains(message), "\(file): \(result.err)")
        }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The reference certificate of the embedded example (seed 1) is recomputed; a tampered
    /// copy is refused.
    @Test(.enabled(if: binary != nil)) func referenceCertificateIsReproduced() throws {
        let reference = Self.root.appendingPathComponent("Certificates/reference/halfspace-example.json")
        let certificate = try Certificate.read(from: reference)
        #expect(certificate.kind == "halfspace.tester-learner" && certificate.results["certified"]?.boolValue == true)
        for run in try ToolProcess.verifyUnderTwoKernels("halfspace", reference, in: Self.root) {
            #expect(run.status == 0, "under OpenBLAS kernel \(run.kernel): \(run.out)\(run.err)")
            #expect(run.out.hasPrefix("verified"))
        }
        var tampered = certificate
        tampered.results["error_bound"] = .number(0.01)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("halfspace-tampered-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try tampered.write(to: copy)
        let refused = try Self.run(["verify", copy.path], in: Self.root)
        #expect(refused.status == 1 && refused.out.contains("results.error_bound"))

        // Forged arguments (a seed the tool records apart, never in the list) are refused: the
        // recomputation records its arguments as the tool does, not as the file says.
        var forged = certificate
        forged.parameters["arguments"] = ["--seed", "2"]
        try forged.write(to: copy)
        let refusedArguments = try Self.run(["verify", copy.path], in: Self.root)
        #expect(refusedArguments.status == 1 && refusedArguments.out.contains("parameters.arguments"), "\(refusedArguments.out)")
    }
}
