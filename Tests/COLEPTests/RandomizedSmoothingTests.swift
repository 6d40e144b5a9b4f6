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
        let smoothing = try RandomizedSmoothing(sigma: sigma, radius: delta, failureProbability: 0.002)
        let interval = try RandomizedSmoothing.confidenceInterval(.votes(count: k, draws: n), failureProbability: 0.002)
        let shifted = smoothing.shifted(interval)
        #expect(abs(shifted.lowerBound - lo) < 5e-7 && abs(shifted.upperBound - hi) < 5e-7, "\(shifted)")
    }

    /// The box spends half the budget on the observation's interval and half on the clean
    /// point's Monte-Carlo deviation; exact estimates get the shift alone.
    @Test func boxComposition() throws {
        let smoothing = try RandomizedSmoothing(sigma: 0.5, radius: 0.25, failureProbability: 0.002)
        let box = try smoothing.box(.votes(count: 800, draws: 1000))
        let reach = smoothing.shifted(try RandomizedSmoothing.confidenceInterval(.votes(count: 800, draws: 1000), failureProbability: 0.001))
        let b = (log(2 / 0.001) / 2000).squareRoot()
        #expect(abs(box.lowerBound - (reach.lowerBound - b)) < 1e-15 && abs(box.upperBound - min(1, reach.upperBound + b)) < 1e-15)
        // Hoeffding half-width of the spec (one-sided, β = 0.001): N = 256 → 0.116154.
        #expect(abs(try ConcentrationBounds.hoeffdingRadius(sampleSize: 256, failureProbability: 0.001, tails: .one) - 0.116154) < 5e-7)
        let exact = try smoothing.box(.exact(0.7))
        let z = Normal.standard.quantile(0.7)
        #expect(abs(exact.lowerBound - Normal.standard.cdf(z - 0.5)) < 1e-15 && abs(exact.upperBound - Normal.standard.cdf(z + 0.5)) < 1e-15)
        let mean = try smoothing.box(.meanProbability(0.3, draws: 400))
        #expect(mean.lowerBound < 0.3 && mean.upperBound > 0.3)
    }

    @Test func rejectsBadParameters() throws {
        #expect(throws: NumericsError.self) { try RandomizedSmoothing(sigma: 0, radius: 0.1) }
        #expect(throws: NumericsError.self) { try RandomizedSmoothing(sigma: 0.5, radius: -0.1) }
        #expect(throws: NumericsError.self) { try RandomizedSmoothing(sigma: 0.5, radius: 0.1, failureProbability: 1) }
        let smoothing = try RandomizedSmoothing(sigma: 0.5, radius: 0.1)
        #expect(throws: NumericsError.self) { try smoothing.box(.votes(count: 11, draws: 10)) }
        #expect(throws: NumericsError.self) { try smoothing.box(.votes(count: 0, draws: 0)) }
        #expect(throws: NumericsError.self) { try smoothing.box(.meanProbability(1.2, draws: 10)) }
        #expect(throws: NumericsError.self) { try smoothing.box(.exact(-0.1)) }
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
