import Foundation
import SuretyNumerics

/// ε-DP sums of Euclidean distances `Σ_x ‖x − y‖₂` through a random embedding into ℓ1
/// (Backurs et al., ICLR 2024, §6; spec dp-kde.md §2.6).
///
/// A Gaussian matrix `G ∈ ℝ^{k×d}` (public, drawn from a generator separate from the noise)
/// maps points to `Gx`; since `E|⟨g, z⟩| = √(2/π)‖z‖₂`, `‖x − y‖₂ ≈ (√(π/2)/k)‖Gx − Gy‖₁`.
/// The projected coordinates are clamped to the public interval `[−B, B]` and a
/// ``PrivateL1Distance`` is built on them with the whole ε (clamping is data-independent).
/// Answers and their noise standard deviations are scaled by `√(π/2)/k`; the embedding adds a
/// relative error of about `0.76/√k` per distance.
///
/// **Where it is useful.** The noise does not shrink with `n`, and the embedding's errors do not
/// average out over the points (every point shares the query's projections). Measured on
/// 2026-12-07 (`dpkde build u.csv --epsilon 1 --kernel l2 --bounds 0:1`, uniform points in
/// [0, 1]², defaults k = 32, `--max-rows` 10⁷, three queries): noise standard deviation about
/// 8 000 at every n; relative errors 21–630 % at n = 2 000, 1–42 % at n = 20 000 and 10–26 % at
/// n = 200 000 (the largest at a corner query). So: for sums of Euclidean distances over at least
/// about 10⁵ points, as a rough (±30 %) estimate; below that, or for anything finer, use `l1` or
/// `l2-squared`, whose errors are far smaller.
public struct PrivateL2Distance: Sendable {
    /// `k × d`.
    public let projection: Matrix
    public let l1: PrivateL1Distance

    /// A public bound `B` on the projected coordinates of points within `radius` of the
    /// origin: `radius·√(2 ln(2·maxPoints·k/δ))`, so that with probability `≥ 1 − δ` no point's
    /// coordinate is clamped. `maxPoints` must be a public upper bound on `n`, never the exact `n`.
    public static func coordinateBound(radius: Double, maxPoints: Int, projectionDimension k: Int, failureProbability delta: Double) -> Double {
        radius * (2 * log(2 * Double(maxPoints) * Double(k) / delta)).squareRoot()
    }

    public static func build(points: Matrix, projectionDimension k: Int, coordinateBound bound: Double, levels: Int, epsilon: Double,
                             alpha: Double = 0.1, relation: NeighbourRelation = .addRemove,
                             projectionGenerator: inout some RandomNumberGenerator,
                             noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateL2Distance {
        try build(points: points, projectionDimension: k, coordinateBound: bound, levels: levels, budget: PrivacyBudget(epsilon: epsilon),
                  alpha: alpha, relation: relation, projectionGenerator: &projectionGenerator, noiseGenerator: &noiseGenerator)
    }

    /// The same with any ``PrivacyBudget`` (zCDP gives the trees discrete Gaussian noise).
    public static func build(points: Matrix, projectionDimension k: Int, coordinateBound bound: Double, levels: Int, budget: PrivacyBudget,
                             alpha: Double = 0.1, relation: NeighbourRelation = .addRemove,
                             projectionGenerator: inout some RandomNumberGenerator,
                             noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateL2Distance {
        guard k >= 1 else { throw NumericsError.domain(function: "private ℓ2 distances", value: "k = \(k)", expected: "k ≥ 1") }
        try ReleaseChecks.points(points, "private ℓ2 distances")
        let g = try Matrix(rows: k, columns: points.columns, columnMajor: (0..<(k * points.columns)).map { _ in
            Normal.standard.sample(using: &projectionGenerator)
        })
        let domains = try [PublicInterval](repeating: PublicInterval(-bound, bound), count: k)
        var projected = try points.multiplied(by: g, transposeOther: .transposed)        // n × k
        // A point so large that its projection overflows (±∞, or NaN from ∞ − ∞) would otherwise
        // fail the build for that dataset only: ±∞ is clamped like any value beyond ±B, NaN goes
        // to 0. A fixed map of one point's coordinates, so the sensitivity is unchanged.
        if projected.storage.contains(where: { !$0.isFinite }) {
            projected = try Matrix(rows: projected.rows, columns: k, columnMajor: projected.storage.map { $0.isNaN ? 0 : min(max($0, -bound), bound) })
        }
        let l1 = try PrivateL1Distance.build(points: projected, domains: domains, levels: levels, budget: budget, alpha: alpha,
                                             relation: relation, using: &noiseGenerator)
        return PrivateL2Distance(projection: g, l1: l1)
    }

    /// The estimate of `Σ_x ‖x − y‖₂` and the standard deviation of its privacy noise.
    /// Builds with noise from the operating system's secure generator (the projection from
    /// `projectionGenerator`, which may be seeded: it is public).
    public static func build(points: Matrix, projectionDimension k: Int, coordinateBound bound: Double, levels: Int, epsilon: Double,
                             alpha: Double = 0.1, relation: NeighbourRelation = .addRemove,
                             projectionGenerator: inout some RandomNumberGenerator) throws -> PrivateL2Distance {
        var system = NoiseSource.secure
        return try build(points: points, projectionDimension: k, coordinateBound: bound, levels: levels, epsilon: epsilon, alpha: alpha,
                         relation: relation, projectionGenerator: &projectionGenerator, noiseGenerator: &system)
    }

    public func sum(at y: [Double]) throws -> (estimate: Double, noiseStandardDeviation: Double) {
        guard y.count == projection.columns else {
            throw NumericsError.dimensionMismatch(operation: "private ℓ2 distance query", seen: "a query of \(y.count) coordinates",
                                                  expected: "\(projection.columns), as the structure")
        }
        let gy = try projection.multiplied(by: y)
        let scale = (Double.pi / 2).squareRoot() / Double(projection.rows)
        return (scale * (try l1.sum(at: gy)), scale * (try l1.noiseStandardDeviation(at: gy)))
    }

    /// The privacy statement: that of the ℓ1 structure on the projected points (the public
    /// projection and the clamping are data-independent).
    public var privacy: PrivacyStatement {
        var statement = l1.privacy
        statement.accounting = "ℓ1 trees on the k = \(projection.rows) public Gaussian projections, clamped to their public domain: " + statement.accounting
        return statement
    }
}
