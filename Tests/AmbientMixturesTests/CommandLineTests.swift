import Certificates
import Foundation
import SuretyNumerics
import Testing
import ToolTestSupport

/// The `ambient` executable: a small simulation runs; bad input exits 64.
@Suite struct AmbientCommandLineTests {
    static var binary: URL? { ToolProcess.binary("ambient") }

    @Test(.enabled(if: binary != nil)) func simulateAndBadInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try ToolProcess.run("ambient", ["simulate", "-n", "2000", "--reps", "2", "--restarts", "1", "--seed", "1"], in: dir)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("all clean") && run.out.contains("noise levels ignored"))
        #expect(!run.out.contains("lik ≠ W1-best"))                                    // one restart: nothing to compare
        // Several EM restarts: the table and the certificate count the repetitions whose
        // likelihood-best restart is not the W1-best, and the certificate verifies.
        let restarts = try ToolProcess.run("ambient", ["simulate", "-n", "2000", "--reps", "2", "--restarts", "2", "--seed", "1", "--output", "em.json"], in: dir)
        #expect(restarts.status == 0 && restarts.out.contains("lik ≠ W1-best"), "\(restarts.out)\(restarts.err)")
        let recorded = try Certificate.read(from: dir.appendingPathComponent("em.json"))
        let counts = recorded.results.values.compactMap { $0.objectValue?["likelihood_w1_disagreements"]?.doubleValue }
        #expect(counts.count == 5 && counts.allSatisfy { $0 >= 0 && $0 <= 2 }, "\(recorded.results)")
        let verified = try ToolProcess.run("ambient", ["verify", "em.json"], in: dir)
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")
        let moments = try ToolProcess.run("ambient", ["simulate", "--estimator", "moments", "-n", "20000", "--reps", "3", "--seed", "1"], in: dir)
        #expect(moments.status == 0 && moments.out.contains("projected"), "\(moments.err)")
        let plane = try ToolProcess.run("ambient", ["simulate", "--estimator", "moments", "--dim", "3", "--k", "3", "-n", "4000", "--reps", "2", "--seed", "1"], in: dir)
        #expect(plane.status == 0 && plane.out.contains("all clean"), "\(plane.err)")
        try "x,s\n0.1,1\n0.5,2\n-0.3,1\n".write(to: dir.appendingPathComponent("ok.csv"), atomically: true, encoding: .utf8)
        try "x,y\n0.1,1\n".write(to: dir.appendingPathComponent("nocol.csv"), atomically: true, encoding: .utf8)
        try "x,s\n0.1,1\n0.2,-1\n".write(to: dir.appendingPathComponent("neg.csv"), atomically: true, encoding: .utf8)
        try "x,s\n0.1,1\n0.2,inf\n".write(to: dir.appendingPathComponent("inf.csv"), atomically: true, encoding: .utf8)
        #expect(try ToolProcess.run("ambient", ["fit", "ok.csv", "--k", "1", "--seed", "1"], in: dir).status == 0)
        let byMoments = try ToolProcess.run("ambient", ["fit", "ok.csv", "--k", "1", "--estimator", "moments"], in: dir)
        #expect(byMoments.status == 0 && byMoments.out.contains("0.0"), "\(byMoments.err)")          // k = 1: the precision-weighted mean
        for (arguments, message) in [(["simulate", "--k", "0"], "--k"), (["simulate", "--sigma=-1"], "--sigma"),
                                     (["simulate", "--estimator", "median"], "--estimator"), (["simulate", "--clean-fraction", "1"], "--clean-fraction"),
                                     (["sweep", "--clean-noise", "0"], "--clean-noise"), (["simulate", "--separation", "0"], "--separation"), (["fit", "ok.csv", "--estimator", "moments", "--radius", "0"], "--radius"),
                                     (["fit", "ok.csv", "--k", "2", "--estimator", "moments"], "at least 4 samples"),
                                     (["simulate", "--n-clean", "0", "--n-noisy", "0"], "all zero"),
                                     (["fit", "nocol.csv"], "'s'"), (["fit", "neg.csv"], "noise level '-1"), (["fit", "inf.csv"], "noise level 'inf'")] {
            let result = try ToolProcess.run("ambient", arguments, in: dir)
            #expect(result.status == 64 && result.err.contains(message), "\(arguments): \(result.status) \(result.err)")
        }
    }

    /// `ambient fit --estimator moments --k 12` on 300 samples (issue #19) returns fewer atoms
    /// and says so: a note in the printed table, and in the certificate the counts asked for and
    /// returned, the reason and the same note. With as many atoms as asked, no note.
    @Test(.enabled(if: binary != nil)) func fitSaysWhenItReturnsFewerAtoms() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-fewer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = RandomStream(seed: 300)
        var csv = "x,s\n"
        for i in 0..<300 { csv += String(format: "%.6f,1\n", (i % 5 < 2 ? -0.8 : 0.8) + Normal.standard.sample(using: &rng)) }
        try csv.write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let run = try ToolProcess.run("ambient", ["fit", "d.csv", "--estimator", "moments", "--k", "12", "--output", "c.json"], in: dir)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("note: asked for k = 12 atoms, the moment estimator returned"), "\(run.out)")
        let certificate = try Certificate.read(from: dir.appendingPathComponent("c.json"))
        let returned = try #require(certificate.results["atoms_returned"]?.doubleValue)
        #expect(certificate.results["atoms_requested"]?.doubleValue == 12 && returned < 12)
        #expect(certificate.results["atoms"]?.arrayValue?.count == Int(returned))
        let reason = try #require(certificate.results["fewer_atoms_reason"]?.stringValue)
        #expect(["projected_onto_boundary", "singular_hankel"].contains(reason))
        #expect(certificate.results["notes"]?.arrayValue?.first?.stringValue?.contains("returned \(Int(returned))") == true)
        let enough = try ToolProcess.run("ambient", ["fit", "d.csv", "--estimator", "moments", "--k", "1", "--json"], in: dir)
        #expect(enough.status == 0 && !enough.out.contains("fewer_atoms_reason") && enough.out.contains("atoms_returned"), "\(enough.out)")
    }

    /// The d-dimensional moment estimator with k = 3 reproduces on one BLAS kernel family only
    /// (`MomentEstimator.reproducibleAcrossBLASKernels`): its certificate records the family
    /// and says so, verifies on it, and under another family names the kernel as the mismatch.
    @Test(.enabled(if: binary != nil)) func kernelDependentRunsNameTheirKernel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-kernel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try ToolProcess.run("ambient", ["simulate", "--estimator", "moments", "--k", "3", "--dim", "2", "--reps", "2", "-n", "2000",
                                                   "--seed", "5", "--output", "c.json"], in: dir)
        #expect(made.status == 0, "\(made.err)")
        let certificate = try Certificate.read(from: dir.appendingPathComponent("c.json"))
        let kernel = try #require(certificate.parameters["blas_kernel"]?.stringValue)
        #expect(certificate.assumptions.contains { $0.contains("reproducible on the OpenBLAS kernel family \(kernel) only") })
        for run in try ToolProcess.verifyUnderTwoKernels("ambient", dir.appendingPathComponent("c.json"), in: dir) {
            if run.kernel == kernel {
                #expect(run.status == 0, "\(run.out)\(run.err)")
            } else {
                #expect(run.status == 1 && run.out.contains("parameters.blas_kernel"), "\(run.out)")
            }
        }
    }

    /// The reference simulation certificate (moment estimator, seed 1) is recomputed; a
    /// tampered copy is refused.
    @Test(.enabled(if: binary != nil)) func referenceCertificateIsReproduced() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reference = root.appendingPathComponent("Certificates/reference/ambient-moments.json")
        for run in try ToolProcess.verifyUnderTwoKernels("ambient", reference, in: root) {
            #expect(run.status == 0, "under OpenBLAS kernel \(run.kernel): \(run.out)\(run.err)")
            #expect(run.out.hasPrefix("verified"))
        }
        var certificate = try Certificate.read(from: reference)
        certificate.results["all clean"] = .object(["mean_w1": .number(0.001)])
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-tampered-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try certificate.write(to: copy)
        #expect(try ToolProcess.run("ambient", ["verify", copy.path], in: root).status == 1)
    }

    /// The reference sweep (moment estimator, 4 repetitions per cell — few, to keep the debug-built
    /// test near 10 s; 40 took 160 s there — seed 1) is recomputed —
    /// curves, grid, price fit and measured iso-error curves; a tampered price is refused.
    @Test(.enabled(if: binary != nil)) func referenceSweepIsReproduced() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reference = root.appendingPathComponent("Certificates/reference/ambient-sweep-moments.json")
        for run in try ToolProcess.verifyUnderTwoKernels("ambient", reference, in: root) {
            #expect(run.status == 0, "under OpenBLAS kernel \(run.kernel): \(run.out)\(run.err)")
            #expect(run.out.hasPrefix("verified"))
        }
        let recorded = try Certificate.read(from: reference)
        // A price moved by 10⁻⁵ of itself, ten times its fitted tolerance, is refused.
        var nudged = recorded
        var priceObject = try #require(recorded.results["price"]?.objectValue)
        let price = try #require(priceObject["c"]?.doubleValue)
        priceObject["c"] = .number(price * (1 + 1e-5))
        nudged.results["price"] = .object(priceObject)
        let nudgedCopy = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-sweep-nudged-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: nudgedCopy) }
        try nudged.write(to: nudgedCopy)
        let refusedNudge = try ToolProcess.run("ambient", ["verify", nudgedCopy.path], in: root)
        #expect(refusedNudge.status == 1 && refusedNudge.out.contains("results.price.c"), "\(refusedNudge.out)")
        var certificate = recorded
        certificate.results["price"] = .object(["c": .number(1), "alpha": .number(0.5), "A": .number(1)])
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("ambient-sweep-tampered-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try certificate.write(to: copy)
        #expect(try ToolProcess.run("ambient", ["verify", copy.path], in: root).status == 1)
    }
}
