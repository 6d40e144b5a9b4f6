import Foundation
import SuretyNumerics

/// Exact samplers of the projection DPP of `V_m` (Hough, Krishnapur, Peres, Virág 2006; spec
/// dpp-least-squares.md §B.3): `m` points with joint density `det[K_m(x_i, x_j)]/m!` w.r.t.
/// `μ^{⊗m}`, `K_m(x, y) = φ(x)ᵀφ(y)`, by the chain rule. Step `l` draws from
/// `‖Π⊥φ(x)‖²/(m − l + 1) dμ`, `Π⊥` projecting onto the complement of the features drawn so far.
///
/// Numerical care (DPPy issues #61, #70): the orthonormal list is kept by Gram–Schmidt applied
/// twice (``OrthonormalColumns``, through BLAS), residual norms are clipped at 0, and discrete
/// probabilities are renormalized by their actual sum.
public enum ProjectionDPP {
    /// Continuous space. For the 1-D Legendre or Hermite space of degree `m − 1` the whole sample
    /// is the spectrum of a random tridiagonal matrix (``tridiagonalLegendre(count:using:)``,
    /// ``tridiagonalHermite(count:using:)``); otherwise the chain rule: propose `x ~ ρ_m`, accept with probability `‖Π⊥φ(x)‖²/‖φ(x)‖²`
    /// (the bound `m/(m − l + 1)` cancels; DPPy issue #72). `chainRule: true` forces the latter.
    public static func sample(_ space: PolynomialSpace, chainRule: Bool = false, using rng: inout some RandomNumberGenerator) throws -> [[Double]] {
        let m = space.count
        if !chainRule, space.dimension == 1, space.indices == (0..<m).map({ [$0] }) {
            switch space.family {
            case .legendre: return try tridiagonalLegendre(count: m, using: &rng).map { [$0] }
            case .hermite: return try tridiagonalHermite(count: m, using: &rng).map { [$0] }
            }
        }
        var basis = OrthonormalColumns(dimension: m), points: [[Double]] = []
        var proposals = 0
        while points.count < m {
            proposals += 1
            guard proposals < 10_000 * m else {
                throw NumericsError.noConvergence(function: "projection DPP (chain rule)", detail: "\(proposals) proposals")
            }
            let x = try space.sampleOptimal(using: &rng)
            let phi = space.features(x)
            let total = phi.reduce(0) { $0 + $1 * $1 }
            guard total > 0 else { continue }
            let residual = basis.residual(of: phi)
            let norm2 = max(0, residual.dot(residual))
            if rng.nextUniform() * total < norm2, basis.append(orthogonalizing: residual) {
                points.append(x)
            }
        }
        return points
    }

    /// The projection DPP of the first `m` Legendre polynomials on `[−1, 1]` — the β = 2 Jacobi
    /// ensemble with uniform weight — as the eigenvalues of Killip and Nenciu's random
    /// tridiagonal matrix (Int. Math. Res. Not. 2004, Thm 2; the model DPPy uses): on `[0, 1]`
    /// with weight `x^{a−1}(1−x)^{b−1}`, `a = b = 1`, `s_k = (β/2)(m − 1 − k)`,
    /// `c_{2k+1} ~ Beta(s_k + a, s_k + b)`, `c_{2k} ~ Beta(s_{k−1}, s_k + a + b)` (`c_0 = 0`),
    /// `ξ_{2k+1} = (1 − c_{2k})c_{2k+1}`, `ξ_{2k} = (1 − c_{2k−1})c_{2k}`; diagonal
    /// `ξ_{2k} + ξ_{2k+1}`, off-diagonal `√(ξ_{2k+1}ξ_{2k+2})`; then `x = 1 − 2λ`.
    /// `O(m²)` (LAPACK `dsterf`), exact. At `m = 50` the eigenvalue solve is about 70 % of
    /// the time and the Beta draws most of the rest (`dppls-bench` prints the split); dqds
    /// (`dlasq2`, which could take the ξ's as a qd array without square roots) measured slower.
    public static func tridiagonalLegendre(count m: Int, using rng: inout some RandomNumberGenerator) throws -> [Double] {
        guard m > 0 else { return [] }
        let (diagonal, off) = legendreJacobiMatrix(count: m, using: &rng)
        return try Matrix.symmetricTridiagonalEigenvalues(diagonal: diagonal, offDiagonal: off).map { 1 - 2 * $0 }
    }

