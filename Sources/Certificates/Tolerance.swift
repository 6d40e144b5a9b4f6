import Foundation

/// How closely a recomputation on another machine must reproduce a number of a certificate,
/// derived from what the number is (the rules of `Certificates/README.md`, "Tolerances").
///
/// A number with no tolerance in a certificate must be reproduced exactly: counts, sizes,
/// verdicts, integers, ratios of counts, and everything computed from exact inputs by a fixed
/// sequence of IEEE-754 operations. The other cases say why a recomputation may differ:
///
/// - `roundoff`: a floating-point result of a fixed, well-conditioned computation in which
///   BLAS or LAPACK (whose kernels sum in a CPU-dependent order), the thread count, or the C
///   library's `exp`/`log` variants (FMA or not) change the last bits. Relative `1e-10` of the
///   number's magnitude (of the largest element, for a vector): about 4.5·10⁵ units in the last place, enough for a
///   condition number of 10³ over sums of a few hundred terms (a sum of `n` terms in any order
///   is within `(n − 1)·u·Σ|xᵢ|` of the exact one). Observed differences between OpenBLAS's
///   `Prescott` and `Cooperlake` kernels on the reference certificates: ≤ 2.4·10⁻¹⁵.
/// - `conditioned(_ κ:)`: a roundoff result of a problem with condition number `κ` (the
///   solution of a linear or least-squares system, a quantity that divides by `1 − ‖G − I‖`):
///   relative `κ · 1e-10`, since perturbation theory moves the solution by at most `κ` times
///   the relative change of the data. An infinite or NaN `κ` falls back to `fitted`.
/// - `fitted`: the output of an iterative fit or optimiser (stochastic gradient descent, a
///   minimiser stopped by a tolerance), whose result moves with the square root of a
///   last-bit change of its objective near a flat optimum. Relative `1e-6`.
/// - `decisions(flips:outOf:)`: a rate over `n` decisions taken by comparing floating-point
///   values (smoothed votes, classifier predictions), which a last-bit change can flip only at
///   a near-tie. Absolute `flips / n`: that many flips are allowed.
/// - `absolute(_:)`: a tolerance stated directly, for a case the above do not describe; say
///   why where it is used.
public enum Tolerance: Sendable, Equatable {
    case roundoff
    case conditioned(Double)
    case fitted
    case decisions(flips: Int, outOf: Int)
    case absolute(Double)

    /// The relative tolerance of `roundoff` results.
    public static let roundoffRelative = 1e-10
    /// The relative tolerance of `fitted` results.
    public static let fittedRelative = 1e-6

    /// The absolute tolerance for numbers whose largest magnitude is `scale`.
    public func absolute(scale: Double) -> Double {
        switch self {
        case .roundoff: return Tolerance.roundoffRelative * scale
        case let .conditioned(kappa):
            return kappa.isFinite ? Tolerance.roundoffRelative * max(kappa, 1) * scale : Tolerance.fittedRelative * scale
        case .fitted: return Tolerance.fittedRelative * scale
        case let .decisions(flips, n): return Double(flips) / Double(max(n, 1))
        case let .absolute(value): return value
        }
    }
}

extension Certificate {
    /// Records `rule`'s tolerance for every number of `results` and `evidence` at each of
    /// `paths` (dotted, array indices dropped: `results.curves.mean_w1` names the `mean_w1` of
    /// every element of `results.curves`). Each record of an array of objects gets its own
    /// entry (`results.tests[4].statistic`: the tests are different quantities), while an array
    /// of numbers is one vector with one normwise entry (`results.coefficients`). Relative rules
    /// are taken of the largest finite magnitude an entry covers, so call this after the numbers
    /// are in place.
    ///
    /// - Precondition: each path names at least one number (a misspelt path would otherwise
    ///   silently leave its numbers exact).
    public mutating func tolerate(_ rule: Tolerance, at paths: String...) {
        for path in paths {
            let found = record(rule, replacing: true) { $0 == path }
            precondition(found, "no number at \(path) in the certificate of kind \(kind)")
        }
    }

    /// Records `rule`'s tolerance for every number of `results` and `evidence` whose index-free
    /// path satisfies `predicate`, entries as in `tolerate(_:at:)`. Entries that already have a
    /// tolerance keep it.
    public mutating func tolerate(_ rule: Tolerance, where predicate: (String) -> Bool) {
        record(rule, replacing: false, where: predicate)
    }

    /// Records the entries; whether any number matched.
    @discardableResult
    private mutating func record(_ rule: Tolerance, replacing: Bool, where predicate: (String) -> Bool) -> Bool {
        var scales: [String: Double] = [:]
        for (section, object) in [("results", results), ("evidence", evidence)] {
            Certificate.forEachNumber(in: .object(object), path: section, entry: section) { path, entry, x in
                guard predicate(path) else { return }
                scales[entry] = max(scales[entry] ?? 0, x.isFinite ? abs(x) : 0)
            }
        }
        for (entry, scale) in scales where replacing || tolerances[entry] == nil { tolerances[entry] = rule.absolute(scale: scale) }
        return !scales.isEmpty
    }

    /// Calls `body` with the index-free dotted path, the tolerance entry (indices kept for
    /// records of arrays of objects, dropped for arrays of numbers) and the value of every
    /// number below `value`.
    static func forEachNumber(in value: JSONValue, path: String, entry: String, _ body: (String, String, Double) -> Void) {
        switch value {
        case let .object(members):
            for (key, member) in members { forEachNumber(in: member, path: "\(path).\(key)", entry: "\(entry).\(key)", body) }
        case let .array(elements):
            for (k, element) in elements.enumerated() {
                let isRecord = element.objectValue != nil || element.arrayValue != nil
                forEachNumber(in: element, path: path, entry: isRecord ? "\(entry)[\(k)]" : entry, body)
            }
        default:
            if case .bool = value { return }
            if let x = value.doubleValue { body(path, entry, x) }
        }
    }
}
