import CGSL
import Foundation

/// The exact one-sided binomial test, the shared piece of every falsification test: a claim
/// "this event happens at most (or at least) at rate `p`" is checked against `k` events
/// seen in `n` independent trials, with a false-alarm rate stated by the caller.
///
/// The test is exact: its p-values are binomial tail sums (GSL's `gsl_cdf_binomial_P`/`_Q`,
/// through the incomplete beta function), not a normal approximation, so a false-alarm rate
/// of `a` means that a true claim is refuted with probability at most `a`, for every `n`
/// and `p`, including `n = 1` and `p` at 0 or 1.
///
/// ```swift
/// // 10 000 test points, at most 10 % should be missed; refute at false-alarm rate 10⁻⁶.
/// let refuted = try ExactBinomialTest.refutesAtMost(rate: 0.1, events: misses, trials: 10_000, falseAlarm: 1e-6)
/// ```
public enum ExactBinomialTest {
    /// `P(X ≥ k)` for `X ~ Binomial(n, p)`: the p-value of seeing `k` or more events when the
    /// claim "rate ≤ p" holds with equality (the least favourable case).
    ///
    /// - Throws: `NumericsError.domain` unless `n ≥ 0`, `0 ≤ k`, `0 ≤ p ≤ 1`.
    public static func pValueAtMost(rate p: Double, events k: Int, trials n: Int) throws -> Double {
        try validate(p, k, n)
        if k == 0 { return 1 }
        if k > n { return 0 }
        _ = GSL.ready
        return gsl_cdf_binomial_Q(UInt32(k - 1), p, UInt32(n))
    }

    /// `P(X ≤ k)` for `X ~ Binomial(n, p)`: the p-value of seeing `k` or fewer events when the
    /// claim "rate ≥ p" holds with equality.
    ///
    /// - Throws: `NumericsError.domain` unless `n ≥ 0`, `0 ≤ k`, `0 ≤ p ≤ 1`.
    public static func pValueAtLeast(rate p: Double, events k: Int, trials n: Int) throws -> Double {
        try validate(p, k, n)
        if k >= n { return 1 }
        _ = GSL.ready
        return gsl_cdf_binomial_P(UInt32(k), p, UInt32(n))
    }

    /// Whether `k` events in `n` trials refute the claim "the event's rate is at most `p`"
    /// at false-alarm rate `a`: `P(Binomial(n, p) ≥ k) ≤ a`.
    public static func refutesAtMost(rate p: Double, events k: Int, trials n: Int, falseAlarm a: Double) throws -> Bool {
        try validateLevel(a)
        return try pValueAtMost(rate: p, events: k, trials: n) <= a
    }

    /// Whether `k` events in `n` trials refute the claim "the event's rate is at least `p`"
    /// at false-alarm rate `a`: `P(Binomial(n, p) ≤ k) ≤ a`.
    public static func refutesAtLeast(rate p: Double, events k: Int, trials n: Int, falseAlarm a: Double) throws -> Bool {
        try validateLevel(a)
        return try pValueAtLeast(rate: p, events: k, trials: n) <= a
    }

    /// The smallest count `c` with `P(Binomial(n, p) ≥ c) ≤ a`: a claim "rate ≤ p" is refuted
    /// when `c` or more events are seen. `n + 1` when no count refutes it (small `n`).
    ///
    /// - Complexity: O(log n) tail evaluations (bisection on the count).
    public static func criticalCountAtMost(rate p: Double, trials n: Int, falseAlarm a: Double) throws -> Int {
        try validate(p, 0, n)
        try validateLevel(a)
        var lo = 0, hi = n + 1  // pValue(lo) > a (pValue(0) = 1 > a), pValue(hi) = 0 ≤ a
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if try pValueAtMost(rate: p, events: mid, trials: n) <= a { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The largest count `c` with `P(Binomial(n, p) ≤ c) ≤ a`: a claim "rate ≥ p" is refuted
    /// when `c` or fewer events are seen. `-1` when no count refutes it (small `n`).
    ///
    /// - Complexity: O(log n) tail evaluations (bisection on the count).
    public static func criticalCountAtLeast(rate p: Double, trials n: Int, falseAlarm a: Double) throws -> Int {
        try validate(p, 0, n)
        try validateLevel(a)
        var lo = -1, hi = n  // pValue(lo) = 0 ≤ a, pValue(n) = 1 > a
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if try pValueAtLeast(rate: p, events: mid, trials: n) <= a { lo = mid } else { hi = mid }
        }
        return lo
    }

    private static func validate(_ p: Double, _ k: Int, _ n: Int) throws {
        guard p >= 0 && p <= 1 else {
            throw NumericsError.domain(function: "exact binomial test", value: "rate \(p)", expected: "0 ≤ rate ≤ 1")
        }
        guard n >= 0 && n <= Int(UInt32.max) && k >= 0 else {
            throw NumericsError.domain(function: "exact binomial test", value: "\(k) events in \(n) trials", expected: "0 ≤ events, 0 ≤ trials < 2³²")
        }
    }

    private static func validateLevel(_ a: Double) throws {
        guard a > 0 && a < 1 else {
            throw NumericsError.domain(function: "exact binomial test", value: "false-alarm rate \(a)", expected: "0 < rate < 1")
        }
    }
}
