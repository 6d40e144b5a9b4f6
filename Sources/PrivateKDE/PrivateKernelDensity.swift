import Foundation
import SuretyNumerics

/// A differentially private kernel-density structure: noisy random-feature sums from which
/// `Σ_x k(x, y)` and the average similarity can be estimated at any query `y`, for every
/// ``SimilarityKernel`` (the mechanism of Wagner, Naamad and Mishra, ICML 2023, used by
/// Backurs, Lin, Mahabadi, Silwal and Tarnawski, ICLR 2024, §7–9; spec dp-kde.md §2.7–2.8).
///
/// **Mechanism.** The released values are `S̃_j = Σ_x c_j(x) + Z_j`, where `c_j(x)` is the
/// feature `√2·cos(ω_jᵀx + β_j)` in fixed point (``KernelFeatureSums``) and `Z_j` is exact
/// integer noise. One point changes each sum by at most `K = ⌈√2·2^q⌉` units (`2K` under
/// replace-one), so the vector's ℓ1 sensitivity is `m·K` and its ℓ2 sensitivity `√m·K`; the
/// rounding is part of the mechanism, so its effect is inside these bounds. Pure ε: discrete
/// Laplace of scale `m·K/ε_f`; `(ε, δ)`: discrete Gaussian with `σ² = m·K²/(2ρ_f)`
/// (``PrivacyBudget``). `q` is 20 unless the noise would exceed the samplers' exact range,
/// in which case the sums are rounded to fewer bits first and the sensitivity becomes
/// `⌈K₂₀/2^{20−q}⌉ + 1` per coordinate (rounding moves a sum by at most one more unit).
///
/// **Count.** Under add/remove the number of points is private: a share `countShare` of ε
/// (or of ρ) releases a noisy count of sensitivity 1 for averages. Under replace-one `n` is
/// public and the whole budget goes to the sums.
///
/// **Error.** Per query, the noise on the sum has standard deviation `√(Σ_j φ_j(y)²·Var)/m`
/// (reported with each answer, a-priori: it does not depend on the data). The random-feature
/// approximation adds about `n·√(3/(2m))` (and the JL distortion with a projection), which the
/// noise's standard deviation does not include and which dominates at large ε, under zCDP or
/// with few features: each answer also carries an ``ExactInterval`` that covers the exact
/// kernel sum (or average) at a stated confidence, from data-independent bounds on both.
public struct PrivateKernelDensity: Sendable {
    public let features: RandomFeatures
    /// The released noisy sums `S̃_j`, in real units.
    public let noisySums: [Double]
    /// The noisy number of points (add/remove) or the exact public one (replace-one).
    public let count: Double
    /// Variance of the noise on each `S̃_j`, real units.
    public let sumNoiseVariance: Double
    /// Variance of the noise on `count` (0 when public).
    public let countNoiseVariance: Double
    /// Fixed-point bits of the released sums.
    public let fractionBits: Int
    public let privacy: PrivacyStatement

    /// One query's answer, the standard deviation of its privacy noise, and an interval for the
    /// exact value.
    public struct Estimate: Sendable, Hashable {
        public var value: Double
        /// The standard deviation of the privacy noise only: the random features' error, which
        /// can dominate (large ε, zCDP, few features), is not in it.
        public var noiseStandardDeviation: Double
        /// An interval that covers the exact kernel sum (or average) at its stated confidence,
        /// noise and random-feature error together (``ExactInterval``).
        public var exact: ExactInterval
    }

