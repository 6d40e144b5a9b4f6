import Conformal
import Foundation
import SuretyNumerics
import Testing
@testable import COLEP

@Suite struct RandomizedSmoothingTests {
    /// Spec §3.1 test vectors: Clopper–Pearson at α_cert = 0.001 per side (total 0.002), then
    /// the Lipschitz shift Φ(Φ⁻¹(·) ∓ δ/σ).
    @Test(arguments: [(80_000, 100_000, 0.25, 0.5, 0.628412, 0.912389), (80_000, 100_000, 0.5, 0.5, 0.431582, 0.968246),
                      (950, 1000, 0.125, 0.25, 0.826356, 0.990932)])
    func specVectors(k: Int, n: Int, delta: Double, sigma: Double, lo: Double, hi: Double) throws {
        let smoothing = try RandomizedSmoothing(sigma: sigma, radius: delta)
        let interval = try RandomizedSmoothing.confidenceInterval(.votes(count: k, draws: n), failureProbability: 0.002)
        let shifted = smoothing.shifted(interval)
        #expect(abs(shifted.lowerBound - lo) < 5e-7 && abs(shifted.upperBound - hi) < 5e-7, "\(shifted)")
    }

    /// The box spends half the budget on the observation's interval and half on the clean
    /// point's Monte-Carlo deviation (exact binomial quantiles for votes, Hoeffding for means);
    /// exact estimates get the shift alone.
    @Test func boxComposition() throws {
        let smoothing = try RandomizedSmoothing(sigma: 0.5, radius: 0.25)
        let box = try smoothing.box(.votes(count: 800, draws: 1000), failureProbability: 0.002)
        let reach = smoothing.shifted(try RandomizedSmoothing.confidenceInterval(.votes(count: 800, draws: 1000), failureProbability: 0.001))
        // The ends are counts: the largest c with P(Bin(N, g̲) < c) ≤ 0.0005, the smallest with P(Bin(N, ḡ) > c) ≤ 0.0005.
        let low = Int((box.lowerBound * 1000).rounded()), high = Int((box.upperBound * 1000).rounded())
        #expect(try ExactBinomialTest.pValueAtLeast(rate: reach.lowerBound, events: low - 1, trials: 1000) <= 0.0005)
        #expect(try ExactBinomialTest.pValueAtLeast(rate: reach.lowerBound, events: low, trials: 1000) > 0.0005)
        #expect(try ExactBinomialTest.pValueAtMost(rate: reach.upperBound, events: high + 1, trials: 1000) <= 0.0005)
        #expect(try ExactBinomialTest.pValueAtMost(rate: reach.upperBound, events: high, trials: 1000) > 0.0005)
        // Tighter than Hoeffding's b = √(ln(2/0.001)/2000) on both sides.
        let b = (log(2 / 0.001) / 2000).squareRoot()
        #expect(box.lowerBound > reach.lowerBound - b && box.upperBound < reach.upperBound + b)
        // The example: 0 of 1000 votes, ε = 0.1, σ = 0.25, α_cert = 0.001: Hoeffding's
        // upper end was 0.087, the exact binomial one is 0.041.
        let zero = try RandomizedSmoothing(sigma: 0.25, radius: 0.1).box(.votes(count: 0, draws: 1000), failureProbability: 0.001)
        #expect(zero.lowerBound == 0 && abs(zero.upperBound - 0.041) < 0.0015, "\(zero)")
        // Hoeffding half-width of the spec (one-sided, β = 0.001): N = 256 → 0.116154.
        #expect(abs(try ConcentrationBounds.hoeffdingRadius(sampleSize: 256, failureProbability: 0.001, tails: .one) - 0.116154) < 5e-7)
        let exact = try smoothing.box(.exact(0.7), failureProbability: 0.002)
        let z = Normal.standard.quantile(0.7)
        #expect(abs(exact.lowerBound - Normal.standard.cdf(z - 0.5)) < 1e-15 && abs(exact.upperBound - Normal.standard.cdf(z + 0.5)) < 1e-15)
        let mean = try smoothing.box(.meanProbability(0.3, draws: 400), failureProbability: 0.002)
        let meanReach = smoothing.shifted(try RandomizedSmoothing.confidenceInterval(.meanProbability(0.3, draws: 400), failureProbability: 0.001))
        let meanB = (log(2 / 0.001) / 800).squareRoot()
        #expect(abs(mean.lowerBound - max(0, meanReach.lowerBound - meanB)) < 1e-15 && abs(mean.upperBound - min(1, meanReach.upperBound + meanB)) < 1e-15)
    }

