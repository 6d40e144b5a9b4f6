import Foundation
import SuretyNumerics

/// Exact samplers for integer-valued privacy noise, after Canonne, Kamath and Steinke, *The
/// Discrete Gaussian for Differential Privacy*, NeurIPS 2020 (Algorithms 1–3).
///
/// Every sampler uses only unbiased uniform integer draws (`UInt64.random(in:using:)`) and
/// exact integer or rational arithmetic — no floating-point logarithms, so the output
/// distribution is exactly the stated one and its support does not depend on the data
/// (Mironov, CCS 2012, showed how `−b·ln(U)` on doubles leaks). Pass the operating system's
/// generator (`SystemRandomNumberGenerator`, the default of the privacy APIs built on these)
/// for privacy; a seeded `RandomStream` is for tests only.
///
/// Running time depends only on the noise drawn, not on the data; it is still not constant,
/// a known residual timing channel.
public enum ExactNoise {
    /// `Bernoulli(a/b)` for integers `0 ≤ a ≤ b`, `b ≥ 1`.
    public static func bernoulli(_ a: UInt64, over b: UInt64, using generator: inout some RandomNumberGenerator) -> Bool {
        precondition(b >= 1 && a <= b, "Bernoulli(a/b) needs 0 ≤ a ≤ b, b ≥ 1")
        return UInt64.random(in: 0..<b, using: &generator) < a
    }

    /// `Bernoulli(exp(−a/b))` for integers `a ≥ 0`, `b ≥ 1` (CKS20 Algorithm 1).
    public static func bernoulliExpMinus(_ a: UInt64, over b: UInt64, using generator: inout some RandomNumberGenerator) -> Bool {
        precondition(b >= 1, "denominator must be at least 1")
        // exp(−γ) for γ > 1: ⌊γ⌋ independent Bernoulli(e^{−1}), then Bernoulli(e^{−frac(γ)}).
        var whole = a / b
        while whole > 0 {
            if !bernoulliExpMinusAtMostOne(1, over: 1, using: &generator) { return false }
            whole -= 1
        }
        return bernoulliExpMinusAtMostOne(a % b, over: b, using: &generator)
    }

    /// `Bernoulli(exp(−a/b))` for `0 ≤ a/b ≤ 1`: `K ← 1`, keep drawing `Bernoulli(γ/K)` and
    /// incrementing `K` until a failure; return whether `K` ended odd.
    private static func bernoulliExpMinusAtMostOne(_ a: UInt64, over b: UInt64, using generator: inout some RandomNumberGenerator) -> Bool {
        var k: UInt64 = 1
        while true {
            // Bernoulli(a / (b·k)); b·k cannot overflow in practice (k stays tiny), checked anyway.
            let (denominator, overflow) = b.multipliedReportingOverflow(by: k)
            if overflow || !bernoulli(a, over: denominator, using: &generator) { break }
            k += 1
        }
        return k % 2 == 1
    }

    /// The discrete Laplace distribution with scale `t/s` (integers `s, t ≥ 1`):
    /// `P(Y = y) ∝ exp(−s|y|/t)` on the integers (CKS20 Algorithm 2). Variance
    /// `2q/(1 − q)²` with `q = exp(−s/t)`.
    public static func discreteLaplace(scale t: UInt64, over s: UInt64, using generator: inout some RandomNumberGenerator) -> Int64 {
        precondition(s >= 1 && t >= 1, "discrete Laplace needs integers s, t ≥ 1")
        while true {
            let u = UInt64.random(in: 0..<t, using: &generator)
            guard bernoulliExpMinus(u, over: t, using: &generator) else { continue }
            var v: UInt64 = 0
            while bernoulliExpMinus(1, over: 1, using: &generator) { v += 1 }
            let (tv, overflow) = t.multipliedReportingOverflow(by: v)
            precondition(!overflow && tv <= UInt64.max - u, "discrete Laplace: scale too large for 64-bit arithmetic")
            let x = u + tv
            let y = x / s
            let negative = bernoulli(1, over: 2, using: &generator)
            if negative && y == 0 { continue }
            return negative ? -Int64(y) : Int64(y)
        }
    }

    /// The variance `2q/(1 − q)²`, `q = exp(−1/b)`, of the discrete Laplace distribution of
    /// scale `b` (``discreteLaplace(scale:over:using:)`` with `b = t/s`).
    public static func discreteLaplaceVariance(scale b: Double) -> Double {
        let q = Foundation.exp(-1 / b)
        return 2 * q / ((1 - q) * (1 - q))
    }

    /// ``discreteLaplaceVariance(scale:)`` for the rational scale `t/s`.
    public static func discreteLaplaceVariance(scale t: UInt64, over s: UInt64) -> Double {
        discreteLaplaceVariance(scale: Double(t) / Double(s))
    }

