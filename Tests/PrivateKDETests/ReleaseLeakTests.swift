import Certificates
import Foundation
import PrivateKDE
import SuretyNumerics
import Testing
import ToolTestSupport

/// Nothing computed from the private data leaves `dpkde build` outside the mechanism (issue #18,
/// item 1; CLAIMS.md `dpkde.release`). A differential test: neighbouring data sets D and D′ (one
/// extreme row added) are built with the same public parameters and the same seeded noise, and
/// every output — exit code, standard output and error, the certificate, the file's header and
/// size — must be identical except the values the mechanism released (the noisy numbers, and
/// the digest of the released file, which is public). Before the fix the certificate held the
/// data file's path and SHA-256, from which a reviewer recovered a hidden row.
@Suite struct ReleaseLeakTests {
    static var binary: URL? { ToolProcess.binary("dpkde") }

    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dpkde-leak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var rows = ["x,y"]
        for i in 0..<150 { rows.append("\(Double(i % 13) / 13),\(Double(i % 7) / 7)") }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        rows.append("1,1")     // the neighbour: one extreme row more
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("neighbour.csv"), atomically: true, encoding: .utf8)
        return directory
    }

    /// The certificate with the mechanism's outputs removed.
    static func publicPart(_ certificate: Certificate) -> JSONValue {
        var results = certificate.results
        for key in ["noisy_count", "output"] { results[key] = nil }
        return .object(["kind": .string(certificate.kind), "claim": .string(certificate.claim),
                        "assumptions": .array(certificate.assumptions.map(JSONValue.string)),
                        "parameters": .object(certificate.parameters), "results": .object(results),
                        "inputs": .array(certificate.inputs.map { .string($0.path + " " + $0.sha256) })])
    }

    @Test(.enabled(if: binary != nil), arguments: [
        ["--bandwidth", "0.5", "--features", "64"],
        ["--kernel", "l1", "--bounds", "0:1", "--levels", "5"],
        ["--kernel", "l1-prefix", "--bounds", "0:1"],
        ["--kernel", "l2", "--bounds", "0:1", "--levels", "5"],
        ["--kernel", "l2-squared", "--bounds", "0:1"],
    ])
    func buildOutputsDependOnTheDataOnlyThroughTheMechanism(structure: [String]) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var runs: [(status: Int32, out: String, err: String)] = [], files: [[UInt8]] = []
        for data in ["d.csv", "neighbour.csv"] {
            let output = "release.dpkde"     // the same name for both: it appears in the claim
            let run = try ToolProcess.run("dpkde", ["build", data, "--epsilon", "1", "--feature-seed", "3", "--insecure-noise-seed", "9",
                                                    "-o", output, "--json"] + structure, in: dir)
            #expect(run.status == 0, "\(run.err)")
            runs.append(run)
            files.append(Array(try Data(contentsOf: dir.appendingPathComponent(output))))
        }
        #expect(runs[0].status == runs[1].status && runs[0].err == runs[1].err)
        let certificates = try runs.map { try Certificate.decode(Data($0.out.utf8)) }
        #expect(Self.publicPart(certificates[0]) == Self.publicPart(certificates[1]))
        #expect(certificates.allSatisfy { $0.inputs.isEmpty }, "a release certificate records no input file")
        // The data file's digest and name appear nowhere in the certificate.
        let digest = InputDigest.sha256(of: Array(try Data(contentsOf: dir.appendingPathComponent("d.csv"))))
        #expect(!runs[0].out.contains(digest) && !runs[0].out.contains("d.csv") && !runs[0].out.contains(dir.path))
        #expect(!runs[1].out.contains("neighbour.csv"))
        // The seeded build says it is not private, in the claim itself.
        #expect(certificates[0].claim.hasPrefix("NOT PRIVATE"))
        // Same header and size; only the released values differ.
        #expect(files[0].count == files[1].count)
        // The header's released values (the noisy count) are the mechanism's; the rest is public.
        let headers = try files.map { file -> [String: JSONValue] in
            var header = try PrivateStructureFile.decode(file, name: "release").header
            header["count"] = nil
            return header
        }
        #expect(headers[0] == headers[1])
    }

    /// Error messages about a private file give the position, not the value.
    @Test(.enabled(if: binary != nil)) func errorsWithholdPrivateValues() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "x,y\n0.5,0.25\n0.75,secret-value-17\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let run = try ToolProcess.run("dpkde", ["build", "bad.csv", "--epsilon", "1"], in: dir)
        #expect(run.status == 64)
        #expect(run.err.contains("bad.csv:3:") && run.err.contains("withheld") && !run.err.contains("secret-value-17"), "\(run.err)")
        // A directory is named as such (it was an opaque NSCocoaErrorDomain error).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.csv"), withIntermediateDirectories: true)
        let folder = try ToolProcess.run("dpkde", ["build", "folder.csv", "--epsilon", "1"], in: dir)
        #expect(folder.status == 64 && folder.err.contains("a directory"), "\(folder.err)")
    }

    /// No rows and one row are neighbouring data sets under add/remove: both are released (a
    /// refusal of the empty file told them apart with certainty; found by a reviewer).
    @Test(.enabled(if: binary != nil), arguments: ["gaussian", "l1", "l1-prefix", "l2", "l2-squared"])
    func anEmptyDataSetIsReleasedLikeAnyOther(kernel: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "x,y\n".write(to: dir.appendingPathComponent("empty.csv"), atomically: true, encoding: .utf8)
        try "x,y\n1,1\n".write(to: dir.appendingPathComponent("one.csv"), atomically: true, encoding: .utf8)
        var outcomes: [(Int32, String)] = []
        for data in ["empty.csv", "one.csv"] {
            let run = try ToolProcess.run("dpkde", ["build", data, "--epsilon", "1", "--kernel", kernel, "--bounds", "0:1", "-o", "r.dpkde"], in: dir)
            outcomes.append((run.status, run.err))
        }
        #expect(outcomes[0].0 == 0 && outcomes[1].0 == 0, "\(outcomes)")
        #expect(outcomes[0].1 == outcomes[1].1)
    }

    /// ε beyond 100 protects nothing and is refused; a query on a seeded file warns.
    @Test(.enabled(if: binary != nil)) func meaninglessBudgetsAndSeededFilesAreFlagged() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for epsilon in ["1e308", "101", "inf", "nan"] {
            let run = try ToolProcess.run("dpkde", ["build", "d.csv", "--epsilon", epsilon], in: dir)
            #expect(run.status == 64 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("d.dpkde").path), "ε = \(epsilon): \(run.err)")
        }
        #expect(try ToolProcess.run("dpkde", ["build", "d.csv", "--epsilon", "1", "--insecure-noise-seed", "2"], in: dir).status == 0)
        try "x,y\n0.5,0.5\n".write(to: dir.appendingPathComponent("q.csv"), atomically: true, encoding: .utf8)
        let query = try ToolProcess.run("dpkde", ["query", "d.dpkde", "q.csv"], in: dir)
        #expect(query.status == 0 && query.err.contains("NOT PRIVATE"), "\(query.err)")
    }

    /// A copy of a noise source shares its buffer: the words it serves are not served again.
    @Test func noiseSourceCopiesDoNotReplay() {
        let a = NoiseSource.seeded(4), b = a
        let served = [a.next(), b.next(), a.next()]
        let reference = NoiseSource.seeded(4)
        #expect(served == [reference.next(), reference.next(), reference.next()])
        let secure = NoiseSource.secure, copy = secure
        #expect(secure.next() != copy.next())     // equal with probability 2⁻⁶⁴
    }
}