    /// Adds the noise to `statistics` once (the second half of a partial build, or of ``build``).
    ///
    /// - Parameters:
    ///   - countShare: the share of the budget for the noisy count under add/remove.
    ///   - noiseGenerator: `SystemRandomNumberGenerator` for privacy; anything else makes the
    ///     release "not private" in its header and certificate.
    /// - Throws: `NumericsError.domain` for an empty dataset or a count share outside (0, 1).
    ///   - allowEmpty: release even an empty dataset (a class with no rows in a classifier: its
    ///     release is pure noise). Off by default, since an empty input is usually a mistake.
    public static func release(_ statistics: KernelFeatureSums, budget: PrivacyBudget, relation: NeighbourRelation = .addRemove,
                               countShare: Double = 0.1, allowEmpty: Bool = false,
                               noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateKernelDensity {
        try release(statistics, budget: budget, relation: relation, countShare: countShare, allowEmpty: allowEmpty,
                    noiseMultiplier: 1, noiseGenerator: &noiseGenerator)
    }

    /// `noiseMultiplier` scales the sums' noise parameter — below 1 the release is **not**
    /// private. It exists only so that ``PrivacyAudit`` can show it catches a broken mechanism.
    static func release(_ statistics: KernelFeatureSums, budget: PrivacyBudget, relation: NeighbourRelation, countShare: Double,
                        allowEmpty: Bool, noiseMultiplier: Double,
                        noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateKernelDensity {
        guard statistics.count > 0 || allowEmpty else {
            throw NumericsError.domain(function: "private kernel density", value: "an empty dataset", expected: "at least one point")
        }
        guard countShare > 0, countShare < 1 else {
            throw NumericsError.domain(function: "private kernel density", value: "count share \(countShare)", expected: "0 < share < 1")
        }
        let m = Double(statistics.features.count)
        let featureShare = relation == .addRemove ? 1 - countShare : 1
        let full = KernelFeatureSums.fractionBits
        let bound = Double(KernelFeatureSums.contributionBound) * Double(relation.levelSensitivity)
        // The largest number of bits at which the noise stays in the samplers' exact range.
        func perCoordinate(_ q: Int) -> Double { q == full ? bound : (bound / Double(1 << (full - q))).rounded(.up) + 1 }
        func noise(_ q: Int) -> Double {
            IntegerRelease.parameter(budget: budget, share: featureShare, l1Sensitivity: m * perCoordinate(q),
                                     l2Sensitivity: m.squareRoot() * perCoordinate(q))
        }
        let limit = budget.isPure ? Double(UInt64(1) << 40) : Double(UInt64(1) << 44)
        guard let q = (0...full).reversed().first(where: { noise($0) <= limit }) else {
            throw NumericsError.domain(function: "private kernel density", value: "ε = \(budget.epsilon) with \(Int(m)) features",
                                       expected: "a larger ε or fewer features (the noise exceeds the exact samplers' range)")
        }
        let shift = Int64(full - q)
        // Round half up to units of 2^−q: ⌊x/2^s⌋ plus the bit below, the same as (x + 2^{s−1}) >> s
        // without the addition that could overflow.
        let rounded = shift == 0 ? statistics.sums : statistics.sums.map { ($0 >> shift) + (($0 >> (shift - 1)) & 1) }
        let broken = noiseMultiplier * (budget.isPure ? 1 : noiseMultiplier)       // Laplace scale, or Gaussian σ²
        let sums = try IntegerRelease.release(rounded, budget: budget, share: featureShare / broken, l1Sensitivity: m * perCoordinate(q),
                                              l2Sensitivity: m.squareRoot() * perCoordinate(q), using: &noiseGenerator)
        let unit = Double(1 << q)
        var count = Double(statistics.count), countVariance = 0.0
        var accounting = "sums: \(relation == .addRemove ? "\(featureShare) of the budget" : "the whole budget"), "
            + "\(budget.isPure ? "ℓ1 sensitivity \(Int64(m * perCoordinate(q)))" : "ℓ2 sensitivity \(m.squareRoot() * perCoordinate(q))") "
            + "in units of 2^-\(q); "
        if relation == .addRemove {
            let noisy = try IntegerRelease.release([Int64(statistics.count)], budget: budget, share: countShare, l1Sensitivity: 1,
                                                   l2Sensitivity: 1, using: &noiseGenerator)
            count = Double(noisy.values[0])
            countVariance = noisy.variance
            accounting += "count: \(countShare) of the budget, sensitivity 1"
        } else {
            accounting += "count: public under replace-one"
        }
        let statement = PrivacyStatement(budget: budget, relation: relation, securelyGenerated: NoiseSource.isSecure(noiseGenerator),
                                         accounting: accounting)
        return PrivateKernelDensity(features: statistics.features, noisySums: sums.values.map { Double($0) / unit }, count: count,
                                    sumNoiseVariance: sums.variance / (unit * unit), countNoiseVariance: countVariance,
                                    fractionBits: q, privacy: statement)
    }

    /// ``release(_:budget:relation:countShare:noiseGenerator:)`` with the operating system's secure generator.
    public static func release(_ statistics: KernelFeatureSums, budget: PrivacyBudget, relation: NeighbourRelation = .addRemove,
                               countShare: Double = 0.1) throws -> PrivateKernelDensity {
        var system = NoiseSource.secure
        return try release(statistics, budget: budget, relation: relation, countShare: countShare, noiseGenerator: &system)
    }

    /// Builds the structure from `points` in one step: the features from the public `seed`,
    /// the statistics, then the noise.
    public static func build(points: Matrix, kernel: SimilarityKernel = .gaussian, bandwidth: Double, features m: Int,
                             projectedDimension: Int? = nil, seed: UInt64, budget: PrivacyBudget,
                             relation: NeighbourRelation = .addRemove, countShare: Double = 0.1,
                             noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateKernelDensity {
        let features = try RandomFeatures(kernel: kernel, dimension: points.columns, bandwidth: bandwidth, features: m,
                                          projectedDimension: projectedDimension, seed: seed)
        var statistics = KernelFeatureSums(features: features)
        try statistics.add(points)
        return try release(statistics, budget: budget, relation: relation, countShare: countShare, noiseGenerator: &noiseGenerator)
    }

    /// ``build(points:kernel:bandwidth:features:projectedDimension:seed:budget:relation:countShare:noiseGenerator:)``
    /// with the operating system's secure generator.
    public static func build(points: Matrix, kernel: SimilarityKernel = .gaussian, bandwidth: Double, features m: Int,
                             projectedDimension: Int? = nil, seed: UInt64, budget: PrivacyBudget,
                             relation: NeighbourRelation = .addRemove, countShare: Double = 0.1) throws -> PrivateKernelDensity {
        var system = NoiseSource.secure
        return try build(points: points, kernel: kernel, bandwidth: bandwidth, features: m, projectedDimension: projectedDimension,
                         seed: seed, budget: budget, relation: relation, countShare: countShare, noiseGenerator: &system)
    }

    /// For each query row, the estimated kernel sum `F̂(y) = (1/m)·Σ_j φ_j(y)·S̃_j`, the
    /// standard deviation of its privacy noise, and an interval for the exact kernel sum at
    /// `confidence` (``ExactInterval``: the noise *and* the random features' error).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` for queries of another dimension;
    ///   `NumericsError.domain` for a confidence outside (0, 1).
    /// - Complexity: `O(q·(d·k + k·m))` for `q` queries (`k = d` without projection), plus
    ///   once per call an `O(1)` bound (`O(4000)` χ² tails with a projection).
    public func sums(at queries: Matrix, confidence: Double = 0.95) throws -> [Estimate] {
        try estimates(at: queries, confidence: confidence, average: false)
    }

    /// The average similarity `F̂(y)/ñ` per query (the noisy count floored at 1), with the
    /// delta-method standard deviation of the noise in both, and an interval for the exact
    /// average similarity `(1/n)·Σ_x k(x, y)` at `confidence` (``ExactInterval``).
    public func averages(at queries: Matrix, confidence: Double = 0.95) throws -> [Estimate] {
        try estimates(at: queries, confidence: confidence, average: true)
    }

    func estimates(at queries: Matrix, confidence: Double, average: Bool) throws -> [Estimate] {
        let budget = try intervalBudget(confidence: confidence)
        let rows = queries.rows, m = features.count
        let n = max(count, 1)
        var answers: [Estimate] = []
        answers.reserveCapacity(rows)
        let block = 4096
        for start in stride(from: 0, to: rows, by: block) {
            let range = start..<min(rows, start + block)
            let cosines = try features.cosines(of: try queries.rows(range))
            let r = range.count
            var values = [Double](repeating: 0, count: r), weights = [Double](repeating: 0, count: r)
            var largest = [Double](repeating: 0, count: r), absolute = [Double](repeating: 0, count: r)
            cosines.withUnsafeBufferPointer { c in
                for j in 0..<m {
                    let s = noisySums[j]
                    for i in 0..<r {
                        let cosine = c[j * r + i]
                        values[i] += cosine * s
                        weights[i] += cosine * cosine
                        largest[i] = max(largest[i], abs(cosine))
                        absolute[i] += abs(cosine * s)
                    }
                }
            }
            // φ = √2·cos: the estimate is (√2/m)·Σ cos·S̃, its variance (2/m²)·Σ cos²·Var.
            for i in 0..<r {
                let sum = 2.0.squareRoot() * values[i] / Double(m)
                let sd = (2 * weights[i] * sumNoiseVariance).squareRoot() / Double(m)
                let exact = exactInterval(sum: sum, cosineSquares: weights[i], largestCosine: largest[i],
                                          absoluteTerms: 2.0.squareRoot() * absolute[i] / Double(m), budget: budget, average: average)
                if average {
                    let variance = sd * sd / (n * n) + sum * sum * countNoiseVariance / (n * n * n * n)
                    answers.append(Estimate(value: sum / n, noiseStandardDeviation: variance.squareRoot(), exact: exact))
                } else {
                    answers.append(Estimate(value: sum, noiseStandardDeviation: sd, exact: exact))
                }
            }
        }
        return answers
    }
}
