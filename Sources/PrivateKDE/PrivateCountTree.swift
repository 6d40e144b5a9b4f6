import Foundation
import SuretyNumerics

/// A one-dimensional ε-differentially private count tree (Backurs, Lin, Mahabadi, Silwal,
/// Tarnawski, ICLR 2024, Algorithms 1–2; spec dp-kde.md §2.1).
///
/// The public interval is cut into `2^L` equal leaves; every node on levels `1…L` (level `ℓ`
/// has `2^ℓ` nodes) stores the number of values in its span plus exact discrete Laplace
/// noise of scale `b = Δ·L/ε`, where `Δ` is the per-level ℓ1 sensitivity of the neighbour
/// relation (one value lies in exactly one node per level). The released counts are
/// ε-DP by the Laplace mechanism on the vector of all node counts, whose ℓ1 sensitivity is
/// `Δ·L`; the scale is rounded up to a rational (never less noise than stated). With a zCDP
/// budget the nodes get discrete Gaussian noise instead, calibrated to the ℓ2² sensitivity
/// `Δ·L` (spec §1.4, §2.9). The structure holds only noisy counts and public parameters: no
/// values, no exact counts, no noise seed.
public struct PrivateCountTree: Sendable {
    public let domain: PublicInterval
    /// `L`: levels below the root; `2^L` leaves. Public (never derived from the data).
    public let levels: Int
    public let relation: NeighbourRelation
    /// Whether the node noise is discrete Gaussian (a zCDP release) rather than discrete Laplace.
    public let gaussianNoise: Bool
    /// The noise parameter actually used: the discrete Laplace scale (`t/s ≥ Δ·L/ε`) or the
    /// discrete Gaussian variance (`≥ Δ·L/(2ρ)`).
    public let noiseScale: Double
    /// `noisyCounts[ℓ − 1][k]`: node `k` of level `ℓ`.
    public let noisyCounts: [[Int64]]

    /// The noise variance of one node's count.
    public var nodeVariance: Double {
        gaussianNoise ? ExactNoise.discreteGaussianVariance(noiseScale) : ExactNoise.discreteLaplaceVariance(scale: noiseScale)
    }

    /// Builds an ε-DP tree (discrete Laplace). Values outside the domain are clamped into it.
    ///
    /// - Throws: `NumericsError.domain` for `ε ≤ 0`, `levels ∉ 1…24`, a domain too narrow for
    ///   its leaves, or a non-finite value.
    public static func build(values: [Double], domain: PublicInterval, levels: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove,
                             using generator: inout some RandomNumberGenerator) throws -> PrivateCountTree {
        try build(values: values, domain: domain, levels: levels, budget: PrivacyBudget(epsilon: epsilon), relation: relation,
                  using: &generator)
    }

    /// Builds the tree with noise from the operating system's secure generator.
    public static func build(values: [Double], domain: PublicInterval, levels: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove) throws -> PrivateCountTree {
        var system = NoiseSource.secure
        return try build(values: values, domain: domain, levels: levels, epsilon: epsilon, relation: relation, using: &system)
    }

