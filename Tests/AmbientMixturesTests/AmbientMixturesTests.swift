import Foundation
import SuretyNumerics
import Testing
@testable import AmbientMixtures

@Suite struct AmbientMixturesTests {
    /// Well-separated clean data (atoms ±3, weights 0.4/0.6, n = 20 000, s = 1): each atom's
    /// estimate has standard deviation ≈ 1/√(n·π_j) ≤ 0.011; the band is 4.89 of those (1e-6).
    @Test func emRecoversSeparatedAtoms() throws {
        let truth = try MixingDistribution(atoms: [[-3], [3]], weights: [0.4, 0.6])
        var rng = RandomStream(seed: 1)
        let sample = try truth.sample(noiseLevels: Array(repeating: 1, count: 20_000), using: &rng)
        let fit = try HeteroscedasticEM(k: 2).fit(sample, using: &rng)
        let error = MixtureMetrics.matchedError(fit.mixing, truth)
        #expect(error.atoms < 4.89 / (20_000 * 0.4).squareRoot(), "\(fit.mixing.atoms)")
        #expect(error.weights < 4.89 * (0.24 / 20_000).squareRoot())
        // In 5 dimensions, from the spectral initialization.
        let truth5 = try MixingDistribution(atoms: [[2, 0, 0, 0, 0], [-2, 1, 0, 0, 0], [0, -2, 1, 0, 0]], weights: [0.3, 0.3, 0.4])
        let sample5 = try truth5.sample(noiseLevels: Array(repeating: 1, count: 20_000), using: &rng)
        let fit5 = try HeteroscedasticEM(k: 3).fit(sample5, using: &rng)
        #expect(MixtureMetrics.matchedError(fit5.mixing, truth5).atoms < 4.89 * (5.0 / (20_000 * 0.3)).squareRoot() * 1.5)
    }

    /// The M-step is a precision-weighted mean: k = 1, x = (1, 3), s = (1, 2) gives
    /// (1 + 3/4)/(1 + 1/4) = 1.4 after one iteration, from any start.
    @Test func precisionWeightedMStep() throws {
        let sample = try NoisySample(dimension: 1, values: [1, 3], noiseLevels: [1, 2])
        var em = try HeteroscedasticEM(k: 1)
        em.maxIterations = 1
        let fit = try em.run(sample, atoms: [[-5]], weights: [1])
        #expect(abs(fit.mixing.atoms[0][0] - 1.4) < 1e-12)
    }

    /// W1 in 1-D against closed forms, and the transport solver against a matching.
    @Test func wasserstein() throws {
        let a = try MixingDistribution(atoms: [[0], [1]], weights: [0.5, 0.5])
        #expect(abs(MixtureMetrics.wasserstein1(a, try MixingDistribution(atoms: [[0.5]], weights: [1])) - 0.5) < 1e-12)
        #expect(abs(MixtureMetrics.wasserstein1(a, try MixingDistribution(atoms: [[0.3], [1.3]], weights: [0.5, 0.5])) - 0.3) < 1e-12)
        #expect(abs(MixtureMetrics.wasserstein1(a, try MixingDistribution(atoms: [[0], [1]], weights: [0.2, 0.8])) - 0.3) < 1e-12)
        let p = try MixingDistribution(atoms: [[0, 0], [3, 4]], weights: [0.5, 0.5])
        let q = try MixingDistribution(atoms: [[3, 4], [0, 1]], weights: [0.5, 0.5])
        #expect(abs(MixtureMetrics.wasserstein1(p, q) - 0.5) < 1e-12)         // match (0,0)→(0,1), (3,4)→(3,4)
        let r = try MixingDistribution(atoms: [[0, 0], [3, 4]], weights: [0.7, 0.3])
        #expect(abs(MixtureMetrics.wasserstein1(p, r) - 0.2 * 5) < 1e-12)     // 0.2 of mass moves 5
    }

    /// Treating noisy samples as clean biases EM: on the spec's 1-D mixture (±0.8, 0.4/0.6) with
    /// 10 % clean and 90 % noisy (σ = 1), the noise-ignoring fit's W1 is several times the
    /// heteroscedastic one's (3 repetitions each, N = 4 000).
    @Test func ignoringNoiseLevelsIsBiased() throws {
        let truth = try MixingDistribution(atoms: [[-0.8], [0.8]], weights: [0.4, 0.6])
        var simulation = try AmbientSimulation(mixing: truth, sigma: 1, total: 4_000, repetitions: 3)
        simulation.restarts = 1
        let rows = try simulation.run(seed: 3)
        let mix = rows.first { $0.condition.name.contains("clean +") }!, ignored = rows.first { $0.condition.ignoreNoiseLevels }!
        #expect(ignored.meanW1 > 3 * mix.meanW1 && ignored.meanW1 > 0.2, "ignored \(ignored.meanW1) vs \(mix.meanW1)")
    }
}

