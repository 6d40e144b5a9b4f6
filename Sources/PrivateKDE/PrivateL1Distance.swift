import Foundation
import SuretyNumerics

/// ε-DP sums of ℓ1 distances `Σ_x ‖x − y‖₁` for any query `y`, released once (Backurs et al.,
/// ICLR 2024, Algorithms 3–4; spec dp-kde.md §2.2–2.3).
///
/// One ``PrivateCountTree`` per coordinate at `ε/d` each (basic composition), so the whole
/// release is ε-DP; or, with a zCDP budget, at `ρ/d` each with discrete Gaussian node noise,
/// whose error grows as `d` rather than `d^1.5` (spec §1.4, §2.9). A query is post-processing: per coordinate, rings `[y + r_j, y + r_{j+1})`
/// and `(y − r_{j+1}, y − r_j]` with `r_j = r₀(1 + α)^j` (`r₀` the leaf width) are counted from
/// the tree and weighted by their inner radius `r_j`; the near zone `(y − r₀, y + r₀)` by `r₀/2`.
/// Error: multiplicative at most `1 + α` from the rings (they under-estimate), additive from
/// the leaf snapping (at most `n·r₀` per coordinate) and from the noise, whose standard
/// deviation ``noiseStandardDeviation(at:)`` reports exactly. A query coordinate outside the
/// public domain adds its distance to the domain to every ring's weight (the excess distance
/// times the noisy count).
public struct PrivateL1Distance: Sendable {
    public let trees: [PrivateCountTree]
    /// The ring ratio parameter α.
    public let alpha: Double
    /// The privacy of the whole release (each tree got `1/d` of it).
    public let budget: PrivacyBudget
    /// Whether the noise came from the operating system's secure generator (a seeded
    /// generator is for tests: the release is then not private, and its file says so).
    public let securelyGenerated: Bool

    init(trees: [PrivateCountTree], alpha: Double, budget: PrivacyBudget, securelyGenerated: Bool) {
        self.trees = trees
        self.alpha = alpha
        self.budget = budget
        self.securelyGenerated = securelyGenerated
    }

    /// The smallest ring ratio α: a query walks about `L·ln 2/α` rings per side and
    /// coordinate (16 600 at `L = 24`, α = 10⁻³); a smaller α would make it practically endless
    /// (and `1 + α` rounds to 1 below 10⁻¹⁶, an endless loop).
    public static let minimumAlpha = 1e-3

