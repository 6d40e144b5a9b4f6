import Foundation
import SuretyNumerics

/// The affine map `z = W(x − m̂)` with `WᵀW = Σ̂⁻¹`, fitted on a split of the data that is used
/// for nothing else: after it, data with any mean and any full-rank covariance has a marginal close to
/// `N(0, I)` when it is Gaussian, and the tests (with ``WhiteningSlack``'s widened thresholds)
/// can be run on the remaining rows.
///
/// `m̂` is the fit rows' mean and `Σ̂` their sample covariance (denominator `n_fit − 1`);
/// `W = R̂^{-1/2} D̂^{-1/2}`, with `D̂` the diagonal of variances and `R̂ = D̂^{-1/2} Σ̂ D̂^{-1/2}` the
/// correlation matrix (its symmetric inverse square root from the symmetric eigendecomposition).
/// Going through `R̂` makes the map and the rank decision independent of the columns' units:
/// columns in dollars and in fractions do not make `Σ̂` look singular.
public struct Standardization: Sendable, Equatable {
    /// `m̂`.
    public let mean: [Double]
    /// `W`, `d × d`, row-major: `z_i = Σ_j W[i·d + j](x_j − m̂_j)`.
    public let whitening: [Double]
    /// `n_fit`, the rows it was fitted on.
    public let fitRows: Int
    /// `κ(R̂) = λ_max/λ_min` when fitted here (`nil` when read back): bounds how far roundoff moves the map.
    public let conditionNumber: Double?

    public var dimension: Int { mean.count }

