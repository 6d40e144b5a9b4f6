import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

/// Goodness of fit of the exact samplers (spec dp-kde.md §6.2). Every threshold is set for a
/// false-alarm rate of 1e-6 per check.
@Suite struct ExactNoiseTests {
    static let falseAlarm = 1e-6

    /// Pearson's χ² of integer draws against a pmf: bins `−K…K` with expected count ≥ 20, the
    /// rest in one tail bin; the statistic must stay below the χ² upper quantile at 1e-6.
    static func chiSquareFits(_ draws: [Int64], pmf: (Int64) -> Double) -> (statistic: Double, critical: Double) {
        let n = Double(draws.count)
        var k: Int64 = 0
        while pmf(k + 1) * n >= 20 { k += 1 }
        var counts = [Int64: Int](), tail = 0
        for x in draws { if abs(x) <= k { counts[x, default: 0] += 1 } else { tail += 1 } }
        var statistic = 0.0, inside = 0.0
        for x in -k...k {
            let expected = pmf(x) * n
            inside += pmf(x)
            statistic += pow(Double(counts[x] ?? 0) - expected, 2) / expected
        }
        let tailExpected = (1 - inside) * n
        if tailExpected >= 5 { statistic += pow(Double(tail) - tailExpected, 2) / tailExpected }
        let dof = Double(2 * k + (tailExpected >= 5 ? 1 : 0))
        return (statistic, Gamma.chiSquared(degreesOfFreedom: dof).upperQuantile(falseAlarm))
    }

    @Test(arguments: [(0, 1), (3, 10), (1, 1), (5, 2)] as [(UInt64, UInt64)])
    func bernoulliExpMinus(a: UInt64, b: UInt64) throws {
        var rng = RandomStream(seed: a * 31 + b)
        let n = 100_000
        let hits = (0..<n).filter { _ in ExactNoise.bernoulliExpMinus(a, over: b, using: &rng) }.count
        let interval = try ConcentrationBounds.clopperPearson(successes: hits, trials: n, failureProbability: Self.falseAlarm)
        #expect(interval.contains(exp(-Double(a) / Double(b))), "γ = \(a)/\(b): \(hits) of \(n)")
    }

    /// Discrete Laplace at scales 0.5, 1, 3.7 and 140: χ² fit, symmetry through the fit, and
    /// the spec's variance 39199.8 at b = 140.
    @Test(arguments: [0.5, 1, 3.7, 140])
    func discreteLaplaceFits(scale: Double) throws {
        let (t, s) = try ExactNoise.rationalScale(scale)
        #expect(Double(t) / Double(s) >= scale)
        var rng = RandomStream(seed: UInt64(scale * 10))
        let draws = (0..<100_000).map { _ in ExactNoise.discreteLaplace(scale: t, over: s, using: &rng) }
        let q = exp(-Double(s) / Double(t))
        let fit = Self.chiSquareFits(draws) { (1 - q) / (1 + q) * pow(q, Double(abs($0))) }
        #expect(fit.statistic < fit.critical, "scale \(scale): χ² \(fit.statistic) ≥ \(fit.critical)")
        if scale == 140 {
            let variance = 2 * q / pow(1 - q, 2)
            #expect(abs(variance - 39199.8) < 0.1)
            // The sample variance's standard error is about √(μ₄ − σ⁴)/√n, μ₄ ≈ 6σ⁴ for a
            // (discrete) Laplace; z = 4.89 is the normal two-sided 1e-6 point.
            let mean = draws.reduce(0.0) { $0 + Double($1) } / 1e5
            let sample = draws.reduce(0.0) { $0 + pow(Double($1) - mean, 2) } / (1e5 - 1)
            #expect(abs(sample - variance) < 4.89 * (5.0).squareRoot() * variance / (1e5).squareRoot())
        }
    }

    /// Discrete Gaussian for σ² = 1/2, 2 and 21/2: χ² fit against exp(−y²/2σ²), normalized.
    @Test(arguments: [(1, 2), (2, 1), (21, 2)] as [(UInt64, UInt64)])
    func discreteGaussianFits(n: UInt64, d: UInt64) {
        var rng = RandomStream(seed: n * 7 + d)
        let sigma2 = Double(n) / Double(d)
        let draws = (0..<100_000).map { _ in ExactNoise.discreteGaussian(varianceNumerator: n, denominator: d, using: &rng) }
        let normalizer = (-200...200).reduce(0.0) { $0 + exp(-Double($1 * $1) / (2 * sigma2)) }
        let fit = Self.chiSquareFits(draws) { exp(-Double($0 * $0) / (2 * sigma2)) / normalizer }
        #expect(fit.statistic < fit.critical, "σ² = \(sigma2): χ² \(fit.statistic) ≥ \(fit.critical)")
    }

    /// At the top of the exact range (σ² = 2⁴⁰ through `rationalVariance`) the sample variance
    /// of 20 000 draws is σ² within z = 4.89 (false alarm 1e-6) times its standard error √(2/n).
    @Test func discreteGaussianLargeVariance() throws {
        let (n, d) = try ExactNoise.rationalVariance(Double(UInt64(1) << 40))
        #expect(Double(n) / Double(d) >= Double(UInt64(1) << 40) && n <= UInt64(1) << 44)
        var rng = RandomStream(seed: 11)
        let draws = (0..<20_000).map { _ in Double(ExactNoise.discreteGaussian(varianceNumerator: n, denominator: d, using: &rng)) }
        let variance = draws.reduce(0) { $0 + $1 * $1 } / 20_000
        #expect(abs(variance / Double(UInt64(1) << 40) - 1) < 4.89 * (2.0 / 20_000).squareRoot(), "\(variance)")
        #expect(throws: NumericsError.self) { try ExactNoise.rationalVariance(Double(UInt64(1) << 45)) }
        #expect(abs(ExactNoise.discreteGaussianVariance(0.5) - 0.498979) < 1e-6)   // Σ y²e^{−y²}/Σ e^{−y²}, by hand
    }

    @Test func rejectsBadScales() {
        #expect(throws: NumericsError.self) { try ExactNoise.rationalScale(0) }
        #expect(throws: NumericsError.self) { try ExactNoise.rationalScale(.infinity) }
        #expect(throws: NumericsError.self) { try ExactNoise.rationalScale(-1) }
    }
}

/// The buffered secure source refills across its 512-word buffer, never repeats a buffer, and
/// counts as secure; a seeded source is reproducible and does not.
@Test func noiseSources() {
    let secure = NoiseSource.secure
    let words = (0..<2000).map { _ in secure.next() }
    #expect(Set(words).count == 2000)                          // a repeat has probability < 2⁻⁴²
    #expect(NoiseSource.isSecure(secure) && NoiseSource.isSecure(SystemRandomNumberGenerator()))
    let a = NoiseSource.seeded(3), b = NoiseSource.seeded(3)
    #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    #expect(!NoiseSource.isSecure(a) && !NoiseSource.isSecure(RandomStream(seed: 1)))
}