    /// - Throws: `NumericsError` for α not finite or below ``minimumAlpha``, a domain per
    ///   coordinate missing or too narrow for `2^levels` leaves, bad levels, or non-finite data.
    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, budget: PrivacyBudget, alpha: Double = 0.1,
                             relation: NeighbourRelation = .addRemove,
                             using generator: inout some RandomNumberGenerator) throws -> PrivateL1Distance {
        try ReleaseChecks.points(points, domains: domains, "private ℓ1 distances")
        guard alpha >= minimumAlpha, alpha.isFinite else {
            throw NumericsError.domain(function: "private ℓ1 distances", value: "α = \(alpha)", expected: "a finite α ≥ \(minimumAlpha)")
        }
        let share = 1 / Double(points.columns)
        let trees = try (0..<points.columns).map { j in
            try PrivateCountTree.build(values: points.column(j), domain: domains[j], levels: levels, budget: budget, share: share,
                                       relation: relation, using: &generator)
        }
        return PrivateL1Distance(trees: trees, alpha: alpha, budget: budget, securelyGenerated: NoiseSource.isSecure(generator))
    }

    /// ``build(points:domains:levels:budget:alpha:relation:using:)`` at pure ε.
    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, epsilon: Double, alpha: Double = 0.1,
                             relation: NeighbourRelation = .addRemove,
                             using generator: inout some RandomNumberGenerator) throws -> PrivateL1Distance {
        try build(points: points, domains: domains, levels: levels, budget: PrivacyBudget(epsilon: epsilon), alpha: alpha,
                  relation: relation, using: &generator)
    }

    /// Builds with noise from the operating system's secure generator.
    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, budget: PrivacyBudget, alpha: Double = 0.1,
                             relation: NeighbourRelation = .addRemove) throws -> PrivateL1Distance {
        var system = NoiseSource.secure
        return try build(points: points, domains: domains, levels: levels, budget: budget, alpha: alpha, relation: relation, using: &system)
    }

    /// Builds at pure ε with noise from the operating system's secure generator.
    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, epsilon: Double, alpha: Double = 0.1,
                             relation: NeighbourRelation = .addRemove) throws -> PrivateL1Distance {
        try build(points: points, domains: domains, levels: levels, budget: PrivacyBudget(epsilon: epsilon), alpha: alpha, relation: relation)
    }

    /// The estimate of `Σ_x ‖x − y‖₁`.
    public func sum(at y: [Double]) throws -> Double {
        try check(y)
        return zip(trees, y).reduce(0) { $0 + Self.rings(of: $1.0, at: $1.1, alpha: alpha).reduce(0) { $0 + $1.weight * Double($1.tree.count(leaves: $1.leaves)) } }
    }

    /// The standard deviation of the noise in ``sum(at:)`` (exact: rings use disjoint node sets).
    public func noiseStandardDeviation(at y: [Double]) throws -> Double {
        try check(y)
        var variance = 0.0
        for (tree, v) in zip(trees, y) {
            for ring in Self.rings(of: tree, at: v, alpha: alpha) {
                variance += ring.weight * ring.weight * pow(tree.noiseStandardDeviation(leaves: ring.leaves), 2)
            }
        }
        return variance.squareRoot()
    }

    private func check(_ y: [Double]) throws {
        guard y.count == trees.count else {
            throw NumericsError.dimensionMismatch(operation: "private ℓ1 distance query", seen: "a query of \(y.count) coordinates",
                                                  expected: "\(trees.count), as the structure")
        }
        guard y.allSatisfy(\.isFinite) else {
            throw NumericsError.domain(function: "private ℓ1 distance query", value: "\(y)", expected: "finite coordinates")
        }
    }

    /// The weighted leaf ranges of one coordinate's query: near zone and rings, tiling the
    /// leaves exactly once (floor-snapped boundaries).
    static func rings(of tree: PrivateCountTree, at y: Double, alpha: Double) -> [(tree: PrivateCountTree, leaves: Range<Int>, weight: Double)] {
        let leaves = 1 << tree.levels
        let r0 = tree.domain.width / Double(leaves)
        func boundary(_ v: Double) -> Int {
            let position = ((v - tree.domain.lower) / r0).rounded(.down)
            return Int(min(Double(leaves), max(0, position)))
        }
        let v = tree.domain.clamp(y)
        // A query outside the domain is |y − v| farther from every point than the clamped one:
        // that excess is added to every weight (the ranges tile all leaves, so this counts the
        // noisy n once, with exactly computable noise).
        let excess = abs(y - v)
        var out: [(tree: PrivateCountTree, leaves: Range<Int>, weight: Double)] = []
        let near = boundary(v - r0)..<boundary(v + r0)
        if !near.isEmpty { out.append((tree, near, r0 / 2 + excess)) }
        var r = r0
        while boundary(v + r) < leaves || boundary(v - r) > 0 {
            let next = r * (1 + alpha)
            let right = boundary(v + r)..<boundary(v + next), left = boundary(v - next)..<boundary(v - r)
            if !right.isEmpty { out.append((tree, right, r + excess)) }
            if !left.isEmpty { out.append((tree, left, r + excess)) }
            r = next
        }
        return out
    }

    /// The privacy statement of the release (composition over the coordinates).
    public var privacy: PrivacyStatement {
        let first = trees[0], d = trees.count
        let nodes = first.gaussianNoise
            ? "ρ/d = \(budget.rho! / Double(d)) per coordinate tree (zCDP adds over d = \(d)); discrete Gaussian of variance \(first.noiseScale) "
                + "on every node of levels 1…\(first.levels) (ℓ2² sensitivity \(first.relation.levelSensitivity * first.levels) per tree)"
            : "ε/d = \(budget.epsilon / Double(d)) per coordinate tree (basic composition over d = \(d)); discrete Laplace of scale "
                + "\(first.noiseScale) on every node of levels 1…\(first.levels) (ℓ1 sensitivity \(first.relation.levelSensitivity) per level)"
        return PrivacyStatement(budget: budget, relation: first.relation, securelyGenerated: securelyGenerated, accounting: nodes)
    }
}
