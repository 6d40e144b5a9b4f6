import Foundation
import SuretyNumerics

/// The truncated moment space `M_{2k−1}([−R, R])`: the vectors `(m_1, …, m_{2k−1})` of moments
/// of probability distributions on `[−R, R]` (Wu and Yang, AoS 2020, §2; spec ambient-gmm.md
/// §C.3 (2c)). Every such vector is the moment vector of a distribution with at most `k` atoms,
/// so projecting a noisy estimate onto this set is the denoising step of the denoised method
/// of moments.
public enum MomentSpace {
    /// Whether `moments` lies in the interior of the moment space, by Wu and Yang's Hankel
    /// conditions with `m_0 = 1`, `H = [m_{i+j}]`, `H′ = [m_{i+j+1}]` (`i, j < k`):
    /// `H ≻ 0` (at least `k` support points, needed for `k` Gauss nodes) and
    /// `R·H − H′ ⪰ 0`, `R·H + H′ ⪰ 0` (support in `[−R, R]`).
    ///
    /// - Parameter moments: `m_1 … m_{2k−1}` (an odd count).
    public static func contains(_ moments: [Double], radius r: Double) -> Bool {
        guard moments.count % 2 == 1, moments.allSatisfy(\.isFinite), r > 0 else { return false }
        let (h, shifted) = hankel(moments)
        guard (try? h.cholesky()) != nil else { return false }
        for sign in [-1.0, 1.0] {
            let localizing = r * h + sign * shifted
            guard let eigen = try? localizing.symmetricEigendecomposition(), eigen.values.allSatisfy({ $0 >= 0 }) else { return false }
        }
        return true
    }

    /// The moment vector of a distribution on `[−R, R]` nearest to `moments` in the scaled
    /// coordinates `m_j/c_j`: by default `c_j = R^j`, so that every order weighs alike; the
    /// estimator passes the moments' standard errors.
    ///
    /// Wu and Yang solve this projection as a semidefinite program. Here the moment curve
    /// `t ↦ (t, t², …, t^{2k−1})` is sampled at `gridSize` Chebyshev–Lobatto points of
    /// `[−1, 1]`, and the nearest point of the convex hull of those samples is found by
    /// nonnegative least squares, the row `Σ w_g = 1` weighted by 10⁴ and the weights then
    /// renormalized. The discretized hull lies inside the moment space, so the result is
    /// **always a true moment vector** (of the distribution `Σ w_g δ_{R t_g}`) — the property
    /// the quadrature step needs; it is the exact projection only up to the grid (the hull of
    /// 2001 points misses the curve by `O(1/gridSize²)`).
    ///
    /// - Throws: `.domain` for an even count, non-finite values or `R ≤ 0`.
    public static func project(_ moments: [Double], radius r: Double, scales: [Double]? = nil, gridSize: Int = 2001) throws -> [Double] {
        guard moments.count % 2 == 1, moments.allSatisfy(\.isFinite), r > 0, r.isFinite, gridSize >= 2 else {
            throw NumericsError.domain(function: "moment-space projection", value: "\(moments.count) moments, R = \(r)",
                                       expected: "2k − 1 finite moments and R > 0")
        }
        let c = scales ?? (1...moments.count).map { pow(r, Double($0)) }
        guard c.count == moments.count, c.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw NumericsError.domain(function: "moment-space projection", value: "scales \(c)", expected: "one positive finite scale per moment")
        }
        let order = moments.count, penalty = 1e4
        let nodes = (0..<gridSize).map { -cos(Double.pi * Double($0) / Double(gridSize - 1)) }
        var a = Matrix(rows: order + 1, columns: gridSize)
        for (g, t) in nodes.enumerated() {
            a[0, g] = penalty
            var power = 1.0
            for j in 1...order { power *= r * t; a[j, g] = power / c[j - 1] }
        }
        let target = [penalty] + zip(moments, c).map { $0 / $1 }
        var w = try a.nonnegativeLeastSquares(target)
        let total = w.reduce(0, +)
        guard total > 0 else { throw NumericsError.noConvergence(function: "moment-space projection", detail: "all weights zero") }
        w = w.map { $0 / total }
        var projected = [Double](repeating: 0, count: order)
        for (g, t) in nodes.enumerated() where w[g] > 0 {
            var power = 1.0
            for j in 0..<order { power *= r * t; projected[j] += w[g] * power }
        }
        return projected
    }

    /// `H = [m_{i+j}]` and `H′ = [m_{i+j+1}]`, `i, j < k`, with `m_0 = 1`.
    static func hankel(_ moments: [Double]) -> (Matrix, Matrix) {
        let k = (moments.count + 1) / 2
        let m = [1.0] + moments
        var h = Matrix(rows: k, columns: k), shifted = Matrix(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { h[i, j] = m[i + j]; shifted[i, j] = m[i + j + 1] } }
        return (h, shifted)
    }
}
