import Foundation
import SuretyNumerics

/// Label-free tests that the x-marginal is `N(0, I_d)` (spec tester-learner.md §A.2, §A.7).
/// Each test gets a failure probability `δ'` (its share of the run's δ) and, under the
/// Gaussian null, rejects with probability at most `δ'` (the Cornish–Fisher limits
/// approximately so; see ``GaussianMoments/cornishFisherLimits(mean:variance:skewness:excessKurtosis:count:tail:)``).
public enum MarginalTests {
    /// `n‖x̄‖² ≤ d + 2√(dL) + 2L`, `L = ln(1/δ')` (Laurent–Massart: under the null `n‖x̄‖²` is χ²_d);
    /// with `slack`, the threshold widened for whitened data (``WhiteningSlack``).
    public static func mean(_ s: LabeledSample, failureProbability p: Double, slack: WhiteningSlack? = nil) -> TestOutcome {
        let d = s.dimension, n = s.count
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += s.values[i * d + j] } }
        let statistic = mean.reduce(0) { $0 + $1 * $1 } / Double(n)
        let upper = slack?.meanThreshold(count: n, failureProbability: p) ?? WhiteningSlack.chiSquareBound(dimension: d, failureProbability: p)
        return TestOutcome(name: "mean", statistic: statistic, upper: upper, failureProbability: p)
    }

    /// `‖(1/n)Σ xxᵀ − I‖_op ≤ 2s + s²`, `s = √(d/n) + √(2L/n)`, `L = ln(2/δ')` (Davidson–Szarek:
    /// both extreme singular values of `X/√n` lie within `1 ± s` except with probability `2e^{−L}`);
    /// with `slack`, the threshold widened for whitened data (``WhiteningSlack``).
    public static func covariance(_ s: LabeledSample, failureProbability p: Double, slack: WhiteningSlack? = nil) throws -> TestOutcome {
        let (norm, n) = try secondMomentDeviation(s, rows: Array(0..<s.count), direction: nil)
        let bound = slack?.covarianceThreshold(count: n, failureProbability: p) ?? operatorBound(dimension: s.dimension, count: n, failureProbability: p)
        return TestOutcome(name: "covariance", statistic: norm, upper: bound, failureProbability: p)
    }

    /// The degree-4 moment `mean(⟨u, x⟩⁴)` against 3 along the `d` coordinate axes and `extra`
    /// random unit directions, with Cornish–Fisher limits at `δ'/(2m)` per tail (`m` directions).
    /// The axes are always included: random directions alone miss the cube in high dimension.
    /// With `slack` (whitened data), the sample kurtosis `m₄/m₂²` of each direction instead: it is
    /// affine invariant, so the fit's error does not enter (``WhiteningSlack``).
    public static func fourthMoments(_ s: LabeledSample, randomDirections extra: Int, failureProbability p: Double, slack: WhiteningSlack? = nil,
                                     using rng: inout some RandomNumberGenerator) -> TestOutcome {
        let directions = coordinateAndRandomDirections(dimension: s.dimension, extra: extra, orthogonalTo: nil, using: &rng)
        return fourthMomentTest(name: "fourth moments", rows: Array(0..<s.count), sample: s, directions: directions,
                                failureProbability: p, slack: slack)
    }

    /// The moment-matching tester of Gollakota, Klivans, Kothari (2023) at degree `k`: every
    /// monomial `x^α`, `1 ≤ |α| ≤ k`, against its Gaussian value, with Cornish–Fisher limits from
    /// the monomial's own Gaussian skewness and kurtosis, Bonferroni over the `C(d+k, k) − 1`
    /// monomials. The statistic is the largest standardized deviation; the test passes iff every
    /// monomial is within its limits (reported as statistic ≤ 1 in units of each limit).
    public static func momentMatching(_ s: LabeledSample, degree k: Int, failureProbability p: Double) throws -> TestOutcome {
        let d = s.dimension, n = s.count
        let count = momentMatchingCount(dimension: d, degree: k)
        guard k >= 1, count <= 50_000 else {
            throw NumericsError.domain(function: "moment matching", value: "\(count) monomials (d = \(d), k = \(k))",
                                       expected: "at most 50 000: lower the degree or skip the full tester")
        }
        let tail = p / Double(2 * count)
        // Columns, so that a monomial's values are its parent's times one column (depth-first over
        // non-decreasing variable sequences: each monomial costs one pass over the rows).
        var columns = [[Double]](repeating: [Double](repeating: 0, count: n), count: d)
        for i in 0..<n { for j in 0..<d { columns[j][i] = s.values[i * d + j] } }
        var worst = 0.0
        var alpha = [Int](repeating: 0, count: d)
        func visit(_ parent: [Double], from first: Int, degree: Int) {
            for j in first..<d {
                var product = parent
                let column = columns[j]
                var total = 0.0
                for i in 0..<n {
                    product[i] *= column[i]
                    total += product[i]
                }
                alpha[j] += 1
                let st = GaussianMoments.monomialStatistics(alpha)
                let (lo, hi) = GaussianMoments.cornishFisherLimits(mean: st.mean, variance: st.variance, skewness: st.skewness,
                                                                   excessKurtosis: st.excessKurtosis, count: n, tail: tail)
                let m = total / Double(n)
                // Deviation in units of the limit on its side (≤ 1 inside).
                worst = max(worst, m >= st.mean ? (m - st.mean) / (hi - st.mean) : (st.mean - m) / (st.mean - lo))
                if degree + 1 < k { visit(product, from: j, degree: degree + 1) }
                alpha[j] -= 1
            }
        }
        visit([Double](repeating: 1, count: n), from: 0, degree: 0)
        return TestOutcome(name: "moment matching (degree \(k), \(count) monomials)", statistic: worst, upper: 1, failureProbability: p)
    }

    /// `C(d + k, k) − 1`: the number of monomials the moment-matching test checks.
    public static func momentMatchingCount(dimension d: Int, degree k: Int) -> Int {
        var c = 1.0
        for i in 0..<k { c = c * Double(d + k - i) / Double(i + 1) }
        return Int(c.rounded()) - 1
    }

    // MARK: Shared pieces (also used by the local tests)

    /// `2s + s²`, `s = √(dim/n) + √(2 ln(2/δ')/n)`.
    static func operatorBound(dimension: Int, count n: Int, failureProbability p: Double) -> Double {
        let s = (Double(dimension) / Double(n)).squareRoot() + (2 * log(2 / p) / Double(n)).squareRoot()
        return 2 * s + s * s
    }

    /// `‖(1/n_S) Σ_{i∈S} z_i z_iᵀ − P‖_op` where `z = x` (no direction) or `z = (I − wwᵀ)x` and
    /// `P = I` or `I − wwᵀ` accordingly; returns the norm and `n_S`.
    static func secondMomentDeviation(_ s: LabeledSample, rows: [Int], direction w: [Double]?) throws -> (Double, Int) {
        let d = s.dimension, n = rows.count
        guard n > 0 else { return (.infinity, 0) }
        var z = [Double](repeating: 0, count: n * d)       // column-major n × d
        for (r, i) in rows.enumerated() {
            let t = w.map { s.projection(i, onto: $0) } ?? 0
            for j in 0..<d { z[j * n + r] = s.values[i * d + j] - (w.map { t * $0[j] } ?? 0) }
        }
        var c = try Matrix(rows: n, columns: d, columnMajor: z).gram()
        var entries = c.storage
        for j in 0..<d {
            for k in 0..<d {
                let projector = (j == k ? 1.0 : 0.0) - (w.map { $0[j] * $0[k] } ?? 0)
                entries[k * d + j] = entries[k * d + j] / Double(n) - projector
            }
        }
        c = try Matrix(rows: d, columns: d, columnMajor: entries)
        let values = try c.symmetricEigendecomposition().values
        return (values.map(abs).max() ?? 0, n)
    }

    /// The coordinate axes (projected onto `w⊥` and normalized when `w` is given; an axis
    /// parallel to `w` is dropped) and `extra` random unit directions (in `w⊥`).
    static func coordinateAndRandomDirections(dimension d: Int, extra: Int, orthogonalTo w: [Double]?,
                                              using rng: inout some RandomNumberGenerator) -> [[Double]] {
        func project(_ v: [Double]) -> [Double]? {
            var u = v
            if let w {
                let t = zip(u, w).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<d { u[j] -= t * w[j] }
            }
            let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 1e-6 ? u.map { $0 / norm } : nil
        }
        var out: [[Double]] = []
        for j in 0..<d {
            var e = [Double](repeating: 0, count: d)
            e[j] = 1
            if let u = project(e) { out.append(u) }
        }
        for _ in 0..<extra {
            if let u = project((0..<d).map { _ in Normal.standard.sample(using: &rng) }) { out.append(u) }
        }
        return out
    }

    /// The sample kurtosis `b₂ = m₄/m₂²` of `⟨v, z⟩` over `rows` for each direction, against its
    /// exact normal-theory distribution (``GaussianMoments/sampleKurtosisStatistics(count:)``) with
    /// Cornish–Fisher limits at `δ'/(2m)` per tail. `b₂` does not change under `t ↦ a + ct`, so any
    /// Gaussian line passes at the stated rate, whatever its mean and variance.
    static func kurtosisTest(name: String, rows: [Int], sample s: LabeledSample, directions: [[Double]], failureProbability p: Double) -> TestOutcome {
        let n = rows.count
        guard n >= 8 else { return TestOutcome(name: name, statistic: .infinity, upper: 1, failureProbability: p) }
        let st = GaussianMoments.sampleKurtosisStatistics(count: n)
        let (lo, hi) = GaussianMoments.cornishFisherLimits(mean: st.mean, variance: st.variance, skewness: st.skewness,
                                                           excessKurtosis: st.excessKurtosis, count: 1, tail: p / Double(2 * directions.count))
        var worst = 0.0
        for v in directions {
            let t = rows.map { s.projection($0, onto: v) }
            let mean = t.reduce(0, +) / Double(n)
            var m2 = 0.0, m4 = 0.0
            for x in t { let c = (x - mean) * (x - mean); m2 += c; m4 += c * c }
            let b2 = m2 > 0 ? (m4 / Double(n)) / ((m2 / Double(n)) * (m2 / Double(n))) : .infinity
            worst = max(worst, b2 >= st.mean ? (b2 - st.mean) / (hi - st.mean) : (st.mean - b2) / (st.mean - lo))
        }
        return TestOutcome(name: name, statistic: worst, upper: 1, failureProbability: p)
    }

    /// `mean(⟨v, z⟩⁴)` over `rows` for each direction against 3 (Cornish–Fisher at `δ'/(2m)`);
    /// the statistic is the largest deviation in units of its limit.
    static func fourthMomentTest(name: String, rows: [Int], sample s: LabeledSample, directions: [[Double]],
                                 failureProbability p: Double, slack: WhiteningSlack? = nil) -> TestOutcome {
        let n = rows.count
        if slack != nil { return kurtosisTest(name: name + " (kurtosis)", rows: rows, sample: s, directions: directions, failureProbability: p) }
        guard n >= 2 else { return TestOutcome(name: name, statistic: .infinity, upper: 1, failureProbability: p) }
        let st = GaussianMoments.monomialStatistics([4])
        let (lo, hi) = GaussianMoments.cornishFisherLimits(mean: 3, variance: st.variance, skewness: st.skewness,
                                                           excessKurtosis: st.excessKurtosis, count: n, tail: p / Double(2 * directions.count))
        var worst = 0.0
        for v in directions {
            var total = 0.0
            for i in rows {
                let t = s.projection(i, onto: v)       // v ⊥ w, so ⟨v, z⟩ = ⟨v, x⟩
                let t2 = t * t
                total += t2 * t2
            }
            let m = total / Double(n)
            worst = max(worst, m >= 3 ? (m - 3) / (hi - 3) : (3 - m) / (3 - lo))
        }
        return TestOutcome(name: name, statistic: worst, upper: 1, failureProbability: p)
    }
}
