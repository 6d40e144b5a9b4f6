import Foundation
import SuretyNumerics
import Testing
@testable import TestableLearning

/// Whitening on a separate split, the widened label-free thresholds, the intercept's bound and
/// the moment-matching skip note (issue #19).
@Suite struct StandardizationTests {
    /// `x = μ + A g` with a strongly non-identity covariance: `A` = a rotation times scales
    /// 0.01 … 100 (condition number 10⁸ for Σ), `μ` far from 0. Labels are random ±1.
    static func skewedGaussian(n: Int, d: Int, using rng: inout RandomStream) throws -> LabeledSample {
        let scales = (0..<d).map { pow(10, -2 + 4 * Double($0) / Double(d - 1)) }
        let rotation = try Matrix(rows: d, columns: d, columnMajor: (0..<(d * d)).map { _ in Normal.standard.sample(using: &rng) }).qr().q
        let mean = (0..<d).map { 5 * Double($0 + 1) - 12 }
        var values = [Double](), labels = [Double]()
        for _ in 0..<n {
            let g = (0..<d).map { scales[$0] * Normal.standard.sample(using: &rng) }
            values += (0..<d).map { i in mean[i] + (0..<d).reduce(0.0) { $0 + rotation[i, $1] * g[$1] } }
            labels.append(rng.next() % 2 == 0 ? 1 : -1)
        }
        return try LabeledSample(dimension: d, values: values, labels: labels)
    }

    /// **Falsification of the widened thresholds** (claim `halfspace.standardized-tests`): over 100
    /// fixed seeds, a Gaussian with Σ's condition number 10⁸ and mean far from 0, whitened on
    /// n_fit = 600 rows (d = 8, Davidson–Szarek s = 0.24, half way to the 1/2 the slack allows) and
    /// tested on 5 400, may be rejected at rate at most δ = 0.2 (the fit's δ/4 plus the tests'
    /// shares); refuted at false-alarm rate 10⁻³ (exact binomial). The same data with the
    /// unwidened thresholds are rejected in most runs: the widening is needed (measured: 6/100
    /// widened — the kurtosis test, exact in law, spends its share 0.05 — and 100/100 unwidened).
    @Test func whitenedGaussianPassesAtTheStatedRate() throws {
        let delta = 0.2, runs = 100, d = 8
        var rejected = 0, rejectedUnwidened = 0
        for seed in 0..<runs {
            var rng = RandomStream(seed: UInt64(1_000 + seed))
            let s = try Self.skewedGaussian(n: 6_000, d: d, using: &rng)
            let fitted = try Standardization.fit(s.rows(0..<600))
            let rest = try fitted.apply(s.rows(600..<6_000))
            let slack = try WhiteningSlack(dimension: d, fitRows: 600, failureProbability: delta / 4)
            let battery = LabelFreeBattery(dimension: d, slack: slack)
            let tests = try battery.run(rest, failureProbability: 0.75 * delta / Double(battery.testCount), using: &rng)
            if !tests.allSatisfy(\.passed) { rejected += 1 }
            let plain = LabelFreeBattery(dimension: d, limit: 0)
            if !(try plain.run(rest, failureProbability: 0.75 * delta / Double(plain.testCount), using: &rng)).allSatisfy(\.passed) { rejectedUnwidened += 1 }
        }
        #expect(!(try ExactBinomialTest.refutesAtMost(rate: delta, events: rejected, trials: runs, falseAlarm: 1e-3)), "\(rejected)/\(runs) rejected")
        #expect(rejectedUnwidened > runs / 2, "unwidened: \(rejectedUnwidened)/\(runs) rejected")
    }

    /// Whitening does not hide the cube: its kurtosis (1.8) survives any affine map, and the
    /// kurtosis test on whitened rows rejects it at n = 30 000, d = 5 (the Minkowski-widened
    /// fourth-moment limits let it through: 0.85 of the limit).
    @Test func whitenedCubeIsRejected() throws {
        var rng = RandomStream(seed: 3)
        let x = try Marginal.cube.sample(count: 30_000, dimension: 5, using: &rng)
        let s = try LabeledSample(dimension: 5, values: x, labels: Array(repeating: 1, count: 30_000))
        let z = try Standardization.fit(s.rows(0..<6_000)).apply(s.rows(6_000..<30_000))
        let battery = LabelFreeBattery(dimension: 5, slack: try WhiteningSlack(dimension: 5, fitRows: 6_000, failureProbability: 0.0025))
        let kurtosis = try battery.run(z, failureProbability: 0.0025, using: &rng)[2]
        #expect(kurtosis.name.contains("kurtosis") && !kurtosis.passed, "\(kurtosis)")
    }

