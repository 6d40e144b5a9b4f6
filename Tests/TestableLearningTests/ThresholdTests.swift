import Foundation
import SuretyData
import SuretyNumerics
import Testing
@testable import TestableLearning

/// The test thresholds against values computed by hand (spec tester-learner.md §A.7).
@Suite struct ThresholdTests {
    static func sample(_ values: [Double], d: Int) throws -> LabeledSample {
        try LabeledSample(dimension: d, values: values, labels: Array(repeating: 1, count: values.count / d))
    }

    /// Mean: d + 2√(dL) + 2L with d = 10, L = ln(1/0.01) → 32.7826.
    @Test func meanThreshold() throws {
        let s = try Self.sample(Array(repeating: 0, count: 10), d: 10)
        #expect(abs(MarginalTests.mean(s, failureProbability: 0.01).upper - 32.782621) < 1e-5)
    }

    /// Covariance: s = √(10/1000) + √(2·ln(2/0.01)/1000) = 0.202940, 2s + s² = 0.447065.
    @Test func covarianceThreshold() {
        #expect(abs(MarginalTests.operatorBound(dimension: 10, count: 1000, failureProbability: 0.01) - 0.447065) < 1e-6)
    }

    /// g⁴ under N(0,1): mean 3, variance 105 − 9 = 96, skewness 9504/96^1.5 = 10.1041,
    /// excess kurtosis 204 (spec §A.7); band masses erf(a/√2) from the spec's table.
    @Test func gaussianMomentsAndBandMasses() {
        let st = GaussianMoments.monomialStatistics([4])
        #expect(st.mean == 3 && st.variance == 96)
        #expect(abs(st.skewness - 10.104145) < 1e-5 && abs(st.excessKurtosis - 204) < 1e-9)
        #expect(GaussianMoments.monomialMoment([2, 2, 0]) == 1 && GaussianMoments.monomialMoment([4, 2]) == 3 && GaussianMoments.monomialMoment([3, 1]) == 0)
        for (a, p) in [(0.025, 0.01995), (0.05, 0.03988), (0.1, 0.07966), (0.2, 0.15852)] {
            #expect(abs(GaussianMoments.bandMass(a) - p) < 5e-6, "a = \(a)")
        }
        #expect(MarginalTests.momentMatchingCount(dimension: 10, degree: 4) == 1000 && MarginalTests.momentMatchingCount(dimension: 20, degree: 4) == 10_625)   // C(d+4, 4) − 1
    }

    /// Cornish–Fisher limits reduce to the normal ones without skewness or kurtosis, and lean
    /// right for g⁴ (a long right tail: the upper limit is farther from the mean).
    @Test func cornishFisher() {
        let z = Normal.standard.quantile(1 - 0.001)
        let normal = GaussianMoments.cornishFisherLimits(mean: 0, variance: 4, skewness: 0, excessKurtosis: 0, count: 100, tail: 0.001)
        #expect(abs(normal.upper - z * 0.2) < 1e-12 && abs(normal.lower + z * 0.2) < 1e-12)
        let st = GaussianMoments.monomialStatistics([4])
        let g4 = GaussianMoments.cornishFisherLimits(mean: 3, variance: 96, skewness: st.skewness, excessKurtosis: st.excessKurtosis, count: 2000, tail: 0.001)
        #expect(g4.upper - 3 > 3 - g4.lower)
    }

    /// The ramp's derivative: flat 3/(2σ) on |t| ≤ σ/6, zero beyond σ/2, integral 1.
    @Test func smoothRamp() {
        let sigma = 0.2
        #expect(SmoothRamp.derivative(0.01, sigma: sigma) == 7.5 && SmoothRamp.derivative(-0.1, sigma: sigma) == 0)
        let steps = 200_000, h = sigma / Double(steps)
        let integral = (0..<steps).reduce(0.0) { $0 + SmoothRamp.derivative(-sigma / 2 + (Double($1) + 0.5) * h, sigma: sigma) * h }
        #expect(abs(integral - 1) < 1e-6)
    }
}

/// Label columns: ±1 and 0/1 keep their meaning in any spelling; two names map in sorted
/// order (or by `positive`); a third value is refused with its position.
@Test func binaryLabels() throws {
    #expect(try BinaryLabels(["-1", "1.0", "1.0"], file: "f", column: 3).labels == [-1, 1, 1])
    #expect(try BinaryLabels(["1", "0"], file: "f", column: 3).positive == "1")
    let names = try BinaryLabels(["malignant", "benign"], file: "f", column: 1)
    #expect(names.positive == "malignant" && names.labels == [1, -1])
    #expect(try BinaryLabels(["malignant", "benign"], positive: "benign", file: "f", column: 1).labels == [-1, 1])
    #expect(throws: DataError.self) { try BinaryLabels(["a", "b", "c"], file: "f", column: 1) }
    #expect(throws: DataError.self) { try BinaryLabels(["a", "a"], file: "f", column: 1) }
}
