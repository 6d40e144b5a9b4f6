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
    /// estimator passes the moments' standard errors. These are the moments of
    /// ``projectedDistribution(_:radius:scales:gridSize:)``.
    ///
    /// - Throws: `.domain` for an even count, non-finite values, `R ≤ 0` or scales that are not
    ///   positive, and when a moment of the projection overflows (possible only when
    ///   `R^{2k−1}` is beyond `Double`'s range).
    public static func project(_ moments: [Double], radius r: Double, scales: [Double]? = nil, gridSize: Int = 2001) throws -> [Double] {
        let (atoms, weights) = try projectedDistribution(moments, radius: r, scales: scales, gridSize: gridSize)
        var projected = [Double](repeating: 0, count: moments.count)
        for (x, w) in zip(atoms, weights) {
            var power = 1.0
            for j in projected.indices { power *= x; projected[j] += w * power }
        }
        guard projected.allSatisfy(\.isFinite) else {
            throw NumericsError.domain(function: "moment-space projection", value: "R = \(r) with \(moments.count) moments",
                                       expected: "moments of a distribution on [−R, R] within Double's range (R^\(moments.count) finite)")
        }
        return projected
    }

    /// The distribution `Σ w_g δ_{R t_g}` whose moments are the projection of `moments` onto the
    /// moment space: its atoms lie in `[−R, R]` (at most `2k` of them: Lawson–Hanson keeps
    /// linearly independent columns), its weights are positive and sum to 1.
    ///
    /// Wu and Yang solve this projection as a semidefinite program. Here the moment curve
    /// `t ↦ (t, t², …, t^{2k−1})` is sampled at `gridSize` Chebyshev–Lobatto points of
    /// `[−1, 1]`, and the point of the convex hull of those samples nearest to the target is
    /// found exactly by nonnegative least squares on the homogenized problem: with the columns
    /// `d_g = γ(t_g) − target` (scaled coordinates), `min_{w ≥ 0} ‖D w‖² + (Σ w_g − 1)²`
    /// restricted to `w = s·u` (`u` in the simplex) is minimized by `s = 1/(1 + ‖D u‖²)` with
    /// value `‖D u‖²/(1 + ‖D u‖²)`, increasing in `‖D u‖`, so the normalized solution `u` is
    /// the nearest point of the hull — for every target, near or far (a penalty row added to
    /// the unhomogenized problem only approximates the constraint `Σ w = 1`, and poorly when the
    /// scaled coordinates are large, as the estimator's standard-error scales make them).
    /// The discretized hull lies inside the moment space, so the result is **always a true
    /// moment vector** — the property the quadrature step needs; it is the exact projection only
    /// up to the grid (the hull of 2001 points misses the curve by at most `h²/8·j(j−1)` in
    /// the coordinate `m_j/R^j`, `h ≤ π/2000` the largest grid step).
    ///
    /// All entries are formed from logarithms and divided by their largest magnitude, so that
    /// neither `R^j`, the scales, nor the target need be representable on their own: tiny and
    /// huge `R` and wildly invalid moments (`m_2 = −10³⁰⁰`) are projected like any other.
    ///
    /// - Throws: `.domain` for an even count, non-finite values, `R ≤ 0` or scales that are not
    ///   positive and finite.
    public static func projectedDistribution(_ moments: [Double], radius r: Double, scales: [Double]? = nil,
                                             gridSize: Int = 2001) throws -> (atoms: [Double], weights: [Double]) {
        guard moments.count % 2 == 1, moments.allSatisfy(\.isFinite), r > 0, r.isFinite, gridSize >= 2 else {
            throw NumericsError.domain(function: "moment-space projection", value: "\(moments.count) moments, R = \(r)",
                                       expected: "2k − 1 finite moments and R > 0")
        }
        let order = moments.count
        if let scales {
            guard scales.count == order, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw NumericsError.domain(function: "moment-space projection", value: "scales \(scales)", expected: "one positive finite scale per moment")
            }
        }
        // In logarithms: ln c_j, the largest |coordinate| of the curve ln(R^j/c_j) (|t| ≤ 1), and ln|m_j/c_j|.
        let logR = log(r)
        let logScale = scales?.map { log($0) } ?? (1...order).map { Double($0) * logR }
        let logCurve = (0..<order).map { Double($0 + 1) * logR - logScale[$0] }
        let logTarget = (0..<order).map { moments[$0] == 0 ? -Double.infinity : log(abs(moments[$0])) - logScale[$0] }
        let logNorm = max(logCurve.max()!, logTarget.max()!)
        let curveFactor = logCurve.map { exp($0 - logNorm) }
        let target = (0..<order).map { moments[$0] == 0 ? 0 : (moments[$0] < 0 ? -1 : 1) * exp(logTarget[$0] - logNorm) }
        let nodes = (0..<gridSize).map { -cos(Double.pi * Double($0) / Double(gridSize - 1)) }
        var storage = [Double](repeating: 0, count: (order + 1) * gridSize)           // column-major
        var norm1 = 0.0
        for (g, t) in nodes.enumerated() {
            let base = g * (order + 1)
            storage[base] = 1
            var power = 1.0, column = 1.0
            for j in 1...order {
                power *= t
                storage[base + j] = power * curveFactor[j - 1] - target[j - 1]
                column += abs(storage[base + j])
            }
            norm1 = max(norm1, column)
        }
        let a = try Matrix(rows: order + 1, columns: gridSize, columnMajor: storage)
        // NNLS's default stopping threshold on the gradient, 10·max(rows, columns)·ε·‖A‖₁·‖b‖₁
        // ≈ 3·10⁻¹¹ here, is coarse for this problem: for an input inside or near the hull the
        // objective is the squared distance (≈ 10⁻¹²), and that threshold stopped up to 1.6×
        // the grid's error from the nearest point. The gradient's rounding noise is
        // ≈ ε·‖A‖₁·‖b‖₁ ≈ 10⁻¹⁵, so 100 times that is safe; should rounding still make the
        // active set cycle, the default threshold is the fallback.
        let rhs = [1] + [Double](repeating: 0, count: order)
        var w: [Double]
        do {
            w = try a.nonnegativeLeastSquares(rhs, tolerance: 100 * Double.ulpOfOne * norm1)
        } catch NumericsError.noConvergence {
            w = try a.nonnegativeLeastSquares(rhs)
        }
        let total = w.reduce(0, +)
        guard total > 0 else { throw NumericsError.noConvergence(function: "moment-space projection", detail: "all weights zero") }
        let support = w.indices.filter { w[$0] > 0 }
        return (support.map { r * nodes[$0] }, support.map { w[$0] / total })
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