    /// The map: whitened fit rows have mean 0 and covariance I (to roundoff); the halfspace in
    /// original coordinates scores every row as the whitened one does.
    @Test func whiteningAndOriginalCoordinates() throws {
        var rng = RandomStream(seed: 5)
        let s = try Self.skewedGaussian(n: 2_000, d: 4, using: &rng)
        let fitted = try Standardization.fit(s)
        let z = try fitted.apply(s)
        let fitAgain = try Standardization.fit(z)
        #expect(fitAgain.mean.allSatisfy { abs($0) < 1e-9 })
        for i in 0..<4 { for j in 0..<4 { #expect(abs(fitAgain.whitening[i * 4 + j] - (i == j ? 1 : 0)) < 1e-6) } }
        let (v, c) = fitted.originalCoordinates(weights: [0.5, -0.5, 0.5, 0.5], intercept: 0.3)
        for i in 0..<20 {
            let direct = z.projection(i, onto: [0.5, -0.5, 0.5, 0.5]) + 0.3
            #expect(abs(direct - (s.projection(i, onto: v) + c)) < 1e-6 * max(1, abs(direct)))
        }
    }

    /// The band-mass range of a slack contains the N(0, 1) value and is exact at its ends: at
    /// d = 5, n_fit = 12 000, p = 0.0025 (s = 0.0555, r = 0.0529) and a = 0.1 the mass 0.0797
    /// may lie in [0.0752, 0.0841] (|m| = r at an end of the σ range; m = 0, σ² = λ₋).
    @Test func bandMassRange() throws {
        let slack = try WhiteningSlack(dimension: 5, fitRows: 12_000, failureProbability: 0.0025)
        let range = slack.bandMassRange(width: 0.1)
        let gaussian = GaussianMoments.bandMass(0.1)
        #expect(range.lower < gaussian && gaussian < range.upper)
        let r = slack.meanOffset
        let ends = [slack.smallestVariance, slack.largestVariance].map { Normal.standard.cdf((0.1 - r) / $0.squareRoot()) - Normal.standard.cdf((-0.1 - r) / $0.squareRoot()) }
        #expect(range.lower == ends.min())
        #expect(abs(range.upper - GaussianMoments.bandMass(0.1 / slack.smallestVariance.squareRoot())) < 1e-12)
        #expect(abs(range.lower - 0.07516) < 5e-5 && abs(range.upper - 0.08406) < 5e-5, "\(range)")
    }

    /// Columns in very different units (scales 10⁻⁶ and 10⁶: Σ̂'s eigenvalues 10²⁴ apart) are
    /// whitened, not called singular: the rank is decided on the correlation matrix.
    @Test func unitsDoNotMakeTheCovarianceSingular() throws {
        var rng = RandomStream(seed: 9)
        var values = [Double]()
        for _ in 0..<500 {
            let a = Normal.standard.sample(using: &rng), b = Normal.standard.sample(using: &rng)
            values += [1e-6 * a, 1e6 * (a + b), 3 + Normal.standard.sample(using: &rng)]
        }
        let s = try LabeledSample(dimension: 3, values: values, labels: Array(repeating: 1, count: 500))
        let z = try Standardization.fit(s).apply(s)
        let again = try Standardization.fit(z)
        for i in 0..<3 { for j in 0..<3 { #expect(abs(again.whitening[i * 3 + j] - (i == j ? 1 : 0)) < 1e-6) } }
    }

    /// A rotated covariance of condition 3·10¹⁰ (the rows' condition about 2·10⁵) is full rank:
    /// a red-team review found it refused as "rank 2" by an eigenvalue cut on the Gram matrix,
    /// whose condition is the square. Now it is fitted, and whitening it twice gives the identity
    /// to the accuracy ε·κ allows (10⁻³ here).
    @Test func rotatedIllConditionedCovarianceIsFullRank() throws {
        var rng = RandomStream(seed: 31)
        // An orthogonal Q from a fixed rotation in three planes; scales 1, 1, 1/√(3·10¹⁰).
        let c = cos(0.7), s = sin(0.7), c2 = cos(1.1), s2 = sin(1.1)
        let q: [[Double]] = [[c, -s * c2, s * s2], [s, c * c2, -c * s2], [0, s2, c2]]
        let scales = [1.0, 1.0, 1 / (3e10).squareRoot()]
        var values = [Double]()
        for _ in 0..<5000 {
            let g = (0..<3).map { scales[$0] * Normal.standard.sample(using: &rng) }
            values += (0..<3).map { i in (0..<3).reduce(0.0) { $0 + q[i][$1] * g[$1] } }
        }
        let sample = try LabeledSample(dimension: 3, values: values, labels: Array(repeating: 1, count: 5000))
        let fitted = try Standardization.fit(sample)
        #expect((fitted.conditionNumber ?? 0) > 1e9)
        let again = try Standardization.fit(try fitted.apply(sample))
        for i in 0..<3 { for j in 0..<3 { #expect(abs(again.whitening[i * 3 + j] - (i == j ? 1 : 0)) < 1e-3, "W[\(i),\(j)] = \(again.whitening[i * 3 + j])") } }
    }

    /// A column that is the sum of two others: the error names the rank.
    @Test func singularCovarianceNamesTheRank() throws {
        var rng = RandomStream(seed: 2)
        var values = [Double]()
        for _ in 0..<100 {
            let a = Normal.standard.sample(using: &rng), b = Normal.standard.sample(using: &rng)
            values += [a, b, a + b]
        }
        let s = try LabeledSample(dimension: 3, values: values, labels: Array(repeating: 1, count: 100))
        #expect { try Standardization.fit(s) } throws: { "\($0)".contains("rank 2") }
    }

    /// d = 20 at degree 4 has 10 625 monomials; with the limit 10 000 the note says so and that
    /// degree 3 checks 1 770.
    @Test func skipNoteSaysWhatAndHow() {
        let battery = LabelFreeBattery(dimension: 20, limit: 10_000)
        #expect(!battery.runsMomentMatching && battery.testCount == 3)
        let note = battery.skipNote ?? ""
        #expect(note.contains("10625") && note.contains("10000") && note.contains("--degree 3 checks 1770"), "\(note)")
        #expect(LabelFreeBattery(dimension: 20).skipNote == nil)
    }

    /// **Falsification of the intercept's bound** (claim `halfspace.tester-learner`, intercept):
    /// with random labels every `sign(⟨w, x⟩ + b)` has error exactly 1/2, the hardest case for a
    /// selection among 101 candidates on n_b = 2 000 rows. Over 300 seeds the bound at p = 0.2
    /// may fall below 1/2 at rate at most 0.2; refuted at false-alarm rate 10⁻³ (measured: 0/300).
    @Test func interceptBoundCountsTheCandidates() throws {
        let runs = 300
        var failures = 0
        for seed in 0..<runs {
            var rng = RandomStream(seed: UInt64(seed))
            func randomLabels() throws -> LabeledSample {
                let x = try Marginal.gaussian.sample(count: 2_000, dimension: 3, using: &rng)
                return try LabeledSample(dimension: 3, values: x, labels: (0..<2_000).map { _ in rng.next() % 2 == 0 ? 1 : -1 })
            }
            let seen = try randomLabels(), split = try randomLabels()
            let choice = TesterLearner.chooseIntercept(weights: [1, 0, 0], seen: seen, split: split, candidates: 101, failureProbability: 0.2)
            #expect(choice.candidates == 101 && choice.rows == 2_000)
            if choice.errorBound < 0.5 { failures += 1 }
        }
        #expect(!(try ExactBinomialTest.refutesAtMost(rate: 0.2, events: failures, trials: runs, falseAlarm: 1e-3)), "\(failures)/\(runs)")
    }

    /// On a shifted halfspace (b = 0.5 after whitening, 10 % flips) with a skewed Gaussian
    /// marginal, `--standardize --intercept` accepts, and the returned `sign(⟨w, z⟩ + b)`, mapped
    /// back to the original coordinates, has a true error (on 100 000 fresh rows) within its bound
    /// (measured: b = 0.519, error 0.135 on its split, bound 0.156, true error 0.138 against 0.10 for
    /// the true halfspace: w is learned as a homogeneous halfspace and is a few degrees off).
    @Test func standardizedInterceptRun() throws {
        var rng = RandomStream(seed: 31)
        let all = try Self.skewedGaussian(n: 160_000, d: 5, using: &rng)
        let z = try Standardization.fit(all).apply(all)
        let labels = (0..<all.count).map { i -> Double in
            let y: Double = z.projection(i, onto: [1, 0, 0, 0, 0]) + 0.5 >= 0 ? 1 : -1
            return Double(rng.next() % 10) == 0 ? -y : y
        }
        let labelled = try LabeledSample(dimension: 5, values: all.values, labels: labels)
        let s = labelled.rows(0..<60_000), fresh = labelled.rows(60_000..<160_000)
        let result = try TesterLearner(epsilon: 0.1, delta: 0.01).run(s, preparation: DataPreparation(standardize: true, intercept: true), using: &rng)
        #expect(result.accepted, "\(result.failedTests.map(\.name))")
        let b = try #require(result.intercept), standardization = try #require(result.standardization)
        #expect(standardization.fitRows == 12_000 && b.rows == 12_000 && b.errorBound >= b.error)
        let (v, c) = standardization.originalCoordinates(weights: result.weights, intercept: b.value)
        let wrong = (0..<fresh.count).filter { (fresh.projection($0, onto: v) + c >= 0 ? 1.0 : -1.0) != fresh.labels[$0] }.count
        let trueError = Double(wrong) / Double(fresh.count)
        #expect(trueError <= b.errorBound && trueError >= 0.09, "true error \(trueError), \(b)")      // 0.10: the flips
    }
}