    /// A recorded standardization (e.g. read back from a certificate).
    ///
    /// - Throws: `NumericsError` when the sizes disagree or a value is not finite.
    public init(mean: [Double], whitening: [Double], fitRows: Int, conditionNumber: Double? = nil) throws {
        guard !mean.isEmpty, whitening.count == mean.count * mean.count else {
            throw NumericsError.dimensionMismatch(operation: "standardization", seen: "\(mean.count) means and \(whitening.count) matrix entries",
                                                  expected: "d means and d² entries")
        }
        if let k = (mean + whitening).firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "standardization", row: 0, column: k, value: (mean + whitening)[k])
        }
        self.mean = mean
        self.whitening = whitening
        self.fitRows = fitRows
        self.conditionNumber = conditionNumber
    }

    /// Fits `m̂` and `W` on `s` (its labels are not read).
    ///
    /// - Throws: `NumericsError.domain` when `n_fit ≤ d + 1`, or when `Σ̂` is singular (the message
    ///   names its numerical rank: constant columns count 0, then singular values of the scaled,
    ///   centred rows above `max(n, d)·ε·σ_max`), or when `κ(R̂) > 10¹³` (too ill-conditioned to
    ///   whiten accurately in double precision); LAPACK failures.
    /// - Complexity: O(n d² + d³).
    public static func fit(_ s: LabeledSample) throws -> Standardization {
        let d = s.dimension, n = s.count
        guard n > d + 1 else {
            throw NumericsError.domain(function: "standardization", value: "\(n) rows to fit on", expected: "more than d + 1 = \(d + 1) rows (raise the fit share or give more data)")
        }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += s.values[i * d + j] } }
        mean = mean.map { $0 / Double(n) }
        var scale = [Double](repeating: 0, count: d)             // √D̂
        for i in 0..<n { for j in 0..<d { let t = s.values[i * d + j] - mean[j]; scale[j] += t * t } }
        scale = scale.map { ($0 / Double(n - 1)).squareRoot() }
        let varying = scale.indices.filter { scale[$0] > 0 }
        var standardized = [Double](repeating: 0, count: n * d)  // column-major n × d, columns scaled to variance 1
        for i in 0..<n { for j in varying { standardized[j * n + i] = (s.values[i * d + j] - mean[j]) / scale[j] } }
        let rows = try Matrix(rows: n, columns: d, columnMajor: standardized)
        // The rank from the singular values of the centred, scaled rows themselves (LAPACK's
        // max(n, d)·ε rule), not from the eigenvalues of their Gram matrix, whose condition is
        // the square: a rotated covariance of condition 3·10¹⁰ (rows of condition 2·10⁵) was
        // called rank-deficient by a 10⁻¹⁰ cut on the eigenvalues (red-team review, issue #19).
        let singular = varying.count == d ? try rows.singularValues() : []
        let top = singular.first ?? 0
        let rank = varying.count < d ? varying.count : singular.filter { $0 > Double(max(n, d)) * .ulpOfOne * top }.count
        guard rank == d else {
            throw NumericsError.domain(function: "standardization", value: "a covariance of rank \(rank) < d = \(d) on the \(n) fit rows"
                                           + (varying.count < d ? " (\(d - varying.count) constant column(s))" : ""),
                                       expected: "full rank: drop constant or linearly dependent columns")
        }
        // The eigenvalues of the formed R̂ carry absolute errors of about d·ε·λ_max, so its
        // inverse square root is accurate to a relative ε·κ(R̂): past κ = 10¹³ that is no longer
        // small against the tests' statistical slack.
        let kappa = pow(top / singular.last!, 2)
        guard kappa <= 1e13 else {
            throw NumericsError.domain(function: "standardization", value: "a correlation matrix of condition \(String(format: "%.3g", kappa)) on the \(n) fit rows",
                                       expected: "condition ≤ 10¹³ (whitening in double precision): drop or combine nearly dependent columns")
        }
        let correlation = (1 / Double(n - 1)) * rows.gram()
        let eigen = try correlation.symmetricEigendecomposition()
        let largest = eigen.values.max() ?? 0
        guard (eigen.values.min() ?? 0) > 0 else {
            throw NumericsError.domain(function: "standardization", value: "a correlation matrix with a non-positive computed eigenvalue (condition \(String(format: "%.3g", kappa)))",
                                       expected: "a better-conditioned covariance: drop or combine nearly dependent columns")
        }
        let root = eigen.applying { 1 / $0.squareRoot() }      // R̂^{-1/2}, symmetric
        var w = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { w[i * d + j] = root[i, j] / scale[j] } }
        return try Standardization(mean: mean, whitening: w, fitRows: n, conditionNumber: largest / (eigen.values.min() ?? largest))
    }

    /// `W(x − m̂)` for one row.
    public func apply(row x: some Collection<Double>) -> [Double] {
        let d = dimension
        let centered = zip(x, mean).map { $0 - $1 }
        return (0..<d).map { i in (0..<d).reduce(0.0) { $0 + whitening[i * d + $1] * centered[$1] } }
    }

    /// The sample with every row mapped (labels kept).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when the dimensions differ.
    public func apply(_ s: LabeledSample) throws -> LabeledSample {
        guard s.dimension == dimension else {
            throw NumericsError.dimensionMismatch(operation: "standardization", seen: "d = \(s.dimension)", expected: "d = \(dimension)")
        }
        var values = [Double]()
        values.reserveCapacity(s.values.count)
        for i in 0..<s.count { values += apply(row: s.point(i)) }
        return LabeledSample(unchecked: dimension, values, s.labels)
    }

    /// The halfspace `sign(⟨w, z⟩ + b)` in the original coordinates: `sign(⟨v, x⟩ + c)` with
    /// `v = Wᵀw` and `c = b − ⟨v, m̂⟩`.
    public func originalCoordinates(weights w: [Double], intercept b: Double) -> (weights: [Double], intercept: Double) {
        let d = dimension
        let v = (0..<d).map { j in (0..<d).reduce(0.0) { $0 + whitening[$1 * d + j] * w[$1] } }
        return (v, b - zip(v, mean).reduce(0) { $0 + $1.0 * $1.1 })
    }
}

