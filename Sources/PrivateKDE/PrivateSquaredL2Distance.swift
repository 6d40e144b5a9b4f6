import Foundation
import SuretyNumerics

/// ε-DP sums of squared Euclidean distances, exactly in expectation and without a tree
/// (spec dp-kde.md §2.6): `Σ_x ‖x − y‖² = Σ‖x‖² − 2⟨Σx, y⟩ + n‖y‖²`, from noisy `Σx`,
/// `Σ‖x‖²` and (under add/remove) `n`.
///
/// Points are clamped to the public box; every contribution is rounded to a multiple of
/// `2⁻²⁰` and summed as (128-bit) integers, and each released quantity gets exact discrete Laplace noise
/// for its integer sensitivity (`Σ_i ⌈max(|lo_i|, |hi_i|)·2²⁰⌉` for the vector `Σx`,
/// `⌈Σ_i max(lo_i², hi_i²)·2²⁰⌉` for `Σ‖x‖²`, 1 for `n`; doubled for replace-one), with the
/// budget split evenly between them (`n` is public under replace-one).
public struct PrivateSquaredL2Distance: Sendable {
    public let sum: [Double]
    public let sumOfSquares: Double
    public let count: Double
    /// Noise variances (real units) of each `sum` coordinate, of `sumOfSquares`, of `count`.
    public let sumVariance: Double
    public let squaresVariance: Double
    public let countVariance: Double
    public let domains: [PublicInterval]
    public let epsilon: Double
    public let relation: NeighbourRelation
    /// Whether the noise came from the operating system's secure generator.
    public let securelyGenerated: Bool

    static let fractionBits = 20

    /// The largest contribution of one point, in units of `2⁻²⁰`, that the fixed-point sums accept:
    /// `2⁶²`, so that every point's rounded coordinates and squared norm convert to 64-bit
    /// integers exactly.
    static let contributionLimit = Double(Int64(1) << 62)