    @Test func rejectsBadParameters() throws {
        #expect(throws: NumericsError.self) { try RandomizedSmoothing(sigma: 0, radius: 0.1) }
        #expect(throws: NumericsError.self) { try RandomizedSmoothing(sigma: 0.5, radius: -0.1) }
        let smoothing = try RandomizedSmoothing(sigma: 0.5, radius: 0.1)
        #expect(throws: NumericsError.self) { try smoothing.box(.votes(count: 5, draws: 10), failureProbability: 1) }
        #expect(throws: NumericsError.self) { try smoothing.box(.votes(count: 11, draws: 10), failureProbability: 0.001) }
        #expect(throws: NumericsError.self) { try smoothing.box(.votes(count: 0, draws: 0), failureProbability: 0.001) }
        #expect(throws: NumericsError.self) { try smoothing.box(.meanProbability(1.2, draws: 10), failureProbability: 0.001) }
        #expect(throws: NumericsError.self) { try smoothing.box(.exact(-0.1), failureProbability: 0.001) }
    }

    /// The allocation-free binary score is the Conformal library's score to the bit, and the
    /// range over an interval contains every score in it.
    @Test func binaryScoresAndRanges() {
        var rng = RandomStream(seed: 3)
        let scores: [ClassificationScore] = [.lac, .aps(randomized: false), .aps(randomized: true), .raps(lambda: 0.2, kReg: 1, randomized: true)]
        for score in scores {
            for _ in 0..<300 {
                let p = [0.5, 0.5.nextUp, 0.5.nextDown, 0, 1, rng.nextUniform()][rng.nextInt(below: 6)]
                let u = rng.nextUniform()
                for b in 0...1 {
                    #expect(score.binaryScore(p, label: b, u: u) == score.score(probabilities: [1 - p, p], label: b, u: u), "\(score) p \(p) b \(b)")
                }
                let a = rng.nextUniform(), c = rng.nextUniform()
                let interval = min(a, c)...max(a, c)
                for b in 0...1 {
                    let range = score.binaryRange(label: b, over: interval, u: u)
                    for t in 0...200 {
                        let q = interval.lowerBound + (interval.upperBound - interval.lowerBound) * Double(t) / 200
                        #expect(range.contains(score.binaryScore(q, label: b, u: u)))
                    }
                }
            }
        }
        // Spec §3.3 closed forms: best case of label 1 over a box straddling ½ is (1 − u)/2.
        let r = ClassificationScore.aps(randomized: true).binaryRange(label: 1, over: 0.4...0.7, u: 0.3)
        #expect(abs(r.lowerBound - 0.35) < 1e-12)
        #expect(abs(r.upperBound - (1 - 0.3 * 0.4)) < 1e-12)
    }
}

/// Falsification of the box claim (CLAIMS.md, `colep.certified-coverage`): the box around the
/// votes observed at x̃ contains the votes the clean input x would produce with probability at
/// least 1 − α_cert, for every x within the radius. The hardest x is the one the Lipschitz bound
/// is tight for — `g(x) = Φ(Φ⁻¹(g(x̃)) ∓ r/σ)` (a linear sensor attacked along its normal) —
/// with both vote counts drawn exactly. Rates at the edges (g near 0 or 1, where a normal
/// approximation fails), few and many draws, no shift and a large one. Each configuration
/// is 4 000 independent trials checked by an exact one-sided binomial test at false-alarm rate
/// 10⁻⁶ / configurations; α_cert = 0.02 so that a box that is too narrow shows.
@Suite struct SmoothingBoxFalsificationTests {
    @Test func boxesContainTheCleanEstimateAtTheirStatedRate() throws {
        let alphaCert = 0.02, trials = 4000
        let configurations: [(p: Double, draws: Int, shift: Double, side: Double)] = [
            (0.001, 50, 0.4, -1), (0.001, 1000, 0.4, 1), (0.5, 50, 0, 1), (0.5, 200, 2, -1), (0.5, 200, 2, 1),
            (0.99, 1000, 0.4, -1), (0.99, 50, 0.4, 1), (0.2, 1000, 0, -1), (0.8, 200, 0.4, 1), (0.05, 200, 1, -1),
        ]
        var rng = RandomStream(seed: 23)
        var tightest = 0.0
        for (p, draws, shift, side) in configurations {
            let smoothing = try RandomizedSmoothing(sigma: 1, radius: shift)
            let clean = Normal.standard.cdf(Normal.standard.quantile(p) + side * shift)
            var failures = 0
            for _ in 0..<trials {
                let observed = Binomial(trials: draws, probability: p).sample(using: &rng)
                let box = try smoothing.box(.votes(count: observed, draws: draws), failureProbability: alphaCert)
                let cleanEstimate = Double(Binomial(trials: draws, probability: clean).sample(using: &rng)) / Double(draws)
                if !box.contains(cleanEstimate) { failures += 1 }
            }
            tightest = max(tightest, Double(failures) / Double(trials))
            #expect(try !ExactBinomialTest.refutesAtMost(rate: alphaCert, events: failures, trials: trials, falseAlarm: 1e-6 / Double(configurations.count)),
                    "g(x̃) = \(p), N = \(draws), r/σ = \(shift), side \(side): \(failures) of \(trials) boxes missed")
        }
        print("largest observed box failure rate \(tightest) at α_cert = \(alphaCert)")
    }
}