/// How far whitening with an estimate from `n_fit` rows can leave Gaussian data from `N(0, I)`,
/// and the label-free tests' thresholds widened by exactly that.
///
/// **Derivation.** Let the rows be `x = μ + Σ^{1/2} g`, `g ~ N(0, I_d)`, `Σ` full rank. The fit
/// split's mean is `m̂ = μ + Σ^{1/2} ḡ` and its covariance `Σ̂ = Σ^{1/2} S Σ^{1/2}`, where `S` is
/// the sample covariance of the fit rows' `g` (denominator `n_fit − 1`). A later row maps to
/// `z = A(g − ḡ)` with `A = W Σ^{1/2}`, so, given the fit split, `z ~ N(ν, C)` with
/// `ν = −A ḡ` and `C = A Aᵀ = W Σ Wᵀ`. Any `W` with `WᵀW = Σ̂⁻¹` will do: `C` has the eigenvalues of
/// `AᵀA = Σ^{1/2} Σ̂^{-1} Σ^{1/2} = S^{-1}`, which do not depend on `μ`, `Σ` or the choice of `W`.
/// - `(n_fit − 1) S` is a Wishart matrix with `m = n_fit − 1` degrees of freedom (Cochran), the
///   Gram matrix of an `m × d` standard Gaussian matrix. Davidson–Szarek: its singular values
///   over `√m` lie in `1 ± s`, `s = √(d/m) + √(2 ln(2/δ_c)/m)`, except with probability `δ_c`.
///   Then `spec C ⊂ [1/(1 + s)², 1/(1 − s)²] =: [λ₋, Λ]` (needs `s < 1`).
/// - `n_fit ‖ḡ‖²` is χ²_d: `‖ḡ‖² ≤ q(δ_m)/n_fit` with `q(p) = d + 2√(d ln(1/p)) + 2 ln(1/p)`
///   (Laurent–Massart) except with probability `δ_m`; so `‖ν‖ ≤ ‖A‖‖ḡ‖ ≤ r = √(q(δ_m)/n_fit)/(1 − s)`.
///
/// On these two events (probability `δ_c + δ_m`, charged to the run's δ), write the tested rows
/// as `z_i = ν + C^{1/2} h_i`, `h_i ~ N(0, I)` i.i.d. and independent of the fit, `n` of them.
/// - **mean**: `√n‖z̄‖ ≤ √n r + √Λ·√(n‖h̄‖²)`, so the threshold `q(p)` becomes `(√n r + √(Λ q(p)))²`.
/// - **covariance**: `(1/n)Σ z zᵀ − I = C^{1/2}(Ŝ − I)C^{1/2} + (C − I) + ν h̄ᵀC^{1/2} + C^{1/2}h̄ νᵀ + ννᵀ`,
///   `Ŝ = (1/n)Σ h hᵀ`; with `τ = 2t + t²` (Davidson–Szarek for `Ŝ` at `p/2`) and
///   `‖h̄‖ ≤ √(q(p/2)/n)`: threshold `Λτ + (Λ − 1) + 2r√Λ‖h̄‖ + r²` (`Λ − 1 ≥ 1 − λ₋`).
/// - **fourth moments**: along a unit `u`, `⟨u, z_i⟩ = a + c g_i` with `g_i` i.i.d. `N(0, 1)`; the
///   test uses the sample kurtosis `m₄/m₂²` instead of `mean(⟨u, z⟩⁴)`, which is the same for
///   `a + c g_i` as for `g_i`: no widening is needed, its normal-theory limits are exact in law.
///   (Widening `mean(⟨u, z⟩⁴)`'s limits by Minkowski's inequality, `[(√λ₋ lo^{1/4} − r)₊⁴,
///   (√Λ hi^{1/4} + r)⁴]`, was valid but let the cube through at n = 30 000, d = 5.)
/// - **full moment matching** has no such widening here: it is skipped on whitened data (skipping a
///   test can only lower the false-rejection rate).
///
/// So on Gaussian data with any mean and full-rank covariance the widened tests falsely reject
/// with probability at most `δ_c + δ_m` plus their shares.
public struct WhiteningSlack: Sendable, Equatable {
    public let dimension: Int
    public let fitRows: Int
    /// `δ_c + δ_m` (split equally).
    public let failureProbability: Double
    /// `s`: Davidson–Szarek's radius at `m = n_fit − 1`.
    public let radius: Double
    /// `r`: the bound on `‖ν‖`.
    public let meanOffset: Double

