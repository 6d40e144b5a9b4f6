import Foundation

/// One disagreement found while verifying a certificate.
public struct VerificationMismatch: Sendable, Equatable, CustomStringConvertible {
    /// Where: a dotted path such as `results.certified_coverage`, or `inputs[0]`.
    public var path: String
    /// What the certificate says.
    public var recorded: String
    /// What was found on recomputation (or on disk, for inputs).
    public var recomputed: String

    public var description: String { "\(path): certificate has \(recorded), recomputation gives \(recomputed)" }
}

/// The outcome of `Certificate.verify`.
public struct VerificationReport: Sendable, Equatable {
    /// Every disagreement; empty when the certificate is reproduced.
    public var mismatches: [VerificationMismatch]
    /// Whether the certificate was reproduced within its tolerances.
    public var verified: Bool { mismatches.isEmpty }
}

extension Certificate {
    /// Checks that every input file exists and still has the recorded SHA-256.
    ///
    /// - Parameter baseDirectory: where relative input paths are resolved.
    public func checkInputs(baseDirectory: URL) -> [VerificationMismatch] {
        inputs.enumerated().compactMap { k, input in
            let url = input.path.hasPrefix("/") ? URL(fileURLWithPath: input.path) : baseDirectory.appendingPathComponent(input.path)
            do {
                let hash = try InputDigest.sha256(of: url)
                return hash == input.sha256 ? nil
                    : VerificationMismatch(path: "inputs[\(k)] (\(input.path))", recorded: "sha256 \(input.sha256)", recomputed: "sha256 \(hash)")
            } catch {
                return VerificationMismatch(path: "inputs[\(k)] (\(input.path))", recorded: "sha256 \(input.sha256)", recomputed: "\(error)")
            }
        }
    }

    /// Compares this (recorded) certificate with a recomputed one.
    ///
    /// `kind`, `claim`, `assumptions`, `parameters`, `inputs` and `seed` must be equal;
    /// numbers in `results` and `evidence` must agree within the absolute tolerance for their
    /// path, the smaller of the one recorded here and the one the recomputation derives (see
    /// `Tolerance`), so that widening a tolerance in a tampered file gains nothing. A number
    /// without a tolerance on either side must be equal. Strings, booleans and structure must
    /// match exactly.
    public func differences(from recomputed: Certificate) -> [VerificationMismatch] {
        var out = [VerificationMismatch]()
        func exact<T: Equatable>(_ path: String, _ a: T, _ b: T) {
            if a != b { out.append(VerificationMismatch(path: path, recorded: "\(a)", recomputed: "\(b)")) }
        }
        exact("kind", kind, recomputed.kind)
        exact("claim", claim, recomputed.claim)
        exact("assumptions", assumptions, recomputed.assumptions)
        exact("inputs", inputs, recomputed.inputs)
        exact("seed", seed, recomputed.seed)
        compare("parameters", .object(parameters), .object(recomputed.parameters), tolerant: false, recomputedTolerances: [:], into: &out)
        compare("results", .object(results), .object(recomputed.results), tolerant: true, recomputedTolerances: recomputed.tolerances, into: &out)
        compare("evidence", .object(evidence), .object(recomputed.evidence), tolerant: true, recomputedTolerances: recomputed.tolerances, into: &out)
        return out
    }

    private func compare(_ path: String, _ a: JSONValue, _ b: JSONValue, tolerant: Bool, recomputedTolerances: [String: Double],
                         into out: inout [VerificationMismatch]) {
        switch (a, b) {
        case let (.object(x), .object(y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = "\(path).\(key)"
                guard let u = x[key], let v = y[key] else {
                    out.append(VerificationMismatch(path: p, recorded: x[key].map { "\($0)" } ?? "nothing", recomputed: y[key].map { "\($0)" } ?? "nothing"))
                    continue
                }
                compare(p, u, v, tolerant: tolerant, recomputedTolerances: recomputedTolerances, into: &out)
            }
        case let (.array(x), .array(y)) where x.count == y.count:
            for (k, (u, v)) in zip(x, y).enumerated() {
                compare("\(path)[\(k)]", u, v, tolerant: tolerant, recomputedTolerances: recomputedTolerances, into: &out)
            }
        default:
            if tolerant, let x = a.doubleValue, let y = b.doubleValue {
                if !agree(x, y, tolerance: min(tolerance(at: path, in: tolerances), tolerance(at: path, in: recomputedTolerances))) {
                    out.append(VerificationMismatch(path: path, recorded: "\(a)", recomputed: "\(b)"))
                }
            } else if a != b {
                out.append(VerificationMismatch(path: path, recorded: "\(a)", recomputed: "\(b)"))
            }
        }
    }

    /// The absolute tolerance `table` gives the number at `path`: its own entry, else that of
    /// the vector it is an element of (trailing index dropped), else the index-free one; 0
    /// (exact) when there is none.
    private func tolerance(at path: String, in table: [String: Double]) -> Double {
        table[path] ?? table[path.replacing(/\[\d+\]$/, with: "")] ?? table[path.replacing(/\[\d+\]/, with: "")] ?? 0
    }

    private func agree(_ x: Double, _ y: Double, tolerance: Double) -> Bool {
        if x == y || (x.isNaN && y.isNaN) { return true }
        guard x.isFinite, y.isFinite, tolerance.isFinite else { return false }
        return abs(x - y) <= tolerance
    }

    /// Verifies the certificate: checks the input hashes, recomputes the result with
    /// `recompute` (which receives this certificate, so it can read the parameters, inputs
    /// and seed), and compares.
    ///
    /// - Parameters:
    ///   - baseDirectory: where relative input paths are resolved (default: the current directory).
    ///   - recompute: reruns the procedure that produced the certificate.
    /// - Throws: whatever `recompute` throws when the recorded parameters cannot be rerun.
    public func verify(
        baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        recompute: (Certificate) throws -> Certificate
    ) rethrows -> VerificationReport {
        let inputProblems = checkInputs(baseDirectory: baseDirectory)
        guard inputProblems.isEmpty else { return VerificationReport(mismatches: inputProblems) }
        return VerificationReport(mismatches: differences(from: try recompute(self)))
    }
}
