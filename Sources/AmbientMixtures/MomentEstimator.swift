import Foundation
import SuretyNumerics

/// The moment-based estimator in one dimension (Wu and Yang, *Optimal estimation of Gaussian
/// mixtures via denoised method of moments*, AoS 2020; with per-sample noise levels as in spec
/// ambient-gmm.md §C.3 (2)).
///
/// Denoised moments: `E[s^j He_j(X/s)] = E[U^j]` for `X = U + sZ` (`He_j` the probabilists'
/// Hermite polynomials), so `m̂_j = Σ_i b_ij s_i^j He_j(X_i/s_i) / Σ_i b_ij` with the
/// precision weights `b_ij = s_i^{−2j}` is unbiased for the j-th moment of `Γ`, `j = 1…2k−1`.
/// The k atoms and weights are the Gauss quadrature of the moment sequence: with the Hankel
/// matrices `H = [m_{i+j}]` and `H′ = [m_{i+j+1}]` (`i, j < k`) and `H = LLᵀ`, the atoms are the
/// eigenvalues of the Jacobi matrix `L⁻¹H′L⁻ᵀ` and the weights the squared first components of
/// its eigenvectors (Golub–Welsch).
///
/// Not yet implemented: the projection of `m̂` onto the moment space of k-atomic distributions
/// on `[−R, R]` (an SDP); when `H` is not positive definite the estimator throws instead.
public enum MomentEstimator {
    /// The denoised moment estimates `m̂_1…m̂_{2k−1}` (one-dimensional samples).
    public static func moments(_ sample: NoisySample, k: Int) throws -> [Double] {
        guard sample.dimension == 1 else {
            throw NumericsError.domain(function: "moment estimator", value: "d = \(sample.dimension)", expected: "d = 1 (project first)")
        }
        let order = 2 * k - 1
        var numerator = [Double](repeating: 0, count: order + 1), denominator = numerator
        for (x, s) in zip(sample.values, sample.noiseLevels) {
            let hermite = try OrthogonalPolynomialFamily.hermite.values(upTo: order, at: x / s)
            var power = 1.0
            for j in 1...order {
                power *= s
                let b = pow(s, -2 * Double(j))
                numerator[j] += b * power * hermite[j]
                denominator[j] += b
            }
        }
        return (1...order).map { numerator[$0] / denominator[$0] }
    }

    /// The k-atomic distribution whose first `2k − 1` moments are the denoised estimates.
    ///
    /// - Throws: `NumericsError.domain` when the estimated moments are not those of a k-atomic
    ///   distribution (the Hankel matrix is not positive definite).
    public static func fit(_ sample: NoisySample, k: Int) throws -> MixingDistribution {
        guard k >= 1 else { throw NumericsError.domain(function: "moment estimator", value: "k = \(k)", expected: "k ≥ 1") }
        return try fit(moments: moments(sample, k: k))
    }

    /// The k-atomic distribution with moments `m_1…m_{2k−1}` (`k = (count + 1)/2`).
    public static func fit(moments estimates: [Double]) throws -> MixingDistribution {
        guard estimates.count % 2 == 1 else {
            throw NumericsError.domain(function: "moment estimator", value: "\(estimates.count) moments", expected: "2k − 1 moments")
        }
        let k = (estimates.count + 1) / 2
        let m = [1.0] + estimates
        var h = Matrix(rows: k, columns: k), shifted = Matrix(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { h[i, j] = m[i + j]; shifted[i, j] = m[i + j + 1] } }
        let factor: CholeskyFactorization
        do { factor = try h.cholesky() } catch {
            throw NumericsError.domain(function: "moment estimator", value: "moment estimates whose Hankel matrix is not positive definite",
                                       expected: "the moments of a k-atomic distribution (more samples, or a smaller k)")
        }
        // J = L⁻¹ H′ L⁻ᵀ, column by column.
        var half = Matrix(rows: k, columns: k)                                   // L⁻¹ H′
        for j in 0..<k {
            let column = try factor.solveLower(shifted.column(j))
            for i in 0..<k { half[i, j] = column[i] }
        }
        var jacobi = Matrix(rows: k, columns: k)                                 // (L⁻¹ (L⁻¹ H′)ᵀ)ᵀ
        for i in 0..<k {
            let row = try factor.solveLower(half.row(i))
            for j in 0..<k { jacobi[i, j] = row[j] }
        }
        for i in 0..<k { for j in (i + 1)..<k { let v = (jacobi[i, j] + jacobi[j, i]) / 2; jacobi[i, j] = v; jacobi[j, i] = v } }
        let eigen = try jacobi.symmetricEigendecomposition()
        let weights = (0..<k).map { max(eigen.vectors[0, $0] * eigen.vectors[0, $0], 1e-12) }
        let total = weights.reduce(0, +)
        return try MixingDistribution(atoms: eigen.values.map { [$0] }, weights: weights.map { $0 / total })
    }
}
