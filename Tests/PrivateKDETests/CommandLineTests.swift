import Certificates
import PrivateKDE
import Foundation
import Testing
import ToolTestSupport

/// The `dpkde` executable, run as a user would (it is built with the tests).
@Suite struct DPKDECommandLineTests {
    static var binary: URL? { ToolProcess.binary("dpkde") }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, out: String, err: String) {
        try ToolProcess.run("dpkde", arguments, in: directory)
    }

    /// A scratch directory with a small dataset (`data.csv`, 2 columns) and queries.
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dpkde-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var rows = ["x,y"]
        for i in 0..<200 { rows.append("\(Double(i % 17) / 17),\(Double(i % 5) / 5)") }
        try (rows.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        try "x,y\n0.5,0.5\n0.1,0.9\n".write(to: directory.appendingPathComponent("queries.csv"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test(.enabled(if: binary != nil)) func buildQueryInfo() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let built = try Self.run(["build", "data.csv", "--epsilon", "1", "--delta", "1e-6", "--bandwidth", "0.5", "--features", "64",
                                  "--feature-seed", "3", "--json"], in: dir)
        #expect(built.status == 0, "\(built.err)")
        let certificate = try Certificate.decode(Data(built.out.utf8))
        #expect(certificate.kind == "dpkde.release")
        #expect(certificate.parameters["privacy"]?.objectValue?["rho"] != nil)       // zCDP for δ > 0
        let answers = try Self.run(["query", "data.dpkde", "queries.csv", "--average"], in: dir)
        #expect(answers.status == 0, "\(answers.err)")
        let lines = answers.out.split(separator: "\n")
        #expect(lines.first == "average_similarity,noise_sd,exact_low,exact_high" && lines.count == 3)
        for line in lines.dropFirst() {
            // noise_sd is the noise alone; [exact_low, exact_high] ⊂ [0, 1] covers the exact average.
            let fields = line.split(separator: ",").compactMap { Double($0) }
            #expect(fields.count == 4 && fields[1] > 0 && 0 <= fields[2] && fields[2] < fields[3] && fields[3] <= 1, "\(line)")
        }
        let certified = try Self.run(["query", "data.dpkde", "queries.csv", "--confidence", "0.99", "--json"], in: dir)
        #expect(certified.status == 0, "\(certified.err)")
        let answered = try Certificate.decode(Data(certified.out.utf8))
        #expect(answered.kind == "dpkde.query" && answered.parameters["confidence"]?.doubleValue == 0.99)
        #expect(answered.results["answers"]?.arrayValue?.count == 2 && answered.inputs.count == 2)
        #expect(answered.results["answers"]?.arrayValue?.first?.objectValue?["exact_high"] != nil)
        #expect(try Self.run(["query", "data.dpkde", "queries.csv", "--confidence", "1"], in: dir).status == 64)
        let info = try Self.run(["info", "data.dpkde"], in: dir)
        #expect(info.out.contains("system secure generator") && info.out.contains("zCDP"))
        // Seeded noise is reproducible and says it is not private.
        let seeded = try Self.run(["build", "data.csv", "--epsilon", "1", "--insecure-noise-seed", "5", "-o", "seeded.dpkde"], in: dir)
        #expect(seeded.status == 0 && seeded.err.contains("NOT PRIVATE"))
        #expect(try Self.run(["info", "seeded.dpkde"], in: dir).out.contains("NOT PRIVATE"))
        // ℓ1 distances need public bounds.
        #expect(try Self.run(["build", "data.csv", "--epsilon", "1", "--kernel", "l1", "-o", "l1.dpkde"], in: dir).status == 64)
        let l1 = try Self.run(["build", "data.csv", "--epsilon", "1", "--kernel", "l1", "--bounds", "0:1", "--levels", "6", "-o", "l1.dpkde"], in: dir)
        #expect(l1.status == 0, "\(l1.err)")
        #expect(try Self.run(["query", "l1.dpkde", "queries.csv"], in: dir).out.hasPrefix("l1_distance_sum,noise_sd"))
        let zcdp = try Self.run(["build", "data.csv", "--epsilon", "1", "--delta", "1e-6", "--kernel", "l1", "--bounds", "0:1", "--levels", "6", "-o", "l1z.dpkde"], in: dir)
        #expect(zcdp.status == 0 && zcdp.out.contains("zCDP") && zcdp.out.contains("discrete Gaussian"), "\(zcdp.out)\(zcdp.err)")
        #expect(try Self.run(["build", "data.csv", "--epsilon", "1", "--delta", "1e-6", "--kernel", "l1-prefix", "--bounds", "0:1"], in: dir).status == 64)
        for (kind, column) in [("l1-prefix", "l1_distance_sum"), ("l2", "l2_distance_sum"), ("l2-squared", "squared_l2_distance_sum")] {
            let built = try Self.run(["build", "data.csv", "--epsilon", "1", "--kernel", kind, "--bounds", "0:1", "--levels", "6", "-o", "\(kind).dpkde"], in: dir)
            #expect(built.status == 0, "\(kind): \(built.err)")
            let answers = try Self.run(["query", "\(kind).dpkde", "queries.csv"], in: dir)
            #expect(answers.status == 0 && answers.out.hasPrefix("\(column),noise_sd"), "\(kind): \(answers.out)\(answers.err)")
            #expect(answers.out.split(separator: "\n").count == 3)
        }
    }

    /// Shards built with --partial merge into one release; shards with other features, or a
    /// partial file given to query, are refused without output. Partial files are readable by
    /// their owner only; a shard given twice (the same file, a byte copy, or the shard built
    /// again) is refused as not disjoint; a merge without a ledger says nothing limits it.
    @Test(.enabled(if: binary != nil)) func partialBuildsMerge() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["--partial", "--bandwidth", "0.5", "--features", "32"]
        #expect(try Self.run(["build", "data.csv", "-o", "a.partial", "--feature-seed", "9"] + common, in: dir).status == 0)
        #expect(try Self.run(["build", "queries.csv", "-o", "b.partial", "--feature-seed", "9"] + common, in: dir).status == 0)
        #expect(try Self.run(["build", "queries.csv", "-o", "c.partial", "--feature-seed", "10"] + common, in: dir).status == 0)
        for name in ["a.partial", "b.partial", "c.partial"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): mode \(String(mode ?? -1, radix: 8))")
        }
        let merged = try Self.run(["merge", "a.partial", "b.partial", "--epsilon", "1", "-o", "m.dpkde"], in: dir)
        #expect(merged.status == 0, "\(merged.err)")
        #expect(merged.err.contains("nothing limits re-running"), "\(merged.err)")
        let refused = try Self.run(["merge", "a.partial", "c.partial", "--epsilon", "1", "-o", "bad.dpkde"], in: dir)
        #expect(refused.status == 64 && refused.err.contains("c.partial"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.dpkde").path))
        #expect(try Self.run(["query", "a.partial", "queries.csv"], in: dir).status == 64)
        #expect(try Self.run(["build", "data.csv", "--partial", "--epsilon", "1"], in: dir).status == 64)

        try FileManager.default.copyItem(at: dir.appendingPathComponent("a.partial"), to: dir.appendingPathComponent("copy.partial"))
        #expect(try Self.run(["build", "data.csv", "-o", "again.partial", "--feature-seed", "9"] + common, in: dir).status == 0)
        for duplicate in [["a.partial", "b.partial", "a.partial"], ["a.partial", "b.partial", "copy.partial"], ["again.partial", "b.partial", "a.partial"]] {
            let twice = try Self.run(["merge"] + duplicate + ["--epsilon", "1", "-o", "twice.dpkde"], in: dir)
            #expect(twice.status == 64 && twice.err.contains("disjoint") && twice.err.contains(duplicate[2]), "\(duplicate): \(twice.err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("twice.dpkde").path))
        }
    }

    /// Issue #20, item 1: `merge --partial` adds partial files without noise, so an engine can
    /// reduce in a tree. A release from a tree of merges equals, byte for byte under a fixed noise
    /// seed, the flat merge of the same shards and one build of their union. A shard cannot enter
    /// a tree twice at any level (the merged partial records every leaf); --partial takes no ε,
    /// writes owner-only, and never over one of its inputs.
    @Test(.enabled(if: binary != nil)) func mergeTreeEqualsOneBuild() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try String(contentsOf: dir.appendingPathComponent("data.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        for k in 0..<4 {
            let part = rows.enumerated().filter { $0.offset % 4 == k }.map(\.element)
            try (["x,y"] + part).joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent("s\(k).csv"), atomically: true, encoding: .utf8)
        }
        let common = ["--bandwidth", "0.5", "--features", "32", "--feature-seed", "9"]
        for k in 0..<4 { #expect(try Self.run(["build", "s\(k).csv", "--partial", "-o", "s\(k).partial"] + common, in: dir).status == 0) }
        #expect(try Self.run(["merge", "--partial", "s0.partial", "s1.partial", "-o", "s01.partial"], in: dir).status == 0)
        #expect(try Self.run(["merge", "--partial", "s3.partial", "s2.partial", "-o", "s32.partial"], in: dir).status == 0)
        #expect(try Self.run(["merge", "--partial", "s32.partial", "s01.partial", "-o", "root.partial"], in: dir).status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("s01.partial").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let seeded = ["--epsilon", "1", "--insecure-noise-seed", "7"]
        #expect(try Self.run(["merge", "s01.partial", "s32.partial", "-o", "tree.dpkde"] + seeded, in: dir).status == 0)
        #expect(try Self.run(["merge", "root.partial", "-o", "root.dpkde"] + seeded, in: dir).status == 0)
        #expect(try Self.run(["merge", "s0.partial", "s1.partial", "s2.partial", "s3.partial", "-o", "flat.dpkde"] + seeded, in: dir).status == 0)
        #expect(try Self.run(["build", "data.csv", "-o", "single.dpkde"] + common + seeded, in: dir).status == 0)
        let bytes = try ["tree", "root", "flat", "single"].map { try Data(contentsOf: dir.appendingPathComponent("\($0).dpkde")) }
        #expect(bytes.allSatisfy { $0 == bytes[0] }, "sizes \(bytes.map(\.count))")
        // A leaf again, a merged partial twice, a rebuilt leaf (same statistics), a subtree's sums
        // under a new identity: each refused, naming the file, with no output.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("s01.partial"), to: dir.appendingPathComponent("copy.partial"))
        #expect(try Self.run(["build", "s2.csv", "--partial", "-o", "again.partial"] + common, in: dir).status == 0)
        #expect(try Self.run(["merge", "--partial", "s0.partial", "s1.partial", "-o", "s01b.partial"], in: dir).status == 0)
        for inputs in [["s01.partial", "s0.partial"], ["root.partial", "s32.partial"], ["s01.partial", "copy.partial"],
                       ["s32.partial", "again.partial"], ["s01.partial", "s01b.partial"], ["root.partial", "s2.partial"]] {
            for extra in [["--partial"], ["--epsilon", "1"]] {
                let refused = try Self.run(["merge"] + inputs + extra + ["-o", "out.bin"], in: dir)
                #expect(refused.status == 64 && refused.err.contains("disjoint") && refused.err.contains(inputs[1]), "\(inputs) \(extra): \(refused.err)")
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.bin").path))
            }
        }
        #expect(try Self.run(["merge", "--partial", "s0.partial", "s1.partial", "--epsilon", "1", "-o", "x.partial"], in: dir).status == 64)
        #expect(try Self.run(["merge", "--partial", "s0.partial", "s1.partial", "--insecure-noise-seed", "3", "-o", "x.partial"], in: dir).status == 64)
        #expect(try Self.run(["merge", "--partial", "s2.partial", "s3.partial", "-o", "s2.partial"], in: dir).status == 64)
        #expect(try Self.run(["merge", "s2.partial", "s3.partial", "--epsilon", "1", "-o", "s3.partial"], in: dir).status == 64)

        // From a red-team review: the rows of an inner node rebuilt as one shard, merged with a
        // node above it, are refused (nodes record every digest below them); an empty shard in a
        // node does not make the node clash with its own leaf, and the tree still releases the
        // union's bytes.
        let first = rows.enumerated().filter { $0.offset % 4 < 2 }.map(\.element)
        try (["x,y"] + first).joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent("s01.csv"), atomically: true, encoding: .utf8)
        #expect(try Self.run(["build", "s01.csv", "--partial", "-o", "rebuilt01.partial"] + common, in: dir).status == 0)
        let rebuilt = try Self.run(["merge", "root.partial", "rebuilt01.partial", "--epsilon", "1", "-o", "out.bin"], in: dir)
        #expect(rebuilt.status == 64 && rebuilt.err.contains("disjoint"), "\(rebuilt.err)")
        try "x,y\n".write(to: dir.appendingPathComponent("empty.csv"), atomically: true, encoding: .utf8)
        #expect(try Self.run(["build", "empty.csv", "--partial", "-o", "e.partial"] + common, in: dir).status == 0)
        #expect(try Self.run(["merge", "--partial", "e.partial", "s0.partial", "-o", "e0.partial"], in: dir).status == 0)
        #expect(try Self.run(["merge", "e0.partial", "s1.partial", "s32.partial", "-o", "withEmpty.dpkde"] + seeded, in: dir).status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("withEmpty.dpkde")) == bytes[0])
        // A node of empty shards only (it records no digest) reads back and releases with the rest.
        #expect(try Self.run(["build", "empty.csv", "--partial", "-o", "e2.partial"] + common, in: dir).status == 0)
        #expect(try Self.run(["merge", "--partial", "e.partial", "e2.partial", "-o", "ee.partial"], in: dir).status == 0)
        #expect(try Self.run(["merge", "ee.partial", "s01.partial", "s32.partial", "-o", "emptyNode.dpkde"] + seeded, in: dir).status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("emptyNode.dpkde")) == bytes[0])
    }

    /// merge charges its ledger like build: recorded before the release is written, and an
    /// overspend refused with no output and the ledger unchanged.
    @Test(.enabled(if: binary != nil)) func mergeChargesTheLedger() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["--partial", "--bandwidth", "0.5", "--features", "32", "--feature-seed", "9"]
        #expect(try Self.run(["build", "data.csv", "-o", "a.partial"] + common, in: dir).status == 0)
        #expect(try Self.run(["build", "queries.csv", "-o", "b.partial"] + common, in: dir).status == 0)
        let ledger = dir.appendingPathComponent("ledger.json")
        let first = try Self.run(["merge", "a.partial", "b.partial", "--epsilon", "0.6", "--ledger", "ledger.json", "--ledger-budget", "1",
                                  "-o", "m1.dpkde"], in: dir)
        #expect(first.status == 0 && !first.err.contains("nothing limits"), "\(first.err)")
        #expect(try PrivacyBudgetLedger.load(from: ledger).entries.map(\.epsilon) == [0.6])
        let before = try Data(contentsOf: ledger)
        let second = try Self.run(["merge", "a.partial", "b.partial", "--epsilon", "0.6", "--ledger", "ledger.json", "-o", "m2.dpkde"], in: dir)
        #expect(second.status == 64 && second.err.contains("remaining ε = 0.4"), "\(second.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m2.dpkde").path))
        #expect(try Data(contentsOf: ledger) == before)
    }

    /// Concurrent builds against one ledger (the case of issue #18: two builds both released
    /// past the budget): 8 processes at ε = 0.3 on a budget of 1, all started before any is
    /// waited for, creating the ledger as they go. Exactly 3 release, the others are refused
    /// without output, and the ledger's total is the sum of the releases written.
    @Test(.enabled(if: binary != nil)) func concurrentBuildsNeverOverspend() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = 8
        let results = try ToolProcess.runConcurrently("dpkde", (0..<runs).map {
            ["build", "data.csv", "--epsilon", "0.3", "--features", "256", "--ledger", "ledger.json", "--ledger-budget", "1", "-o", "out\($0).dpkde"]
        }, in: dir)
        var released = 0.0
        for (k, result) in results.enumerated() {
            let written = FileManager.default.fileExists(atPath: dir.appendingPathComponent("out\(k).dpkde").path)
            if result.status == 0 { released += 0.3 } else { #expect(result.status == 64 && result.err.contains("remaining ε"), "run \(k): \(result.err)") }
            #expect(written == (result.status == 0), "run \(k): exit \(result.status), output written: \(written)")
        }
        let succeeded = results.filter { $0.status == 0 }.count
        #expect(succeeded == 3, "\(succeeded) of \(runs) released")
        let ledger = try PrivacyBudgetLedger.load(from: dir.appendingPathComponent("ledger.json"))
        #expect(ledger.entries.count == succeeded && abs(ledger.spent - released) < 1e-12 && ledger.spent <= ledger.budget)
    }

    /// A release that fails after its charge (here the output path is a directory, so the
    /// final rename fails) keeps the spend, and the message says so.
    @Test(.enabled(if: binary != nil)) func failedReleaseStaysCharged() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out.dpkde"), withIntermediateDirectories: false)
        let failed = try Self.run(["build", "data.csv", "--epsilon", "0.4", "--ledger", "ledger.json", "--ledger-budget", "1", "-o", "out.dpkde"], in: dir)
        #expect(failed.status != 0 && failed.err.contains("stays recorded in") && failed.err.contains("ledger.json"), "\(failed.err)")
        #expect(try PrivacyBudgetLedger.load(from: dir.appendingPathComponent("ledger.json")).spent == 0.4)
        // A missing output directory is found before the charge: refused, nothing spent.
        let missing = try Self.run(["build", "data.csv", "--epsilon", "0.4", "--ledger", "ledger.json", "-o", "no/such/out.dpkde"], in: dir)
        #expect(missing.status == 64 && !missing.err.contains("stays recorded"), "\(missing.err)")
        #expect(try PrivacyBudgetLedger.load(from: dir.appendingPathComponent("ledger.json")).spent == 0.4)
    }

    /// Every bad input of the issue: exit 64, a message naming the problem, and no output file.
    @Test(.enabled(if: binary != nil)) func badInputLeavesNoOutput() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["missing.csv": "x,y\n1,2\n3,\n", "text.csv": "x,y\n1,2\n3,abc\n", "nan.csv": "x,y\n1,2\n3,nan\n",
                     "inf.csv": "x,y\n1,inf\n", "empty.csv": "x,y\n", "three.csv": "x,y,z\n1,2,3\n"]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let cases: [([String], String)] = [
            (["build", "missing.csv", "--epsilon", "1"], "missing.csv:3:3"),
            (["build", "text.csv", "--epsilon", "1"], "text.csv:3:3"),
            (["build", "nan.csv", "--epsilon", "1"], "nan.csv:3:3"),
            (["build", "inf.csv", "--epsilon", "1"], "inf.csv:2:3"),
            (["build", "data.csv", "--epsilon", "0"], "ε = 0"),
            (["build", "data.csv", "--epsilon=-1"], "ε = -1"),
            (["build", "data.csv", "--epsilon", "1", "--delta", "1"], "δ = 1"),
            (["build", "data.csv", "--epsilon", "1", "--delta=-0.5"], "δ = -0.5"),
            (["build", "data.csv", "--epsilon", "1", "--bounds", "1:0"], "lower < upper"),
            (["build", "data.csv", "--epsilon", "1", "--kernel", "l1", "--bounds", "2:2"], "lower < upper"),
            (["build", "data.csv", "--epsilon", "1", "--kernel", "nope"], "--kernel"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments + ["-o", "out.dpkde"], in: dir)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.err)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.dpkde").path), "\(arguments) left output")
        }
        #expect(try Self.run(["build", "data.csv", "--epsilon", "1", "--feature-seed", "1"], in: dir).status == 0)
        let mismatch = try Self.run(["query", "data.dpkde", "three.csv", "-o", "answers.csv"], in: dir)
        #expect(mismatch.status == 64 && mismatch.err.contains("3 coordinates"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("answers.csv").path))
    }

    /// A ledger refuses the release that would overspend: exit 64, no output, ledger unchanged.
    @Test(.enabled(if: binary != nil)) func ledgerRefusesOverspending() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Self.run(["build", "data.csv", "--epsilon", "0.6", "--ledger", "ledger.json", "--ledger-budget", "1", "-o", "a.dpkde"], in: dir)
        #expect(first.status == 0, "\(first.err)")
        let before = try Data(contentsOf: dir.appendingPathComponent("ledger.json"))
        let second = try Self.run(["build", "data.csv", "--epsilon", "0.6", "--ledger", "ledger.json", "-o", "b.dpkde"], in: dir)
        #expect(second.status == 64 && second.err.contains("remaining ε = 0.4"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.dpkde").path))
        #expect(try Data(contentsOf: dir.appendingPathComponent("ledger.json")) == before)
        // δ: this ledger has no δ budget, so a zCDP release is refused; budgets cannot be
        // changed after creation.
        let zcdp = try Self.run(["build", "data.csv", "--epsilon", "0.2", "--delta", "1e-6", "--ledger", "ledger.json", "-o", "c.dpkde"], in: dir)
        #expect(zcdp.status == 64 && zcdp.err.contains("no δ budget"), "\(zcdp.err)")
        let change = try Self.run(["build", "data.csv", "--epsilon", "0.2", "--ledger", "ledger.json", "--ledger-budget", "5", "-o", "c.dpkde"], in: dir)
        #expect(change.status == 64 && change.err.contains("fixed when a ledger is created"), "\(change.err)")
        let withDelta = try Self.run(["build", "data.csv", "--epsilon", "0.2", "--delta", "1e-6", "--ledger", "ledger2.json", "--ledger-budget", "1",
                                      "--ledger-delta-budget", "1e-5", "-o", "c.dpkde"], in: dir)
        #expect(withDelta.status == 0, "\(withDelta.err)")
        #expect(try PrivacyBudgetLedger.load(from: dir.appendingPathComponent("ledger2.json")).spentDelta == 1e-6)
    }

    /// The reference classification certificate (seeded noise, so reproducible) is recomputed;
    /// a tampered copy is refused.
    @Test(.enabled(if: binary != nil)) func referenceCertificateIsReproduced() throws {
        let reference = Self.root.appendingPathComponent("Certificates/reference/dpkde-classify.json")
        let certificate = try Certificate.read(from: reference)
        #expect(certificate.kind == "dpkde.classification")
        #expect(certificate.results["digits"] != nil && certificate.results["breast_cancer"] != nil)
        for run in try ToolProcess.verifyUnderTwoKernels("dpkde", reference, in: Self.root) {
            #expect(run.status == 0, "under OpenBLAS kernel \(run.kernel): \(run.out)\(run.err)")
            #expect(run.out.hasPrefix("verified"))
        }
        var tampered = certificate
        tampered.results["digits"] = .array([])
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("dpkde-tampered-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try tampered.write(to: copy)
        #expect(try Self.run(["verify", copy.path], in: Self.root).status == 1)
    }

    /// The audit subcommand: consistent for the real mechanisms (exit 0).
    @Test(.enabled(if: binary != nil)) func auditCommand() throws {
        let result = try Self.run(["audit", "--trials", "20000"], in: Self.root)
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("consistent with ε"))
    }

    /// Neither the release nor the certificate may be written over the ledger, under any name:
    /// the release's rename came after the charge and replaced the ledger, losing every recorded
    /// spend (found by a reviewer). A ledger in a missing directory is an error, not a lock file
    /// created at the directory's path.
    @Test(.enabled(if: binary != nil)) func releasesNeverReplaceTheLedger() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "L.json", "--ledger-budget", "1", "-o", "r1.dpkde"], in: dir).status == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("lnk").path, withDestinationPath: "L.json")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("x"), withIntermediateDirectories: true)
        for extra in [["-o", "L.json"], ["-o", "lnk"], ["-o", "x/../L.json"], ["-o", "r2.dpkde", "--certificate", "L.json"]] {
            let run = try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "L.json"] + extra, in: dir)
            #expect(run.status == 64 && run.err.contains("is the ledger"), "\(extra): \(run.err)")
        }
        let book = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("L.json"))) as? [String: Any]
        #expect((book?["entries"] as? [Any])?.count == 1)
        // `link/../L.json` is the file the operating system opens (the link's target's parent),
        // not the textual collapse: the real ledger is charged, and may not be overwritten.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub/inner"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("s").path, withDestinationPath: "sub/inner")
        #expect(try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "sub/L.json", "--ledger-budget", "1", "-o", "r4.dpkde"], in: dir).status == 0)
        let through = try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "s/../L.json", "-o", "r5.dpkde"], in: dir)
        #expect(through.status == 0, "\(through.err)")
        let sub = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("sub/L.json"))) as? [String: Any]
        #expect((sub?["entries"] as? [Any])?.count == 2)
        #expect(try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "s/../L.json", "-o", "sub/L.json"], in: dir).status == 64)
        let missing = try Self.run(["build", "data.csv", "--epsilon", "0.3", "--ledger", "nodir/L.json", "--ledger-budget", "1", "-o", "r3.dpkde"], in: dir)
        #expect(missing.status == 64 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("nodir").path), "\(missing.err)")
    }
}
