import Foundation
import SuretyNumerics

/// The estimated signal subspace of a k-atomic mixture seen through per-sample noise (spec
/// ambient-gmm.md §C.3 (2a)): the affine subspace `x̄ + range V` that holds the atoms.
///
/// `x̄ = Σ s_i^{−2} X_i / Σ s_i^{−2}` is the precision-weighted mean, and `V` the top
/// `r = min(k − 1, d)` eigenvectors of the centred `Ŝ = Σ a_i ((X_i − x̄)(X_i − x̄)ᵀ − s_i² I)/Σ a_i`,
/// `a_i = s_i^{−4}` (the weights that minimise the variance of `Ŝ` when the `s_i` differ). The
/// population version of `Ŝ` is the covariance of `Γ`, of rank at most `k − 1`, so the atoms lie
/// in `x̄ + range V` up to the estimation error of `x̄` and `V`. The moment estimator solves its
/// one-dimensional problems in these coordinates; EM starts from points of this subspace
/// (``HeteroscedasticEM``), where a raw noisy sample point would carry noise of norm `s√d`
/// in the `d − r` directions that hold no signal.
///
/// - Complexity: O(n d²) for `Ŝ` (one `dsyrk`) and O(d³) for its eigendecomposition.
public struct SignalSubspace: Sendable, Equatable {
    /// `x̄`, in `R^d`.
    public let mean: [Double]
    /// The `r` orthonormal directions, as rows (empty for k = 1).
    public let basis: [[Double]]

    /// - Throws: `NumericsError` from the eigendecomposition (non-finite sums).
    public init(_ sample: NoisySample, k: Int) throws {
        mean = sample.weightedMean(sample.noiseLevels.map { 1 / ($0 * $0) })
        let r = min(max(k - 1, 0), sample.dimension)
        basis = r == 0 ? [] : try sample.principalDirections(around: mean, weights: sample.noiseLevels.map { pow($0, -4) }, count: r)
    }

    /// The dimension `r` of the subspace.
    public var rank: Int { basis.count }

    /// The coordinates `Vᵀ(X_i − x̄)` of every sample, `n` rows of `r` (the noise level of each
    /// coordinate is still `s_i`: `V` is orthonormal).
    public func coordinates(of sample: NoisySample) -> [[Double]] {
        let d = sample.dimension
        return (0..<sample.count).map { i in
            basis.map { v in
                var t = 0.0
                for c in 0..<d { t += v[c] * (sample.values[i * d + c] - mean[c]) }
                return t
            }
        }
    }

    /// The point `x̄ + V y` of `R^d` with coordinates `y` (`r` of them).
    public func lift(_ y: [Double]) -> [Double] {
        precondition(y.count == rank, "one coordinate per direction")
        return mean.indices.map { c in mean[c] + basis.indices.reduce(0) { $0 + y[$1] * basis[$1][c] } }
    }
}
