import Foundation

/// Whether a bound controls one tail or both.
public enum Tails: String, Sendable, Codable {
    /// One-sided: the failure probability is spent on one tail.
    case one
    /// Two-sided: the failure probability is split equally between the two tails.
    case two
}

/// Finite-sample concentration bounds, each a small function of the sample size, the
/// failure probability `δ` and the range of the variables.
///
/// Every radius `r` returned here satisfies `P(|mean − E X| > r) ≤ δ` (two-sided) or
/// `P(E X − mean > r) ≤ δ` (one-sided; the same `r` serves the other direction) under the
/// assumption stated on the function, for every `n`: no asymptotics are involved.
public enum ConcentrationBounds {
    static func validate(_ n: Int, _ delta: Double, _ name: String) throws {
        guard n >= 1 else {
            throw NumericsError.domain(function: name, value: "sample size \(n)", expected: "at least 1")
        }
        guard delta > 0 && delta < 1 else {
            throw NumericsError.domain(function: name, value: "failure probability \(delta)", expected: "0 < δ < 1")
        }
    }

    /// Hoeffding's inequality for the mean of `n` independent variables with values in an
    /// interval of width `range`: `r = range · √(ln(k/δ) / (2n))`, `k = 1` one-sided, `2` two-sided.
    public static func hoeffdingRadius(sampleSize n: Int, failureProbability delta: Double, range: Double = 1, tails: Tails = .two) throws -> Double {
        try validate(n, delta, "Hoeffding")
        let k: Double = tails == .two ? 2 : 1
        return range * (log(k / delta) / (2 * Double(n))).squareRoot()
    }

    /// The empirical Bernstein bound of Maurer & Pontil (2009, Thm 4) for `n ≥ 2` independent
    /// variables with values in an interval of width `range`:
    /// `r = √(2 V ln(2k/δ) / n) + 7 · range · ln(2k/δ) / (3(n − 1))`, with `V` the unbiased
    /// sample variance and `k = 1` one-sided, `2` two-sided. Much tighter than Hoeffding
    /// when the variance is small.
    public static func empiricalBernsteinRadius(
        sampleVariance v: Double, sampleSize n: Int, failureProbability delta: Double, range: Double = 1, tails: Tails = .two
    ) throws -> Double {
        try validate(n, delta, "empirical Bernstein")
        guard n >= 2 else {
            throw NumericsError.domain(function: "empirical Bernstein", value: "sample size \(n)", expected: "at least 2")
        }
        guard v >= 0, v.isFinite else {
            throw NumericsError.domain(function: "empirical Bernstein", value: "variance \(v)", expected: "a finite variance ≥ 0")
        }
        let logTerm = log((tails == .two ? 4 : 2) / delta)
        return (2 * v * logTerm / Double(n)).squareRoot() + 7 * range * logTerm / (3 * Double(n - 1))
    }

    /// The Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant: with probability
    /// at least `1 − δ`, the empirical CDF of `n` i.i.d. draws is within
    /// `ε = √(ln(k/δ) / (2n))` of the true CDF uniformly over the real line (`k = 2`
    /// two-sided; `k = 1` bounds one direction).
    public static func dkwRadius(sampleSize n: Int, failureProbability delta: Double, tails: Tails = .two) throws -> Double {
        try validate(n, delta, "DKW")
        return (log((tails == .two ? 2 : 1) / delta) / (2 * Double(n))).squareRoot()
    }

    /// The exact Clopper–Pearson confidence interval for a binomial proportion after
    /// `successes` out of `trials`, at total failure probability `δ` (δ/2 per side when
    /// two-sided; all of it on the requested side otherwise).
    ///
    /// Endpoints are beta quantiles: lower `B⁻¹(δ'; k, n − k + 1)` (0 when `k = 0`),
    /// upper `B⁻¹(1 − δ'; k + 1, n − k)` (1 when `k = n`), computed from the tail that
    /// keeps full precision.
    public static func clopperPearson(successes k: Int, trials n: Int, failureProbability delta: Double, tails: Tails = .two) throws -> ClosedRange<Double> {
        try validate(n, delta, "Clopper–Pearson")
        guard k >= 0 && k <= n else {
            throw NumericsError.domain(function: "Clopper–Pearson", value: "\(k) successes in \(n) trials", expected: "0 ≤ successes ≤ trials")
        }
        let perSide = tails == .two ? delta / 2 : delta
        let lower = k == 0 ? 0 : Beta(alpha: Double(k), beta: Double(n - k + 1)).quantile(perSide)
        let upper = k == n ? 1 : Beta(alpha: Double(k + 1), beta: Double(n - k)).upperQuantile(perSide)
        return lower...upper
    }

    /// `ζ(δ) = (1 + δ) ln(1 + δ) − δ`, the rate in the matrix Chernoff bound (Tropp 2012)
    /// `P(λ_max(G) ≥ 1 + δ) ≤ m · exp(−ζ(δ) n / K)`.
    public static func matrixChernoffRate(deviation delta: Double) -> Double {
        (1 + delta) * log1p(delta) - delta
    }

    /// The sample size `n = ⌈m · ln(2m/η) / ζ(δ)⌉` that makes the empirical Gram matrix of
    /// `n` i.i.d. points drawn from the optimal density satisfy `‖G − I‖ ≤ δ` with
    /// probability at least `1 − η` (Cohen & Migliorati 2017; matrix Chernoff with `K = m`).
    ///
    /// - Throws: `NumericsError.domain` unless `m ≥ 1`, `0 < η < 1`, `0 < δ < 1`.
    public static func matrixChernoffSampleSize(dimension m: Int, failureProbability eta: Double, deviation delta: Double) throws -> Int {
        try validate(m, eta, "matrix Chernoff sample size")
        guard delta > 0 && delta < 1 else {
            throw NumericsError.domain(function: "matrix Chernoff sample size", value: "deviation \(delta)", expected: "0 < δ < 1")
        }
        let n = Double(m) * log(2 * Double(m) / eta) / matrixChernoffRate(deviation: delta)
        return Int(n.rounded(.up))
    }
}