    /// The discrete Gaussian `N_ℤ(0, σ²)` with `σ² = n/d` (integers `n, d ≥ 1`):
    /// `P(Y = y) ∝ exp(−y²/(2σ²))` (CKS20 Algorithm 3: discrete Laplace proposals with
    /// `t = ⌊σ⌋ + 1`, accepted with probability `exp(−(|y| − σ²/t)²/(2σ²))`, computed as an
    /// exact rational in 128-bit integers).
    public static func discreteGaussian(varianceNumerator n: UInt64, denominator d: UInt64,
                                        using generator: inout some RandomNumberGenerator) -> Int64 {
        precondition(n >= 1 && d >= 1, "σ² = n/d needs n, d ≥ 1")
        // t = ⌊σ⌋ + 1 = ⌊√(n/d)⌋ + 1, by integer square root.
        var root = UInt64(Double(n / d).squareRoot())
        while root * root > n / d { root -= 1 }
        while (root + 1) * (root + 1) <= n / d { root += 1 }
        let t = root + 1
        while true {
            let y = discreteLaplace(scale: t, over: 1, using: &generator)
            // Proposals beyond 2¹⁶·t (probability e^{−65536} under DLap(t)) are rejected so that
            // the 128-bit products below cannot overflow for σ² ≤ 2⁴⁴ (see `rationalVariance`);
            // this moves the output distribution by less than e^{−65536} in total variation.
            guard y.magnitude <= UInt64(t) << 16 else { continue }
            // γ = (|y| − σ²/t)² / (2σ²) = (|y|·t·d − n)² / (2·n·d·t²).
            let magnitude = UInt128(y.magnitude) * UInt128(t) * UInt128(d)
            let difference = magnitude > UInt128(n) ? magnitude - UInt128(n) : UInt128(n) - magnitude
            let numerator = difference * difference
            let denominator = 2 * UInt128(n) * UInt128(d) * UInt128(t) * UInt128(t)
            if bernoulliExpMinus128(numerator, over: denominator, using: &generator) { return y }
        }
    }

    /// `n/d ≥ variance` as integers, for ``discreteGaussian(varianceNumerator:denominator:using:)``
    /// (rounded up, so the privacy loss is never larger than intended): `d` is the largest power
    /// of two up to 2²⁰ keeping `n ≤ 2⁴⁴`, the range in which the sampler's 128-bit arithmetic
    /// is exact.
    public static func rationalVariance(_ variance: Double) throws -> (n: UInt64, d: UInt64) {
        let limit = Double(UInt64(1) << 44)
        guard variance > 0, variance.isFinite, variance <= limit else {
            throw NumericsError.domain(function: "discrete Gaussian", value: "σ² = \(variance)", expected: "a finite σ² in (0, 2^44]")
        }
        var d: UInt64 = 1 << 20
        while d > 1 && variance * Double(d) > limit { d >>= 1 }
        return (max(1, UInt64((variance * Double(d)).rounded(.up))), d)
    }

    /// The variance of `N_ℤ(0, σ²)` (slightly below `σ²` for small `σ`; CKS20 Prop. 19):
    /// the exact series for `σ² ≤ 100`, `σ²` above (relative difference < e^{−2π²σ²}).
    public static func discreteGaussianVariance(_ sigma2: Double) -> Double {
        guard sigma2 <= 100 else { return sigma2 }
        var mass = 1.0, second = 0.0
        for y in 1...400 {
            let w = Foundation.exp(-Double(y * y) / (2 * sigma2))
            mass += 2 * w
            second += 2 * Double(y * y) * w
        }
        return second / mass
    }

    /// `Bernoulli(exp(−a/b))` for 128-bit rationals.
    private static func bernoulliExpMinus128(_ a: UInt128, over b: UInt128, using generator: inout some RandomNumberGenerator) -> Bool {
        var whole = a / b
        while whole > 0 {
            if !bernoulliExpMinus(1, over: 1, using: &generator) { return false }
            whole -= 1
        }
        let r = a % b
        var k: UInt128 = 1
        while true {
            let denominator = b * k
            // Bernoulli(r / denominator) with a 128-bit uniform draw.
            if UInt128.random(in: 0..<denominator, using: &generator) >= r { break }
            k += 1
        }
        return k % 2 == 1
    }

    /// `t/s` as integers with `t/s ≥ scale`: the rational scale used for `scale` (rounded up,
    /// so that the privacy loss is never larger than intended). The denominator is the
    /// largest power of two up to `2²⁰` that keeps `t ≤ 2⁴⁰`, so the sampler's 64-bit products
    /// cannot overflow.
    public static func rationalScale(_ scale: Double) throws -> (t: UInt64, s: UInt64) {
        let limit = Double(UInt64(1) << 40)
        guard scale > 0, scale.isFinite, scale <= limit else {
            throw NumericsError.domain(function: "discrete Laplace", value: "scale \(scale)", expected: "a finite scale in (0, 2^40]")
        }
        var s: UInt64 = 1 << 20
        while s > 1 && scale * Double(s) > limit { s >>= 1 }
        return (UInt64((scale * Double(s)).rounded(.up)), s)
    }
}