    /// The projection DPP of the first `m` Hermite polynomials (orthonormal for N(0, 1)) — the
    /// Gaussian unitary ensemble, joint density `∝ Π_{i<j}(x_i − x_j)² Π_i e^{−x_i²/2}` — as the
    /// eigenvalues, in increasing order, of Dumitriu and Edelman's random tridiagonal matrix
    /// ("Matrix models for beta ensembles", J. Math. Phys. 43, 2002, their Hermite model at β = 2;
    /// DPPy's `mu_ref_normal_sampler_tridiag` with scale 1):
    /// diagonal i.i.d. N(0, 1), off-diagonal `χ_{2(m−k)}/√2 = √Gamma(m − k, 1)`, k = 1…m − 1.
    /// Exact, `O(m²)`. A uniformly chosen one of the `m` values has the one-point law
    /// `ρ_m = (k_m/m) dμ`, which is how ``PolynomialSpace/sampleOptimal(using:)`` samples Hermite
    /// spaces: no envelope, nothing that grows with the degree.
    public static func tridiagonalHermite(count m: Int, using rng: inout some RandomNumberGenerator) throws -> [Double] {
        guard m > 0 else { return [] }
        let diagonal = (0..<m).map { _ in Normal.standard.sample(using: &rng) }
        let off = (1..<max(m, 2)).map { k in k < m ? Gamma(shape: Double(m - k)).sample(using: &rng).squareRoot() : 0 }
        return try Matrix.symmetricTridiagonalEigenvalues(diagonal: diagonal, offDiagonal: off)
    }

    /// The random symmetric tridiagonal matrix of ``tridiagonalLegendre(count:using:)`` on
    /// `[0, 1]`: its diagonal (`m` values) and off-diagonal (`m − 1` values, padded to at least
    /// one), from `2m − 1` Beta draws. Its eigenvalues `λ` give the sample as `x = 1 − 2λ`.
    public static func legendreJacobiMatrix(count m: Int, using rng: inout some RandomNumberGenerator) -> (diagonal: [Double], offDiagonal: [Double]) {
        precondition(m >= 1, "the Jacobi matrix needs m ≥ 1")
        let a = 1.0, b = 1.0
        let s = (0..<m).map { Double(m - 1 - $0) }                 // β/2 = 1
        var odd = [Double](repeating: 0, count: m), even = [Double](repeating: 0, count: m)
        for k in 0..<m { odd[k] = Beta(alpha: s[k] + a, beta: s[k] + b).sample(using: &rng) }
        for k in 1..<max(m, 1) { even[k] = Beta(alpha: s[k - 1], beta: s[k] + a + b).sample(using: &rng) }
        var diagonal = [Double](repeating: 0, count: m), off = [Double](repeating: 0, count: max(m - 1, 1))
        var xiOdd = [Double](repeating: 0, count: m), xiEven = [Double](repeating: 0, count: m)
        for k in 0..<m {
            xiOdd[k] = (1 - even[k]) * odd[k]
            xiEven[k] = k == 0 ? 0 : (1 - odd[k - 1]) * even[k]
            diagonal[k] = xiEven[k] + xiOdd[k]
        }
        for k in 0..<(m - 1) { off[k] = (xiOdd[k] * xiEven[k + 1]).squareRoot() }
        return (diagonal, off)
    }

    /// Discrete ground set: item `i` at step `l` with probability `μ_i‖Π⊥φ_i‖²/(m − l + 1)`, by
    /// the same chain rule with rejection as the continuous case: propose `i ∝ μ_i‖φ_i‖²` (a
    /// binary search in precomputed cumulative weights), accept with probability
    /// `‖Π⊥φ_i‖²/‖φ_i‖²` (clipped at 0; the orthonormal list re-orthogonalized twice). Expected
    /// `m·H_m` proposals of `O(m·l)` each — no pass over the `N` items after the setup. Returns
    /// the item indices.
    public static func sample(_ space: DiscreteSpace, using rng: inout some RandomNumberGenerator) -> [Int] {
        let m = space.count
        let total = space.cumulativeProposal.last ?? 0
        var basis = OrthonormalColumns(dimension: m), chosen: [Int] = [], taken = Set<Int>()
        while chosen.count < m {
            let lo = space.proposalItem(rng.nextUniform() * total)
            guard !taken.contains(lo) else { continue }
            let phi = space.row(lo)
            let residual = basis.residual(of: phi)
            let norm2 = max(0, residual.dot(residual))
            if rng.nextUniform() * space.squaredRowNorms[lo] < norm2, basis.append(orthogonalizing: residual) {
                chosen.append(lo)
                taken.insert(lo)
            }
        }
        return chosen
    }
}
