import Foundation
import Testing
@testable import Certificates
import SuretyData

func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("surety-\(UUID().uuidString)-\(name)")
}

@Suite struct CertificateTests {
    func example(seed: UInt64? = 42) -> Certificate {
        Certificate(
            kind: "test.mean-bound", claim: "E[X] ≤ 0.7 with probability ≥ 0.99",
            assumptions: ["i.i.d. draws in [0, 1]"],
            parameters: ["delta": 0.01, "n": 100, "method": "hoeffding"],
            results: ["upper_bound": 0.7, "interval": [0.1, 0.2], "infinite": .number(.infinity)],
            evidence: ["mean": 0.55, "nested": ["b": 2, "a": [1, 2]]],
            inputs: [InputDigest(path: "data.csv", sha256: String(repeating: "0", count: 64))],
            seed: seed, tolerances: ["results.upper_bound": 1e-6])
    }

    @Test func canonicalFormHasDesignOrderAndSortedKeys() {
        let text = example().canonicalJSON()
        let expected = """
        {
          "kind": "test.mean-bound",
          "version": 1,
          "claim": "E[X] ≤ 0.7 with probability ≥ 0.99",
          "assumptions": ["i.i.d. draws in [0, 1]"],
          "parameters": {
            "delta": 0.01,
            "method": "hoeffding",
            "n": 100
          },
          "results": {
            "infinite": "Infinity",
            "interval": [0.1, 0.2],
            "upper_bound": 0.7
          },
          "evidence": {
            "mean": 0.55,
            "nested": {
              "a": [1, 2],
              "b": 2
            }
          },
          "inputs": [
            {
              "path": "data.csv",
              "sha256": "0000000000000000000000000000000000000000000000000000000000000000"
            }
          ],
          "seed": 42,
          "tolerances": {
            "results.upper_bound": 1e-06
          },
          "software": {
            "name": "surety",
            "version": "0.1.0"
          }
        }

        """
        #expect(text == expected)
    }

    @Test func roundTripsThroughJSON() throws {
        for cert in [example(), example(seed: nil), example(seed: .max)] {
            let back = try Certificate.decode(Data(cert.canonicalJSON().utf8))
            #expect(back == cert)
            #expect(back.canonicalJSON() == cert.canonicalJSON())
        }
        // Foundation's encoder gives the same certificate back too.
        let viaEncoder = try JSONEncoder().encode(example())
        #expect(try Certificate.decode(viaEncoder) == example())
    }

    @Test func escapesStrings() {
        let value: JSONValue = ["s": "quote \" backslash \\ newline \n tab \t bell \u{7}"]
        #expect(value.description == "{\n  \"s\": \"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\"\n}")
    }

