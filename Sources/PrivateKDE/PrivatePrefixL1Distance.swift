import Foundation
import SuretyNumerics

/// ε-DP sums of ℓ1 distances from prefix counts and prefix sums (the variant of Liu et al.,
/// arXiv 2409.01688; spec dp-kde.md §2.4): no ring approximation, exact in expectation up to
/// leaf snapping, `O(L)` nodes per coordinate per query.
///
/// Per coordinate, every node of levels `1…L` stores a noisy count and a noisy sum of its
/// points' leaf centres. Leaf centres are `(2k + 1)·w/2` above the domain's lower end (`w` the
/// leaf width), so the sums are integers in units of `w/2` — exact integer arithmetic, with
/// per-level sensitivity `Δ` for counts and `Δ·(2^{L+1} − 1)` for sums. Each coordinate's
/// budget `ε/d` is split evenly between the two, each with exact discrete Laplace noise.
/// A query uses the prefix `[0, b)` and the suffix `[b, 2^L)` of leaves around `y`:
/// `Σ|x − y| ≈ (y′·C_< − S_<) + (S_≥ − y′·C_≥)`, `y′ = y − lower` — disjoint node sets, so the
/// noise variance is exact.
public struct PrivatePrefixL1Distance: Sendable {
    public struct Coordinate: Sendable {
        public let domain: PublicInterval
        /// `counts[ℓ − 1][k]`, `sums[ℓ − 1][k]` (sums in units of half a leaf width).
        public let counts: [[Int64]]
        public let sums: [[Int64]]
    }

    public let coordinates: [Coordinate]
    public let levels: Int
    public let epsilon: Double
    public let relation: NeighbourRelation
    /// Discrete Laplace variances of one node's count and sum (integer units).
    public let countVariance: Double
    public let sumVariance: Double
    /// Whether the noise came from the operating system's secure generator.
    public let securelyGenerated: Bool

    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove,
                             using generator: inout some RandomNumberGenerator) throws -> PrivatePrefixL1Distance {
        try ReleaseChecks.points(points, domains: domains, "private prefix ℓ1 distances")
        try ReleaseChecks.epsilon(epsilon, "private prefix ℓ1 distances")
        guard (1...20).contains(levels) else {
            throw NumericsError.domain(function: "private prefix ℓ1 distances", value: "\(levels) levels", expected: "1 to 20 levels")
        }
        if let narrow = domains.first(where: { !$0.allowsLeaves(levels: levels) }) {
            throw NumericsError.domain(function: "private prefix ℓ1 distances", value: "domain [\(narrow.lower), \(narrow.upper)] with \(levels) levels",
                                       expected: "a domain wide enough for 2^\(levels) leaves of a normal floating-point width")
        }
        let half = epsilon / Double(points.columns) / 2
        let delta = Double(relation.levelSensitivity * levels)
        let (ct, cs) = try ExactNoise.rationalScale(delta / half)
        let (st, ss) = try ExactNoise.rationalScale(delta * Double((1 << (levels + 1)) - 1) / half)
        var coordinates: [Coordinate] = []
        for (j, domain) in domains.enumerated() {
            var counts = (1...levels).map { [Int64](repeating: 0, count: 1 << $0) }, sums = counts
            for i in 0..<points.rows {
                let leaf = PrivateCountTree.leafIndex(points[i, j], domain: domain, levels: levels)
                for level in 1...levels {
                    counts[level - 1][leaf >> (levels - level)] += 1
                    sums[level - 1][leaf >> (levels - level)] += Int64(2 * leaf + 1)
                }
            }
            for level in counts.indices {
                for k in counts[level].indices {
                    counts[level][k] += ExactNoise.discreteLaplace(scale: ct, over: cs, using: &generator)
                    sums[level][k] += ExactNoise.discreteLaplace(scale: st, over: ss, using: &generator)
                }
            }
            coordinates.append(Coordinate(domain: domain, counts: counts, sums: sums))
        }
        return PrivatePrefixL1Distance(coordinates: coordinates, levels: levels, epsilon: epsilon, relation: relation,
                                       countVariance: ExactNoise.discreteLaplaceVariance(scale: ct, over: cs),
                                       sumVariance: ExactNoise.discreteLaplaceVariance(scale: st, over: ss),
                                       securelyGenerated: NoiseSource.isSecure(generator))
    }

    /// The estimate of `Σ_x ‖x − y‖₁` and the standard deviation of its noise.
    /// Builds with noise from the operating system's secure generator.
    public static func build(points: Matrix, domains: [PublicInterval], levels: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove) throws -> PrivatePrefixL1Distance {
        var system = NoiseSource.secure
        return try build(points: points, domains: domains, levels: levels, epsilon: epsilon, relation: relation, using: &system)
    }

    public func sum(at y: [Double]) throws -> (estimate: Double, noiseStandardDeviation: Double) {
        guard y.count == coordinates.count, y.allSatisfy(\.isFinite) else {
            throw NumericsError.dimensionMismatch(operation: "private prefix ℓ1 query", seen: "a query of \(y.count) coordinates",
                                                  expected: "\(coordinates.count) finite coordinates")
        }
        let leaves = 1 << levels
        var estimate = 0.0, variance = 0.0
        for (c, value) in zip(coordinates, y) {
            let w = c.domain.width / Double(leaves), unit = w / 2
            let v = c.domain.clamp(value), excess = abs(value - v), offset = v - c.domain.lower
            let b = Int(min(Double(leaves), max(0, (offset / w).rounded(.down))))
            func total(_ range: Range<Int>) -> (count: Double, sum: Double, nodes: Double) {
                let nodes = PrivateCountTree.canonicalNodes(range, levels: levels)
                return (Double(nodes.reduce(Int64(0)) { $0 + c.counts[$1.level - 1][$1.index] }),
                        Double(nodes.reduce(Int64(0)) { $0 + c.sums[$1.level - 1][$1.index] }) * unit, Double(nodes.count))
            }
            let below = total(0..<b), above = total(b..<leaves)
            estimate += (offset * below.count - below.sum) + (above.sum - offset * above.count) + excess * (below.count + above.count)
            let weightBelow = offset + excess, weightAbove = offset - excess      // coefficients of the counts
            variance += below.nodes * (weightBelow * weightBelow * countVariance + unit * unit * sumVariance)
            variance += above.nodes * (weightAbove * weightAbove * countVariance + unit * unit * sumVariance)
        }
        return (estimate, variance.squareRoot())
    }

    /// The privacy statement of the release (pure ε; basic composition over coordinates and
    /// over the two halves of each coordinate's budget).
    public var privacy: PrivacyStatement {
        PrivacyStatement(budget: PrivacyBudget(checkedEpsilon: epsilon), relation: relation, securelyGenerated: securelyGenerated,
                         accounting: "per coordinate ε/d, half to the node counts (ℓ1 sensitivity \(relation.levelSensitivity) per level), "
                             + "half to the node sums of leaf centres (ℓ1 sensitivity \(relation.levelSensitivity)·(2^(L+1) − 1) per level), L = \(levels)")
    }
}
