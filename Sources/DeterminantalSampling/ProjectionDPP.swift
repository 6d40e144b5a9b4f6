import Foundation
import SuretyNumerics

/// Exact samplers of the projection DPP of `V_m` (Hough, Krishnapur, Peres, Virág 2006; spec
/// dpp-least-squares.md §B.3): `m` points with joint density `det[K_m(x_i, x_j)]/m!` w.r.t.
/// `μ^{⊗m}`, `K_m(x, y) = φ(x)ᵀφ(y)`, by the chain rule. Step `l` draws from
/// `‖Π⊥φ(x)‖²/(m − l + 1) dμ`, `Π⊥` projecting onto the complement of the features drawn so far.
///
/// Numerical care (DPPy issues #61, #70): the orthonormal list is kept by Gram–Schmidt applied
/// twice, residual norms are clipped at 0, and discrete probabilities are renormalized by their
/// actual sum.
public enum ProjectionDPP {
    /// Continuous space: propose `x ~ ρ_m`, accept with probability `‖Π⊥φ(x)‖²/‖φ(x)‖²` (the
    /// bound `m/(m − l + 1)` cancels; DPPy issue #72).
    public static func sample(_ space: PolynomialSpace, using rng: inout some RandomNumberGenerator) throws -> [[Double]] {
        let m = space.count
        var basis: [[Double]] = [], points: [[Double]] = []
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
            let residual = project(phi, away: basis)
            let norm2 = max(0, residual.reduce(0) { $0 + $1 * $1 })
            if rng.nextUniform() * total < norm2 {
                basis.append(normalized(project(residual, away: basis)))
                points.append(x)
            }
        }
        return points
    }

    /// Discrete ground set: item `i` at step `l` with probability `μ_i‖Π⊥φ_i‖²/(m − l + 1)`,
    /// renormalized by the actual sum. Returns the item indices.
    public static func sample(_ space: DiscreteSpace, using rng: inout some RandomNumberGenerator) -> [Int] {
        let n = space.items, m = space.count
        let phi = space.features
        // residuals[i] = ‖Π⊥φ_i‖², updated after each pick (rank-one downdates on the rows).
        var residualRows = (0..<n).map { phi.row($0) }
        var norms = residualRows.map { $0.reduce(0) { $0 + $1 * $1 } }
        var chosen: [Int] = []
        for _ in 0..<m {
            let weights = (0..<n).map { max(0, norms[$0]) * space.masses[$0] }
            let total = weights.reduce(0, +)
            var u = rng.nextUniform() * total, pick = n - 1
            for i in 0..<n {
                u -= weights[i]
                if u < 0 { pick = i; break }
            }
            chosen.append(pick)
            // Project every row off the chosen row's residual direction (twice, for stability).
            let direction = normalized(residualRows[pick])
            for _ in 0..<2 {
                for i in 0..<n {
                    let t = zip(residualRows[i], direction).reduce(0) { $0 + $1.0 * $1.1 }
                    for j in 0..<m { residualRows[i][j] -= t * direction[j] }
                }
            }
            for i in 0..<n { norms[i] = residualRows[i].reduce(0) { $0 + $1 * $1 } }
            norms[pick] = 0
        }
        return chosen
    }

    static func project(_ v: [Double], away basis: [[Double]]) -> [Double] {
        var r = v
        for _ in 0..<2 {
            for b in basis {
                let t = zip(r, b).reduce(0) { $0 + $1.0 * $1.1 }
                for j in r.indices { r[j] -= t * b[j] }
            }
        }
        return r
    }

    static func normalized(_ v: [Double]) -> [Double] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }
}
