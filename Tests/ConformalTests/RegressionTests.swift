import Foundation
import Testing
@testable import Conformal
import SuretyNumerics

@Suite struct RegressionTests {
    @Test func handExample() throws {
        // Residuals 1…19 (shuffled): k = 18 for α = 0.1, so q = 18.
        var shuffler = RandomStream(seed: 3)
        let targets = (1...19).map(Double.init).shuffled(using: &shuffler)
        let zeros = [Double](repeating: 0, count: 19)
        let model = try SplitConformalRegressor(score: .absoluteResidual, alpha: 0.1).calibrate(predictions: .point(zeros), targets: targets)
        #expect(model.threshold == 18)
        // Exactly the targets whose score |y − 5| rounds to at most 18: that includes the double
        // just below −13 (−13.000000000000002 − 5 rounds to −18), not the one just above 23.
        #expect(try model.predict(.point([5])) == [(-13.0).nextDown...23.0])
        let scaled = try SplitConformalRegressor(score: .normalizedResidual, alpha: 0.1)
            .calibrate(predictions: .normalized(point: zeros, scale: [Double](repeating: 2, count: 19)), targets: targets)
        #expect(scaled.threshold == 9)
        #expect(try scaled.predict(.normalized(point: [0], scale: [0.5])) == [(-4.5)...4.5])
        let cqr = try SplitConformalRegressor(score: .quantile, alpha: 0.1)
            .calibrate(predictions: .quantiles(lower: [Double](repeating: -1, count: 19), upper: [Double](repeating: 1, count: 19)), targets: targets)
        #expect(cqr.threshold == 17)  // scores y − 1 = 0…18
        #expect(try cqr.predict(.quantiles(lower: [0], upper: [2])) == [(-17.0)...19.0])
        let tiny = try SplitConformalRegressor(score: .absoluteResidual, alpha: 0.1).calibrate(predictions: .point([0, 0]), targets: [1, 2])
        #expect(try tiny.predict(.point([3])) == [-Double.infinity...Double.infinity])
    }

    @Test func rejectsBadInput() {
        let r = SplitConformalRegressor(score: .normalizedResidual, alpha: 0.1)
        #expect(throws: NumericsError.self) { try r.calibrate(predictions: .point([1]), targets: [1]) }
        #expect(throws: NumericsError.self) { try r.calibrate(predictions: .normalized(point: [1], scale: [0]), targets: [1]) }
        #expect(throws: NumericsError.self) { try r.calibrate(predictions: .normalized(point: [1], scale: [1]), targets: [.nan]) }
        #expect(throws: NumericsError.self) { try r.calibrate(predictions: .normalized(point: [1, 2], scale: [1]), targets: [1, 2]) }
    }

    @Test(arguments: [RegressionScore.absoluteResidual, .normalizedResidual, .quantile])
    func coverageLiesInItsTheoreticalBand(score: RegressionScore) throws {
        // Heteroscedastic data y = x + (0.5 + x)·ε, x ~ U(0, 1), ε ~ N(0, 1), with the true
        // model as predictor. Same band construction as the classifier test: n = 19, α = 0.1,
        // R repetitions of m test points, empirical Bernstein at false-alarm rate 1e-6.
        var rng = RandomStream(seed: 21)
        let n = 19, m = 20, reps = 3000, alpha = 0.1
        let z = Normal.standard.quantile(0.95)
        func draw(_ count: Int) -> (RegressionPredictions, [Double]) {
            let x = (0..<count).map { _ in rng.nextUniform() }
            let y = x.map { $0 + (0.5 + $0) * Normal.standard.sample(using: &rng) }
            switch score {
            case .absoluteResidual: return (.point(x), y)
            case .normalizedResidual: return (.normalized(point: x, scale: x.map { 0.5 + $0 }), y)
            case .quantile: return (.quantiles(lower: x.map { $0 - 0.8 * z * (0.5 + $0) }, upper: x.map { $0 + 0.8 * z * (0.5 + $0) }), y)
            }
        }
        var fractions = [Double]()
        for _ in 0..<reps {
            let (calibration, targets) = draw(n)
            let (test, truth) = draw(m)
            let intervals = try SplitConformalRegressor(score: score, alpha: alpha).calibrate(predictions: calibration, targets: targets).predict(test)
            fractions.append(Double(zip(intervals, truth).filter { $0.0.contains($0.1) }.count) / Double(m))
        }
        let radius = try ConcentrationBounds.empiricalBernsteinRadius(sampleVariance: fractions.sampleVariance, sampleSize: reps, failureProbability: 1e-6)
        #expect(fractions.mean >= 1 - alpha - radius && fractions.mean <= 1 - alpha + 1.0 / Double(n + 1) + radius, "\(fractions.mean) ± \(radius)")
    }
}