    /// - Throws: `NumericsError.domain` when `s ≥ 1` (too few fit rows for `d` and the
    ///   failure probability; the message says how many are needed).
    public init(dimension d: Int, fitRows n: Int, failureProbability p: Double) throws {
        let m = Double(n - 1)
        let s = (Double(d) / m).squareRoot() + (2 * log(4 / p) / m).squareRoot()
        guard n > 1, s < 0.5 else {
            throw NumericsError.domain(function: "whitening slack", value: "\(n) fit rows for d = \(d)",
                                       expected: "at least \(Int((4 * (Double(d).squareRoot() + (2 * log(4 / p)).squareRoot()) * (Double(d).squareRoot() + (2 * log(4 / p)).squareRoot())).rounded(.up)) + 1) "
                                           + "(Davidson–Szarek radius below 1/2; raise the fit share or give more data)")
        }
        dimension = d
        fitRows = n
        failureProbability = p
        radius = s
        meanOffset = (Self.chiSquareBound(dimension: d, failureProbability: p / 2) / Double(n)).squareRoot() / (1 - s)
    }

    /// `Λ = 1/(1 − s)²`, the largest variance of a whitened direction.
    public var largestVariance: Double { 1 / ((1 - radius) * (1 - radius)) }
    /// `λ₋ = 1/(1 + s)²`, the smallest.
    public var smallestVariance: Double { 1 / ((1 + radius) * (1 + radius)) }

    /// `q(p) = d + 2√(d L) + 2L`, `L = ln(1/p)`: χ²_d exceeds it with probability at most `p`.
    static func chiSquareBound(dimension d: Int, failureProbability p: Double) -> Double {
        let l = log(1 / p)
        return Double(d) + 2 * (Double(d) * l).squareRoot() + 2 * l
    }

    /// The mean test's widened threshold for `n` tested rows: `(√n r + √(Λ q(p)))²`.
    public func meanThreshold(count n: Int, failureProbability p: Double) -> Double {
        let root = Double(n).squareRoot() * meanOffset + (largestVariance * Self.chiSquareBound(dimension: dimension, failureProbability: p)).squareRoot()
        return root * root
    }

    /// The covariance test's widened threshold: `Λτ + (Λ − 1) + 2r√Λ √(q(p/2)/n) + r²`, `τ` at `p/2`.
    public func covarianceThreshold(count n: Int, failureProbability p: Double) -> Double {
        let tau = MarginalTests.operatorBound(dimension: dimension, count: n, failureProbability: p / 2)
        let lambda = largestVariance, r = meanOffset
        let hBar = (Self.chiSquareBound(dimension: dimension, failureProbability: p / 2) / Double(n)).squareRoot()
        return lambda * tau + (lambda - 1) + 2 * r * lambda.squareRoot() * hBar + r * r
    }

    /// The range of the band mass `P(|⟨w, z⟩| ≤ a)` over whitened Gaussians within the slack:
    /// `⟨w, z⟩ ~ N(m, σ²)` with `|m| ≤ r`, `σ² ∈ [λ₋, Λ]`. The largest is at `m = 0`, `σ² = λ₋`
    /// (`erf(a/√(2λ₋))`); the mass falls as `|m|` grows and is unimodal in `σ`, so the smallest is
    /// at `|m| = r` and one end of the `σ` range.
    public func bandMassRange(width a: Double) -> (lower: Double, upper: Double) {
        let upper = SpecialFunctions.erf(a / (2 * smallestVariance).squareRoot())
        let lower = [smallestVariance, largestVariance].map { v in
            Normal.standard.cdf((a - meanOffset) / v.squareRoot()) - Normal.standard.cdf((-a - meanOffset) / v.squareRoot())
        }.min()!
        return (lower, upper)
    }
}
