import CGSL
import Foundation

/// Special functions on GSL, with domain errors thrown instead of GSL's abort.
public enum SpecialFunctions {
    /// `log Γ(x)` for `x > 0`, and `log |Γ(x)|` for negative non-integers.
    ///
    /// - Throws: `NumericsError.domain` at the poles `x = 0, −1, −2, …` and for NaN.
    public static func logGamma(_ x: Double) throws -> Double {
        try GSL.evaluate("logGamma", argument: "\(x)", expected: "x not a non-positive integer") { gsl_sf_lngamma_e(x, $0) }
    }

    /// `log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b)` for `a, b > 0`.
    ///
    /// - Throws: `NumericsError.domain` unless both arguments are positive and finite.
    public static func logBeta(_ a: Double, _ b: Double) throws -> Double {
        try GSL.evaluate("logBeta", argument: "(\(a), \(b))", expected: "a > 0 and b > 0") { gsl_sf_lnbeta_e(a, b, $0) }
    }

    /// The error function `erf(x) = 2/√π ∫₀ˣ e^{−t²} dt`.
    public static func erf(_ x: Double) -> Double { _ = GSL.ready; return gsl_sf_erf(x) }

    /// The complementary error function `1 − erf(x)`, accurate in the upper tail.
    public static func erfc(_ x: Double) -> Double { _ = GSL.ready; return gsl_sf_erfc(x) }

    /// The regularized incomplete beta function `I_x(a, b)` for `a, b > 0`, `0 ≤ x ≤ 1`.
    ///
    /// - Throws: `NumericsError.domain` outside that domain.
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) throws -> Double {
        try GSL.evaluate("regularizedIncompleteBeta", argument: "(a: \(a), b: \(b), x: \(x))",
                         expected: "a > 0, b > 0, 0 ≤ x ≤ 1") { gsl_sf_beta_inc_e(a, b, x, $0) }
    }
}

/// Finds the point where a non-decreasing function on `[lower, upper]` (with
/// `0 ≤ lower < upper`) crosses `target`, by bisection over the bit patterns of the
/// doubles. Non-negative doubles are ordered like their bit patterns, so at most 64 steps
/// reach adjacent doubles, with relative (not just absolute) accuracy even for tiny results.
///
/// Returns the smallest double `x` in the range with `f(x) ≥ target` (or `upper`).
func invertNondecreasing(lower: Double, upper: Double, target: Double, _ f: (Double) -> Double) -> Double {
    precondition(lower >= 0 && lower < upper)
    var lo = lower.bitPattern, hi = upper.bitPattern
    if f(lower) >= target { return lower }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2
        if f(Double(bitPattern: mid)) >= target { hi = mid } else { lo = mid }
    }
    return Double(bitPattern: hi)
}