    /// Builds the release.
    ///
    /// Everything that can refuse a build is decided from the public parameters alone, before
    /// any point is read: the domain's fixed-point range (each coordinate's bound and the squared
    /// norm's bound times `2²⁰` at most ``contributionLimit``) and the noise scales (within the
    /// exact samplers' range). The points are then clamped to the domain and summed in 128-bit
    /// integers, which `n < 2⁶³` points of contributions below `2⁶²` cannot overflow. So a build
    /// that is refused is refused for every dataset with those parameters — the outcome says
    /// nothing about the values (a point at the domain's corner and one at its centre fare alike).
    ///
    /// - Throws: `NumericsError` for non-finite values, a domain count that is not the points'
    ///   dimension, `ε` not finite and positive, a domain too wide for the fixed-point sums, or
    ///   noise beyond the samplers' range (a larger ε or a narrower domain is needed).
    public static func build(points: Matrix, domains: [PublicInterval], epsilon: Double, relation: NeighbourRelation = .addRemove,
                             using generator: inout some RandomNumberGenerator) throws -> PrivateSquaredL2Distance {
        try ReleaseChecks.points(points, domains: domains, "private squared ℓ2 distances")
        try ReleaseChecks.epsilon(epsilon, "private squared ℓ2 distances")
        let unit = Double(1 << fractionBits), d = points.columns
        // Public checks first: the per-point bounds (in units) and the noise they call for.
        let coordinateBounds = domains.map { (max(abs($0.lower), abs($0.upper)) * unit).rounded(.up) }
        let squaresBound = (domains.reduce(0.0) { $0 + max($1.lower * $1.lower, $1.upper * $1.upper) } * unit).rounded(.up)
        guard let widest = coordinateBounds.max(), widest <= contributionLimit, squaresBound <= contributionLimit else {
            throw NumericsError.domain(function: "private squared ℓ2 distances",
                                       value: "a domain whose coordinates reach \(domains.map { max(abs($0.lower), abs($0.upper)) }.max() ?? 0) "
                                           + "and squared norms \(domains.reduce(0.0) { $0 + max($1.lower * $1.lower, $1.upper * $1.upper) })",
                                       expected: "bounds with |x_i| and ‖x‖² at most 2^42 (the sums are in units of 2^-20)")
        }
        let factor = Double(relation.levelSensitivity)
        let parts = relation == .addRemove ? 3.0 : 2.0
        let vectorSensitivity = factor * coordinateBounds.reduce(0, +)
        let squaresSensitivity = factor * squaresBound
        // Discrete Laplace parameters (t, s) for a sensitivity, and the noise variance.
        func scale(_ sensitivity: Double) throws -> (t: UInt64, s: UInt64, variance: Double) {
            let (t, s) = try ExactNoise.rationalScale(sensitivity * parts / epsilon)
            return (t, s, ExactNoise.discreteLaplaceVariance(scale: t, over: s))
        }
        let vectorNoise = try scale(vectorSensitivity), squaresNoise = try scale(squaresSensitivity)
        let countNoise = relation == .addRemove ? try scale(1) : nil
        // The data: clamped coordinates, each contribution rounded to an integer of at most 2⁶², summed in 128 bits.
        var sums = [Int128](repeating: 0, count: d), squares: Int128 = 0
        for i in 0..<points.rows {
            var norm = 0.0
            for j in 0..<d {
                let x = domains[j].clamp(points[i, j])
                sums[j] += Int128(Int64((x * unit).rounded()))
                norm += x * x
            }
            squares += Int128(Int64((norm * unit).rounded()))
        }
        func noisy(_ total: Int128, _ noise: (t: UInt64, s: UInt64, variance: Double)) -> Double {
            Double(total + Int128(ExactNoise.discreteLaplace(scale: noise.t, over: noise.s, using: &generator))) / unit
        }
        let released = sums.map { noisy($0, vectorNoise) }
        let releasedSquares = noisy(squares, squaresNoise)
        var count = Double(points.rows), countVariance = 0.0
        if let countNoise {
            count += Double(ExactNoise.discreteLaplace(scale: countNoise.t, over: countNoise.s, using: &generator))
            countVariance = countNoise.variance
        }
        return PrivateSquaredL2Distance(sum: released, sumOfSquares: releasedSquares, count: count,
                                        sumVariance: vectorNoise.variance / (unit * unit), squaresVariance: squaresNoise.variance / (unit * unit),
                                        countVariance: countVariance, domains: domains, epsilon: epsilon, relation: relation,
                                        securelyGenerated: NoiseSource.isSecure(generator))
    }

    /// The estimate of `Σ_x ‖x − y‖²` (for the clamped points) and its noise standard deviation.
    /// Builds with noise from the operating system's secure generator.
    public static func build(points: Matrix, domains: [PublicInterval], epsilon: Double,
                             relation: NeighbourRelation = .addRemove) throws -> PrivateSquaredL2Distance {
        var system = NoiseSource.secure
        return try build(points: points, domains: domains, epsilon: epsilon, relation: relation, using: &system)
    }

    public func sum(at y: [Double]) throws -> (estimate: Double, noiseStandardDeviation: Double) {
        guard y.count == sum.count, y.allSatisfy(\.isFinite) else {
            throw NumericsError.dimensionMismatch(operation: "private squared ℓ2 query", seen: "a query of \(y.count) coordinates",
                                                  expected: "\(sum.count) finite coordinates")
        }
        let dot = zip(sum, y).reduce(0.0) { $0 + $1.0 * $1.1 }, norm = y.reduce(0.0) { $0 + $1 * $1 }
        let estimate = sumOfSquares - 2 * dot + count * norm
        let variance = squaresVariance + 4 * norm * sumVariance + norm * norm * countVariance
        return (estimate, variance.squareRoot())
    }

    /// The privacy statement of the release (pure ε split evenly over Σx, Σ‖x‖² and, under
    /// add/remove, n).
    public var privacy: PrivacyStatement {
        PrivacyStatement(budget: PrivacyBudget(checkedEpsilon: epsilon), relation: relation, securelyGenerated: securelyGenerated,
                         accounting: relation == .addRemove ? "ε/3 each to Σx (clamped), Σ‖x‖² and the count" : "ε/2 each to Σx (clamped) and Σ‖x‖²; n public")
    }
}
