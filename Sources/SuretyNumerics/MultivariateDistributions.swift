import CLinAlg
import Foundation

/// The multivariate normal distribution `N(mean, covariance)` in `d` dimensions.
///
/// Sampling uses a square root `S` with `S Sᵀ = Σ`: the Cholesky factor when `Σ` is
/// positive definite, otherwise the symmetric square root from the eigendecomposition,
/// which also covers singular (positive semi-definite) covariances.
public struct MultivariateNormal: Sendable {
    public let mean: [Double]
    public let covariance: Matrix
    /// A factor `S` with `S Sᵀ = covariance`.
    public let factor: Matrix

    /// - Throws: `NumericsError.dimensionMismatch` when the shapes disagree, `.nonFinite`,
    ///   `.domain` for a non-symmetric matrix or one with an eigenvalue below
    ///   `−1e-10 · λ_max` (not positive semi-definite).
    public init(mean: [Double], covariance: Matrix) throws {
        guard covariance.rows == mean.count, covariance.columns == mean.count else {
            throw NumericsError.dimensionMismatch(
                operation: "MultivariateNormal", seen: "mean of length \(mean.count) and covariance \(covariance.rows)×\(covariance.columns)",
                expected: "a \(mean.count)×\(mean.count) covariance")
        }
        if let k = mean.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "MultivariateNormal mean", row: k, column: 0, value: mean[k])
        }
        try covariance.requireFinite("MultivariateNormal covariance")
        guard covariance.isSymmetric(tolerance: 1e-10) else {
            throw NumericsError.domain(function: "MultivariateNormal", value: "a non-symmetric covariance",
                                       expected: "a symmetric covariance (|σ_ij − σ_ji| ≤ 1e-10 · max|σ|)")
        }
        self.mean = mean
        self.covariance = covariance
        do {
            factor = try covariance.cholesky().lower
        } catch NumericsError.notPositiveDefinite {
            let eigen = try covariance.symmetricEigendecomposition()
            let largest = eigen.values.last ?? 0
            if let smallest = eigen.values.first, smallest < -1e-10 * Swift.max(largest, 0) || largest <= 0 && smallest < 0 {
                throw NumericsError.domain(function: "MultivariateNormal", value: "covariance with eigenvalue \(smallest)",
                                           expected: "a positive semi-definite covariance")
            }
            var s = eigen.vectors
            for j in 0..<mean.count {
                let root = Swift.max(eigen.values[j], 0).squareRoot()
                for i in 0..<mean.count { s[i, j] *= root }
            }
            factor = s
        }
    }

    /// The dimension `d`.
    public var dimension: Int { mean.count }

    /// One draw `mean + S z` with `z ~ N(0, I)`.
    public func sample(using generator: inout some RandomNumberGenerator) -> [Double] {
        let z = Normal.standard.samples(count: dimension, using: &generator)
        return (factor * z).adding(mean)
    }

    /// `count` draws as the rows of a `count × d` matrix (one BLAS product).
    public func samples(count: Int, using generator: inout some RandomNumberGenerator) -> Matrix {
        let z = Matrix(unchecked: count, dimension, Normal.standard.samples(count: count * dimension, using: &generator))
        var x = z * factor.transposed
        for j in 0..<dimension { for i in 0..<count { x[i, j] += mean[j] } }
        return x
    }
}

/// The uniform distribution on the unit sphere `S^{d−1}` in `d` dimensions.
public struct UniformSphere: Sendable, Hashable {
    public let dimension: Int

    /// - Precondition: `dimension ≥ 1`.
    public init(dimension: Int) {
        precondition(dimension >= 1, "UniformSphere needs dimension ≥ 1")
        self.dimension = dimension
    }

    /// One draw: a standard normal vector divided by its norm (rejecting the null vector).
    public func sample(using generator: inout some RandomNumberGenerator) -> [Double] {
        while true {
            let z = Normal.standard.samples(count: dimension, using: &generator)
            let norm = z.euclideanNorm
            if norm > 0 { return z.scaled(by: 1 / norm) }
        }
    }
}