/// The price fit recovers a known law: err = 2·(n_c + 0.3·n_n)^(−0.5) on the default grid.
@Test func priceFitRecoversAKnownLaw() {
    var points: [(clean: Double, noisy: Double, error: Double)] = []
    for c in [500.0, 1000, 2000, 4000] { for n in [0.0, 2000, 8000, 32000] { points.append((c, n, 2 * pow(c + 0.3 * n, -0.5))) } }
    let fit = PriceOfNoise.fit(points)
    #expect(abs(fit.price - 0.3) < 1e-4 && abs(fit.exponent - 0.5) < 1e-6 && abs(fit.scale - 2) < 1e-4, "\(fit)")
}

/// The price is as well conditioned as the data: moving every measured error by one unit in
/// the last place (what another CPU's BLAS kernels do to them) moves the fitted price, exponent
/// and scale by at most 10⁻¹² relative — 10⁶ times inside the certificates' fitted tolerance.
/// (Refining by comparisons of RSS values, as before, moved the price by 2·10⁻⁸ under the same
/// perturbation: a flat minimum locates its minimiser only to the square root of the rounding.)
@Test func priceFitIsWellConditioned() {
    var points: [(clean: Double, noisy: Double, error: Double)] = []
    var rng = RandomStream(seed: 3)
    for c in [500.0, 1000, 2000, 4000] {
        for n in [0.0, 2000, 8000, 32000] { points.append((c, n, 2 * pow(c + 0.2 * n, -0.5) * exp(0.1 * Normal.standard.sample(using: &rng)))) }
    }
    let base = PriceOfNoise.fit(points)
    for trial in 0..<20 {
        let moved = points.enumerated().map { i, p in (p.clean, p.noisy, (i + trial) % 2 == 0 ? p.error.nextUp : p.error.nextDown) }
        let fit = PriceOfNoise.fit(moved)
        for (a, b) in [(fit.price, base.price), (fit.exponent, base.exponent), (fit.scale, base.scale)] {
            #expect(abs(a - b) <= 1e-12 * abs(b), "trial \(trial): \(fit) against \(base)")
        }
    }
}

/// Measured iso-error curves: on a grid whose errors follow 2·(n_c + 0.25·n_n)^(−½), the
/// interpolated noisy counts at W1 = 0.03 sit within the interpolation's error of the exact
/// (4/0.03² − n_c)/0.25 (at most 3.3 % on this grid, computed beside the code: tolerance 4 %); 0 where the clean samples suffice
/// (4 000 clean give 0.0316 ≤ 0.05) and nil beyond the grid (W1 = 0.02 needs 38 000 noisy
/// samples besides 500 clean).
@Test func isoErrorCurvesFromTheGrid() {
    var cells: [AmbientSweep.Cell] = []
    for c in [500, 1000, 2000, 4000] { for n in [0, 2000, 8000, 32000] { cells.append(.init(clean: c, noisy: n, meanW1: 2 * pow(Double(c) + 0.25 * Double(n), -0.5))) } }
    let curve = AmbientSweep.isoErrorCurve(cells, target: 0.03)
    #expect(curve.map(\.clean) == [500, 1000, 2000, 4000])
    for point in curve {
        let exact = (4 / (0.03 * 0.03) - Double(point.clean)) / 0.25
        #expect(point.noisy.map { abs($0 - exact) / exact < 0.04 } == true, "\(point) vs \(exact)")
    }
    #expect(AmbientSweep.isoErrorCurve(cells, target: 0.02).first?.noisy == nil)
    #expect(AmbientSweep.isoErrorCurve(cells, target: 0.05).last?.noisy == 0)
}

/// The bootstrap interval of the price: with identical repetitions it collapses onto the
/// point fit; with noisy ones (log-normal, s.d. 0.3, 20 per cell) it has positive width and
/// holds the point fit.
@Test func priceIntervalByBootstrap() {
    func grid(_ noise: (Int) -> Double) -> [AmbientSweep.Cell] {
        var cells: [AmbientSweep.Cell] = [], index = 0
        for c in [500, 1000, 2000, 4000] {
            for n in [0, 2000, 8000, 32000] {
                let law = 2 * pow(Double(c) + 0.3 * Double(n), -0.5)
                let values = (0..<20).map { r -> Double in index += 1; return law * exp(noise(index * 20 + r)) }
                cells.append(.init(clean: c, noisy: n, meanW1: values.reduce(0, +) / 20, w1Values: values))
            }
        }
        return cells
    }
    let exact = grid { _ in 0 }
    let point = PriceOfNoise.fit(exact.map { (Double($0.clean), Double($0.noisy), $0.meanW1) }).price
    let flat = AmbientSweep.priceInterval(exact, seed: 1)!
    #expect(abs(flat.lower - point) < 1e-9 && abs(flat.upper - point) < 1e-9)
    var rng = RandomStream(seed: 5)
    let draws = Normal(mean: 0, standardDeviation: 0.3).samples(count: 16 * 20 * 21 + 400, using: &rng)
    let noisy = grid { draws[$0] }
    let fit = PriceOfNoise.fit(noisy.map { (Double($0.clean), Double($0.noisy), $0.meanW1) }).price
    let interval = AmbientSweep.priceInterval(noisy, seed: 1)!
    #expect(interval.lower < fit && fit < interval.upper, "\(interval) vs \(fit)")
}