    /// Builds a tree satisfying `share` of `budget`: pure ε (discrete Laplace of scale
    /// `Δ·L/(share·ε)`, the vector's ℓ1 sensitivity being `Δ·L`) or zCDP (discrete Gaussian
    /// of variance `Δ·L/(2·share·ρ)`: one value changes `L` nodes by 1 under add/remove and
    /// up to `2L` under replace-one, so the ℓ2² sensitivity is `Δ·L`; spec §2.9).
    ///
    /// `noiseMultiplier` scales the noise's standard deviation — below 1 the release is
    /// **not** private. It exists only so that the audit can show a broken mechanism is caught.
    static func build(values: [Double], domain: PublicInterval, levels: Int, budget: PrivacyBudget, share: Double = 1,
                      relation: NeighbourRelation, noiseMultiplier: Double = 1,
                      using generator: inout some RandomNumberGenerator) throws -> PrivateCountTree {
        guard (1...24).contains(levels) else {
            throw NumericsError.domain(function: "private count tree", value: "\(levels) levels", expected: "1 to 24 levels")
        }
        guard domain.allowsLeaves(levels: levels) else {
            throw NumericsError.domain(function: "private count tree", value: "domain [\(domain.lower), \(domain.upper)] with \(levels) levels",
                                       expected: "a domain wide enough for 2^\(levels) leaves of a normal floating-point width")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "private count tree", row: bad, column: 0, value: values[bad])
        }
        let counts = trueCounts(values: values, domain: domain, levels: levels)
        let sensitivity = Double(relation.levelSensitivity * levels)
        let broken = budget.isPure ? noiseMultiplier : noiseMultiplier * noiseMultiplier      // on the scale, or on σ²
        let released = try IntegerRelease.release(counts.flatMap { $0 }, budget: budget, share: share / broken,
                                                  l1Sensitivity: sensitivity, l2Sensitivity: sensitivity.squareRoot(), using: &generator)
        var noisy: [[Int64]] = [], k = 0
        for level in 1...levels {
            noisy.append(Array(released.values[k..<(k + (1 << level))]))
            k += 1 << level
        }
        return PrivateCountTree(domain: domain, levels: levels, relation: relation, gaussianNoise: !budget.isPure,
                                noiseScale: released.parameter, noisyCounts: noisy)
    }

    /// The exact node counts (levels `1…L`) — internal: never released.
    static func trueCounts(values: [Double], domain: PublicInterval, levels: Int) -> [[Int64]] {
        var counts = (1...levels).map { [Int64](repeating: 0, count: 1 << $0) }
        for v in values {
            let leaf = leafIndex(v, domain: domain, levels: levels)
            for level in 1...levels { counts[level - 1][leaf >> (levels - level)] += 1 }
        }
        return counts
    }

    /// The leaf holding `v` (clamped): `min(2^L − 1, ⌊(v − lo)/R · 2^L⌋)`.
    static func leafIndex(_ v: Double, domain: PublicInterval, levels: Int) -> Int {
        let position = (domain.clamp(v) - domain.lower) / domain.width * Double(1 << levels)
        return min((1 << levels) - 1, max(0, Int(position)))
    }

    public func leafIndex(_ v: Double) -> Int { Self.leafIndex(v, domain: domain, levels: levels) }

    /// The noisy number of values in leaves `range` (canonical decomposition: at most two
    /// nodes per level). Post-processing of the released counts: costs no privacy.
    public func count(leaves range: Range<Int>) -> Int64 {
        Self.canonicalNodes(range, levels: levels).reduce(0) { $0 + noisyCounts[$1.level - 1][$1.index] }
    }

    /// Standard deviation of the noise in ``count(leaves:)`` for `range`: `√(nodes · Var)`.
    public func noiseStandardDeviation(leaves range: Range<Int>) -> Double {
        (Double(Self.canonicalNodes(range, levels: levels).count) * nodeVariance).squareRoot()
    }

    /// The nodes (level ≥ 1, index) whose spans tile the leaf range exactly, fewest first.
    static func canonicalNodes(_ range: Range<Int>, levels: Int) -> [(level: Int, index: Int)] {
        var out: [(level: Int, index: Int)] = []
        func visit(level: Int, index: Int) {
            let span = 1 << (levels - level)
            let start = index * span, end = start + span
            if end <= range.lowerBound || start >= range.upperBound { return }
            if range.lowerBound <= start && end <= range.upperBound {
                out.append((level, index))
                return
            }
            visit(level: level + 1, index: 2 * index)
            visit(level: level + 1, index: 2 * index + 1)
        }
        guard !range.isEmpty else { return [] }
        visit(level: 1, index: 0)
        visit(level: 1, index: 1)
        return out
    }
}
