import Foundation
import SuretyNumerics

/// ε-DP Gaussian kernel sums `Σ_x exp(−‖x − y‖²/h²)` by random Fourier features (Rahimi and
/// Recht 2007; the mechanism of Wagner, Naamad, Mishra, ICML 2023, used by Backurs et al.,
/// ICLR 2024, §7; spec dp-kde.md §2.7).
///
/// Features `φ_j(x) = √2 cos(ω_jᵀx + β_j)`, `ω_j ~ N(0, (2/h²) I)`, `β_j ~ U[0, 2π)`, are
/// public random parameters (data-independent). Each point's feature vector is **discretized**
/// before summing: `c_j(x) = round(φ_j(x)·2^q)`, integers with `|c_j| ≤ K = ⌈√2·2^q⌉`, summed
/// exactly in 64-bit integers (order-independent, no floating-point sensitivity surprises,
/// Casacuberta et al. CCS 2022). One point changes the integer sum vector by at most `m·K` in
/// ℓ1 (`2·m·K` replace-one), and exact discrete Laplace noise of scale `m·K/ε` (rounded up)
/// makes the release ε-DP. The rounding is part of the mechanism, so the sensitivity accounts
/// for it; it only costs accuracy (`≤ 2^{−q−1}` per feature and point).
///
/// Under add/remove the number of points is private: a share `countShare` of ε releases a
/// noisy count (discrete Laplace, sensitivity 1) for averages; under replace-one `n` is
/// public and the whole budget goes to the features.
public struct PrivateGaussianKDE: Sendable {
    public let bandwidth: Double
    /// `ω_j` as a `d × m` matrix and `β_j`.
    public let frequencies: Matrix
    public let phases: [Double]
    /// The released noisy feature sums `S̃_j` (real units).
    public let noisyFeatureSums: [Double]
    /// The noisy (or, replace-one, exact public) number of points.
    public let count: Double
    public let epsilon: Double
    public let relation: NeighbourRelation
    /// Variance of the noise on each `S̃_j` (real units).
    public let featureNoiseVariance: Double
    /// Variance of the noise on `count` (0 when public).
    public let countNoiseVariance: Double
    /// Whether the noise came from the operating system's secure generator (a seeded
    /// generator is for tests: the release is then not private, and its file says so).
    public let securelyGenerated: Bool

    /// Fixed-point bits of the discretization.
    public static let fractionBits = 20

    /// - Parameters:
    ///   - features: `m`, the number of random features.
    ///   - parameterGenerator: draws the public random features (any generator: they are not noise).
    ///   - noiseGenerator: draws the privacy noise — `SystemRandomNumberGenerator` for privacy.
    /// - Throws: `NumericsError` for `ε ≤ 0`, `h ≤ 0`, `m < 1`, a count share outside (0, 1), or non-finite data.
    public static func build(points: Matrix, bandwidth h: Double, features m: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove, countShare: Double = 0.1,
                             parameterGenerator: inout some RandomNumberGenerator,
                             noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateGaussianKDE {
        try ReleaseChecks.epsilon(epsilon, "private Gaussian KDE")
        guard h > 0, h.isFinite else {
            throw NumericsError.domain(function: "private Gaussian KDE", value: "bandwidth \(h)", expected: "a finite bandwidth > 0")
        }
        guard m >= 1 else { throw NumericsError.domain(function: "private Gaussian KDE", value: "\(m) features", expected: "at least 1") }
        guard countShare > 0, countShare < 1 else {
            throw NumericsError.domain(function: "private Gaussian KDE", value: "count share \(countShare)", expected: "0 < share < 1")
        }
        try ReleaseChecks.points(points, "private Gaussian KDE")
        let d = points.columns
        let omega = try Matrix(rows: d, columns: m, columnMajor: (0..<(d * m)).map { _ in
            Normal(mean: 0, standardDeviation: (2.0).squareRoot() / h).sample(using: &parameterGenerator)
        })
        let beta = (0..<m).map { _ in 2 * Double.pi * parameterGenerator.nextUniform() }

        // Exact integer feature sums.
        let scale = Double(1 << fractionBits)
        let projections = points * omega                     // n × m
        var sums = [Int64](repeating: 0, count: m)
        for j in 0..<m {
            for i in 0..<points.rows {
                sums[j] += Int64((2.0.squareRoot() * cos(projections[i, j] + beta[j]) * scale).rounded())
            }
        }
        let bound = (2.0.squareRoot() * scale).rounded(.up)          // K
        let featureEpsilon = relation == .addRemove ? epsilon * (1 - countShare) : epsilon
        let sensitivity = Double(m) * bound * Double(relation.levelSensitivity)
        let (t, s) = try ExactNoise.rationalScale(sensitivity / featureEpsilon)
        let released = sums.map { Double($0 + ExactNoise.discreteLaplace(scale: t, over: s, using: &noiseGenerator)) / scale }
        let featureVariance = ExactNoise.discreteLaplaceVariance(scale: t, over: s) / (scale * scale)

        var count = Double(points.rows), countVariance = 0.0
        if relation == .addRemove {
            let (ct, cs) = try ExactNoise.rationalScale(1 / (epsilon * countShare))
            count += Double(ExactNoise.discreteLaplace(scale: ct, over: cs, using: &noiseGenerator))
            countVariance = ExactNoise.discreteLaplaceVariance(scale: ct, over: cs)
        }
        return PrivateGaussianKDE(bandwidth: h, frequencies: omega, phases: beta, noisyFeatureSums: released, count: count,
                                  epsilon: epsilon, relation: relation, featureNoiseVariance: featureVariance, countNoiseVariance: countVariance,
                                  securelyGenerated: noiseGenerator is SystemRandomNumberGenerator)
    }

    /// Builds with privacy noise from the operating system's secure generator (the random
    /// features from `parameterGenerator`, which may be seeded: they are public).
    public static func build(points: Matrix, bandwidth h: Double, features m: Int, epsilon: Double,
                             relation: NeighbourRelation = .addRemove, countShare: Double = 0.1,
                             parameterGenerator: inout some RandomNumberGenerator) throws -> PrivateGaussianKDE {
        var system = SystemRandomNumberGenerator()
        return try build(points: points, bandwidth: h, features: m, epsilon: epsilon, relation: relation, countShare: countShare,
                         parameterGenerator: &parameterGenerator, noiseGenerator: &system)
    }

    /// For each query row: the estimated kernel sum `F̂(y) = (1/m) Σ_j φ_j(y)·S̃_j` and the
    /// standard deviation of its privacy noise, `√(Σ_j φ_j(y)² · Var)/m` (an a-priori error bar;
    /// the random-feature approximation adds about `n/√m` more).
    public func sums(at queries: Matrix) throws -> [(estimate: Double, noiseStandardDeviation: Double)] {
        guard queries.columns == frequencies.rows else {
            throw NumericsError.dimensionMismatch(operation: "private KDE query", seen: "queries with \(queries.columns) coordinates",
                                                  expected: "\(frequencies.rows), as the structure")
        }
        let m = Double(phases.count)
        let projections = queries * frequencies
        return (0..<queries.rows).map { i in
            var estimate = 0.0, weight = 0.0
            for j in phases.indices {
                let phi = 2.0.squareRoot() * cos(projections[i, j] + phases[j])
                estimate += phi * noisyFeatureSums[j]
                weight += phi * phi
            }
            return (estimate / m, (weight * featureNoiseVariance).squareRoot() / m)
        }
    }
}