/// The moment estimator: exact moments give back the mixture (Golub–Welsch on a known
/// sequence), and on 200 000 samples with mixed noise levels (s = 1 and √2) it lands within
/// W1 0.05 of the ±0.8 mixture (the rate is n^{−1/6}: a loose, not a tight, band).
@Test func momentEstimator() throws {
    let truth = try MixingDistribution(atoms: [[-0.8], [0.8]], weights: [0.4, 0.6])
    let exact = try MomentEstimator.fit(moments: [0.16, 0.64, 0.1024])          // E U, E U², E U³
    #expect(MixtureMetrics.wasserstein1(exact, truth) < 1e-12, "\(exact.atoms) \(exact.weights)")
    var rng = RandomStream(seed: 9)
    let levels = (0..<200_000).map { $0 % 2 == 0 ? 1.0 : 2.0.squareRoot() }
    let sample = try truth.sample(noiseLevels: levels, using: &rng)
    let m = try MomentEstimator.moments(sample, k: 2)
    #expect(abs(m[0] - 0.16) < 0.02 && abs(m[1] - 0.64) < 0.03)       // E U = 0.16, E U² = 0.64
    let fit = try MomentEstimator.fit(sample, k: 2)
    #expect(MixtureMetrics.wasserstein1(fit, truth) < 0.05, "\(fit.atoms) \(fit.weights)")
}

/// The Monte Carlo clean-density distances agree with the 1-D quadrature within 4.89 of their
/// standard errors (two-sided 1e-6 under the CLT), and are exactly 0 between identical
/// mixtures in 3 dimensions.
@Test func monteCarloCleanDensityDistances() throws {
    let p = try MixingDistribution(atoms: [[-0.8], [0.8]], weights: [0.4, 0.6])
    let q = try MixingDistribution(atoms: [[-0.5], [1.1]], weights: [0.5, 0.5])
    var rng = RandomStream(seed: 77)
    let mc = try MixtureMetrics.cleanDensityDistances(truth: p, estimate: q, samples: 20_000, using: &rng)
    let exact = MixtureMetrics.cleanDensityDistances(q, p)
    #expect(abs(mc.totalVariation - exact.totalVariation) < 4.89 * mc.totalVariationError, "\(mc) vs \(exact)")
    #expect(abs(mc.hellinger - exact.hellinger) < 4.89 * mc.hellingerError, "\(mc) vs \(exact)")
    let cube = try MixingDistribution(atoms: [[1, 0, 0], [0, 1, -1]], weights: [0.3, 0.7])
    let same = try MixtureMetrics.cleanDensityDistances(truth: cube, estimate: cube, samples: 1_000, using: &rng)
    #expect(same.totalVariation == 0 && same.hellinger == 0)
}

/// Clean-density distances: identical mixtures are at 0; a single atom shifted by δ against
/// itself has TV = 2Φ(δ/2) − 1 and Hellinger² = 1 − e^{−δ²/8} (unit noise); the held-out
/// likelihood of one atom at 0 for the point 0 is −½ ln(2π).
@Test func cleanDensityDistances() throws {
    let a = try MixingDistribution(atoms: [[0]], weights: [1]), b = try MixingDistribution(atoms: [[0.5]], weights: [1])
    let same = MixtureMetrics.cleanDensityDistances(a, a)
    #expect(same.totalVariation < 1e-12 && same.hellinger < 1e-6)
    let shifted = MixtureMetrics.cleanDensityDistances(a, b)
    #expect(abs(shifted.totalVariation - (2 * Normal.standard.cdf(0.25) - 1)) < 1e-6)     // the kink of |p − q| costs O(h²)
    #expect(abs(shifted.hellinger - (1 - exp(-0.25 / 8)).squareRoot()) < 1e-6)
    #expect(abs(MixtureMetrics.meanLogLikelihood(a, values: [0]) + 0.5 * log(2 * Double.pi)) < 1e-12)
}
