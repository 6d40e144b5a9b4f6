import Foundation
import SuretyNumerics

/// Tests of the marginal around a candidate `w` (spec tester-learner.md §A.4 T1–T3, §A.7, §A.9):
/// the properties of the band `{|⟨w, x⟩| ≤ a}` that the structural lemma of the learner uses.
/// Run on a split independent of the one that chose `w`, so that the null distribution of
/// each statistic is the one stated.
public enum LocalTests {
    /// T1: the band mass `P(|⟨w, x⟩| ≤ a)` must lie in the exact Clopper–Pearson interval (at
    /// `δ'`) of the empirical mass; the statistic is the Gaussian value `erf(a/√2)`. With `slack`
    /// (whitened data), the test passes iff the interval meets the range of masses the slack allows
    /// (``WhiteningSlack/bandMassRange(width:)``): the region is widened by that range's reach on
    /// each side of `erf(a/√2)`.
    public static func bandMass(_ s: LabeledSample, direction w: [Double], width a: Double, failureProbability p: Double,
                                slack: WhiteningSlack? = nil) throws -> TestOutcome {
        let k = (0..<s.count).filter { abs(s.projection($0, onto: w)) <= a }.count
        let interval = try ConcentrationBounds.clopperPearson(successes: k, trials: s.count, failureProbability: p)
        let gaussian = GaussianMoments.bandMass(a)
        let range = slack?.bandMassRange(width: a) ?? (lower: gaussian, upper: gaussian)
        return TestOutcome(name: "band mass |⟨w,x⟩| ≤ \(format(a))", statistic: gaussian,
                           lower: interval.lowerBound - (range.upper - gaussian), upper: interval.upperBound + (gaussian - range.lower), failureProbability: p)
    }

    /// T2: the second moments of `z = (I − wwᵀ)x` inside the band against `I − wwᵀ` (under the
    /// Gaussian `z` is independent of `⟨w, x⟩`, so the null is exact): `‖C − P‖_op ≤ 2s + s²`,
    /// `s = √((d−1)/n_a) + √(2 ln(2/δ')/n_a)`.
    public static func bandCovariance(_ s: LabeledSample, direction w: [Double], width a: Double, failureProbability p: Double) throws -> TestOutcome {
        let rows = band(s, w, a)
        let (norm, n) = try MarginalTests.secondMomentDeviation(s, rows: rows, direction: w)
        let bound = n > 0 ? MarginalTests.operatorBound(dimension: s.dimension - 1, count: n, failureProbability: p) : 0
        return TestOutcome(name: "band covariance |⟨w,x⟩| ≤ \(format(a)) (\(n) points)", statistic: norm, upper: bound, failureProbability: p)
    }

    /// T3 (degree 4): `mean(⟨v, z⟩⁴)` inside the band against 3 along the projected axes and
    /// random directions of `w⊥`.
    public static func bandFourthMoments(_ s: LabeledSample, direction w: [Double], width a: Double, randomDirections extra: Int,
                                         failureProbability p: Double, using rng: inout some RandomNumberGenerator) -> TestOutcome {
        let directions = MarginalTests.coordinateAndRandomDirections(dimension: s.dimension, extra: extra, orthogonalTo: w, using: &rng)
        let rows = band(s, w, a)
        return MarginalTests.fourthMomentTest(name: "band fourth moments |⟨w,x⟩| ≤ \(format(a)) (\(rows.count) points)", rows: rows,
                                              sample: s, directions: directions, failureProbability: p)
    }

    /// T3 (intervals): the Kolmogorov distance of `⟨v, z⟩` inside the band to `N(0, 1)`, for the
    /// same directions; the Dvoretzky–Kiefer–Wolfowitz bound (Massart's constant) makes the
    /// threshold `√(ln(2m/δ')/(2 n_a))` exact for every `n_a`.
    public static func bandIntervals(_ s: LabeledSample, direction w: [Double], width a: Double, randomDirections extra: Int,
                                     failureProbability p: Double, using rng: inout some RandomNumberGenerator) -> TestOutcome {
        let directions = MarginalTests.coordinateAndRandomDirections(dimension: s.dimension, extra: extra, orthogonalTo: w, using: &rng)
        let rows = band(s, w, a)
        let n = rows.count
        var worst = n > 0 ? 0.0 : Double.infinity
        for v in directions where n > 0 {
            let sorted = rows.map { s.projection($0, onto: v) }.sorted()
            for (k, t) in sorted.enumerated() {
                let f = Normal.standard.cdf(t)
                worst = max(worst, abs(Double(k + 1) / Double(n) - f), abs(f - Double(k) / Double(n)))
            }
        }
        let threshold = n > 0 ? (log(2 * Double(directions.count) / p) / (2 * Double(n))).squareRoot() : 0
        return TestOutcome(name: "band intervals |⟨w,x⟩| ≤ \(format(a)) (Kolmogorov distance, \(n) points)", statistic: worst,
                           upper: threshold, failureProbability: p)
    }

    static func band(_ s: LabeledSample, _ w: [Double], _ a: Double) -> [Int] {
        (0..<s.count).filter { abs(s.projection($0, onto: w)) <= a }
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