    @Test func rejectsUnknownVersionsAndBrokenFiles() {
        var text = example().canonicalJSON().replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
        #expect(throws: DataError(file: "c.json", line: 3, column: 3, seen: "certificate format version 2",
                                  expected: "version 1, the version this build of Surety reads")) {
            try Certificate.decode(Data(text.utf8), name: "c.json")
        }
        text = example().canonicalJSON().replacingOccurrences(of: "\"claim\"", with: "\"claims\"")
        #expect(throws: DataError.self) { try Certificate.decode(Data(text.utf8)) }
        #expect(throws: DataError.self) { try Certificate.decode(Data("{".utf8)) }
    }

    @Test func hashesFilesWithSHA256() throws {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        let url = temporaryURL("abc.txt")
        try Data("abc".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try InputDigest.sha256(of: url) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(InputDigest.sha256(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(throws: DataError.self) { try InputDigest.sha256(of: URL(fileURLWithPath: "/nonexistent")) }
        // A device never ends and a directory is no file: both are errors, not a hang.
        #expect(throws: DataError.self) { try InputDigest.sha256(of: URL(fileURLWithPath: "/dev/zero")) }
        #expect(throws: DataError.self) { try InputDigest.sha256(of: FileManager.default.temporaryDirectory) }
        // A link to a regular file is that file.
        let target = temporaryURL("target.txt"), link = temporaryURL("link.txt")
        try Data("x".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        defer { try? FileManager.default.removeItem(at: target); try? FileManager.default.removeItem(at: link) }
        #expect(try InputDigest.sha256(of: link) == InputDigest.sha256(of: Data("x".utf8)))
    }

    @Test func verifyAcceptsAReproductionAndReportsEachDifference() throws {
        let directory = FileManager.default.temporaryDirectory
        let url = temporaryURL("data.csv")
        try Data("x\n1\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var cert = example()
        cert.inputs = [try InputDigest.of(file: url, recordedPath: url.lastPathComponent)]

        // Within the recorded tolerance; numbers without one must be equal.
        let good = cert.verify(baseDirectory: directory) { c in
            var r = c
            r.results["upper_bound"] = 0.7000005
            return r
        }
        #expect(good.verified, "\(good.mismatches)")
        let lastBit = cert.verify(baseDirectory: directory) { c in
            var r = c
            r.evidence["mean"] = .number(0.55.nextUp)
            return r
        }
        #expect(lastBit.mismatches.map(\.path) == ["evidence.mean"])

        let bad = cert.verify(baseDirectory: directory) { c in
            var r = c
            r.results["upper_bound"] = 0.71
            r.results["interval"] = [0.1, 0.3]
            r.evidence["nested"] = ["a": [1, 2], "b": "two"]
            r.parameters["delta"] = .number(0.01 * (1 + 1e-12))
            return r
        }
        #expect(bad.mismatches.map(\.path) == ["parameters.delta", "results.interval[1]", "results.upper_bound", "evidence.nested.b"])

        // A changed input is caught before anything is recomputed.
        try Data("x\n2\n".utf8).write(to: url)
        let tampered = cert.verify(baseDirectory: directory) { _ in Issue.record("recomputed despite a changed input"); return cert }
        #expect(tampered.mismatches.count == 1 && tampered.mismatches[0].path.hasPrefix("inputs[0]"))
    }

    /// Tolerances come from what a number is: relative rules are taken of each record's own
    /// magnitude (normwise over a vector of numbers), decision rates allow the stated flips.
    @Test func tolerancesAreDerivedFromTheRule() throws {
        var cert = example()
        cert.results["curve"] = [["w1": 0.5, "n": 10], ["w1": -2.0, "n": 20]]
        cert.results["accuracy"] = 0.9
        cert.tolerate(.roundoff, at: "results.curve.w1")
        cert.tolerate(.fitted, at: "results.upper_bound")
        cert.tolerate(.decisions(flips: 2, outOf: 400), at: "results.accuracy")
        // Records of an array of objects get their own entries; the interval is one vector.
        cert.tolerate(.roundoff, at: "results.interval")
        #expect(cert.tolerances["results.curve[0].w1"] == Tolerance.roundoffRelative * 0.5)
        #expect(cert.tolerances["results.curve[1].w1"] == Tolerance.roundoffRelative * 2)
        #expect(cert.tolerances["results.interval"] == Tolerance.roundoffRelative * 0.2)
        #expect(cert.tolerances["results.upper_bound"] == Tolerance.fittedRelative * 0.7)
        #expect(cert.tolerances["results.accuracy"] == 0.005)
        var close = cert
        close.results["curve"] = [["w1": .number(0.5 + 1e-11), "n": 10], ["w1": -2.0, "n": 20]]
        close.results["accuracy"] = 0.904
        #expect(cert.differences(from: close).isEmpty)
        var off = cert
        off.results["curve"] = [["w1": .number(0.5 + 1e-9), "n": 10], ["w1": -2.0, "n": 21]]
        #expect(cert.differences(from: off).map(\.path) == ["results.curve[0].w1", "results.curve[1].n"])
    }

    /// A tampered file that widens its own tolerance gains nothing: the smaller of the
    /// recorded and the recomputed tolerance applies.
    @Test func aWidenedToleranceIsNotTrusted() {
        let honest = example()
        var tampered = honest
        tampered.tolerances["results.upper_bound"] = 1
        tampered.results["upper_bound"] = 0.5
        #expect(tampered.differences(from: honest).map(\.path) == ["results.upper_bound"])
        #expect(honest.differences(from: tampered).map(\.path) == ["results.upper_bound"])
    }

    @Test func writesAtomically() throws {
        let url = temporaryURL("cert.json")
        defer { try? FileManager.default.removeItem(at: url) }
        try example().write(to: url)
        #expect(try Certificate.read(from: url) == example())
    }
}
