import Foundation
import Testing
@testable import SuretyNumerics

/// Statistical checks here use fixed seeds; each threshold is the quantile of the test
/// statistic's null distribution at the stated false-alarm rate, so an honest sampler
/// fails one of them with probability at most that rate (and, with the seed fixed, never
/// fails on a re-run).
@Suite struct RandomStreamTests {
    @Test func splitMixMatchesReferenceVector() {
        // SplitMix64 from state 0: the reference outputs of Steele, Lea & Flood's generator.
        var sm = SplitMix64(state: 0)
        #expect(sm.next() == 0xe220_a839_7b1d_cdaf)
        #expect(sm.next() == 0x6e78_9e6a_a1b9_65f4)
    }

    @Test func xoshiroMatchesReferenceVector() {
        // xoshiro256** from state (1, 2, 3, 4): reference outputs of Blackman & Vigna's C code.
        var g = RandomStream(state: (1, 2, 3, 4))
        #expect(g.next() == 11520)
        #expect(g.next() == 0)
        #expect(g.next() == 1_509_978_240)
        #expect(g.next() == 1_215_971_899_390_074_240)
    }

    @Test func sameSeedSameStream() {
        var a = RandomStream(seed: 42), b = RandomStream(seed: 42), c = RandomStream(seed: 43)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
    }

    @Test func streamsAreJumpsAndDiffer() {
        let streams = RandomStream.streams(seed: 7, count: 4)
        for (k, s) in streams.enumerated() {
            #expect(s == RandomStream(seed: 7, stream: k))
            #expect(s.streamIndex == k)
        }
        var first = streams.map { s -> UInt64 in var t = s; return t.next() }
        first.sort()
        #expect(Set(first).count == 4)
    }

    @Test func uniformsStayInTheirIntervals() {
        var g = RandomStream(seed: 1)
        for _ in 0..<10_000 {
            let u = g.nextUniform(), v = g.nextOpenUniform()
            #expect(u >= 0 && u < 1)
            #expect(v > 0 && v < 1)
        }
    }

    @Test func boundedIntegersAreUniform() {
        // Pearson chi-squared over 7 cells with 70 000 draws; false-alarm rate 1e-6.
        var g = RandomStream(seed: 2)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[g.nextInt(below: 7)] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chi2 < Gamma.chiSquared(degreesOfFreedom: 6).upperQuantile(1e-6))
    }
}

@Suite struct SamplerTests {
    /// Two-sided z threshold at false-alarm rate 1e-6 for a mean of `n` draws with
    /// standard deviation `sd`.
    func meanTolerance(_ sd: Double, _ n: Int) -> Double {
        Normal.standard.quantile(1 - 0.5e-6) * sd / Double(n).squareRoot()
    }

    @Test func continuousSamplersHaveTheirMeans() {
        var g = RandomStream(seed: 3)
        let n = 100_000
        func check(_ name: String, _ mean: Double, _ sd: Double, _ draw: (inout RandomStream) -> Double) {
            let m = (0..<n).map { _ in draw(&g) }.mean
            #expect(abs(m - mean) < meanTolerance(sd, n), "\(name): sample mean \(m), expected \(mean)")
        }
        check("normal", 1, 2) { Normal(mean: 1, standardDeviation: 2).sample(using: &$0) }
        check("exponential", 0.5, 0.5) { Exponential(rate: 2).sample(using: &$0) }
        check("laplace", -1, 3 * 2.0.squareRoot()) { Laplace(location: -1, scale: 3).sample(using: &$0) }
        check("gamma 0.5", 1, 2.0.squareRoot()) { Gamma(shape: 0.5, scale: 2).sample(using: &$0) }
        check("gamma 3", 3, 3.0.squareRoot()) { Gamma(shape: 3).sample(using: &$0) }
        check("beta", 2.0 / 7.0, (10.0 / (49 * 8)).squareRoot()) { Beta(alpha: 2, beta: 5).sample(using: &$0) }
        check("t5", 0, (5.0 / 3.0).squareRoot()) { StudentT(degreesOfFreedom: 5).sample(using: &$0) }
        check("uniform", 1, 2 / 12.0.squareRoot()) { Uniform(lower: 0, upper: 2).sample(using: &$0) }
        // Variance of the normal: the mean of (x − μ)² / σ² is 1 with sd √2.
        check("normal variance", 1, 2.0.squareRoot()) { let z = Normal.standard.sample(using: &$0); return z * z }
    }

    func chiSquaredAgainstLaw(_ counts: [Int], _ probabilities: [Double], _ n: Int) -> (Double, Double) {
        // Pool cells with expected count below 5 into one, then Pearson's statistic.
        var observed = [Double](), expected = [Double]()
        var poolO = 0.0, poolE = 0.0
        for (c, p) in zip(counts, probabilities) {
            if p * Double(n) < 5 { poolO += Double(c); poolE += p * Double(n) } else { observed.append(Double(c)); expected.append(p * Double(n)) }
        }
        if poolE > 0 { observed.append(poolO); expected.append(poolE) }
        let chi2 = zip(observed, expected).reduce(0.0) { $0 + pow($1.0 - $1.1, 2) / $1.1 }
        return (chi2, Gamma.chiSquared(degreesOfFreedom: Double(observed.count - 1)).upperQuantile(1e-6))
    }

    @Test(arguments: [(30, 0.2), (100, 0.37), (1000, 0.02), (5000, 0.6)])
    func binomialMatchesItsLawExactly(trials: Int, p: Double) {
        // Chi-squared goodness of fit against the exact pmf (false-alarm rate 1e-6); the
        // larger cases go through the order-statistic splitting.
        var g = RandomStream(seed: UInt64(trials))
        let law = Binomial(trials: trials, probability: p)
        let n = 50_000
        var counts = [Int](repeating: 0, count: trials + 1)
        for _ in 0..<n { counts[law.sample(using: &g)] += 1 }
        let (chi2, threshold) = chiSquaredAgainstLaw(counts, (0...trials).map(law.probability(of:)), n)
        #expect(chi2 < threshold, "chi² = \(chi2), threshold \(threshold)")
    }

    @Test func categoricalMatchesItsWeights() throws {
        var g = RandomStream(seed: 5)
        let weights = [1.0, 0, 3, 0.5, 5.5]
        let law = try Categorical(weights: weights)
        let n = 100_000
        var counts = [Int](repeating: 0, count: weights.count)
        for _ in 0..<n { counts[law.sample(using: &g)] += 1 }
        #expect(counts[1] == 0)
        let (chi2, threshold) = chiSquaredAgainstLaw(counts, law.probabilities, n)
        #expect(chi2 < threshold)
        #expect(throws: NumericsError.self) { try Categorical(weights: [1, -1]) }
        #expect(throws: NumericsError.self) { try Categorical(weights: [0, 0]) }
        #expect(throws: NumericsError.self) { try Categorical(weights: [.nan]) }
    }

    @Test func bernoulliFrequency() {
        var g = RandomStream(seed: 6)
        let n = 100_000
        let hits = (0..<n).filter { _ in Bernoulli(probability: 0.3).sample(using: &g) }.count
        #expect(abs(Double(hits) / Double(n) - 0.3) < meanTolerance((0.21).squareRoot(), n))
    }

    @Test func multivariateNormalHasItsCovariance() throws {
        // The variance of uᵀX is uᵀΣu; check the mean of (uᵀ(X − μ))² / uᵀΣu, sd √2.
        var g = RandomStream(seed: 8)
        let sigma = try Matrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]])
        let mvn = try MultivariateNormal(mean: [1, -1, 0], covariance: sigma)
        let x = mvn.samples(count: 50_000, using: &g)
        let u = [1.0, 2.0, -1.0]
        let variance = u.dot(sigma * u)
        let ratios = (0..<x.rows).map { i -> Double in
            let projection = x.row(i).adding(mvn.mean, scaledBy: -1).dot(u)
            return projection * projection / variance
        }
        #expect(abs(ratios.mean - 1) < meanTolerance(2.0.squareRoot(), x.rows))
        let single = mvn.sample(using: &g)
        #expect(single.count == 3)
    }

    @Test func sphereDrawsAreUnitVectorsCenteredAtZero() {
        var g = RandomStream(seed: 9)
        let sphere = UniformSphere(dimension: 5)
        var first = [Double]()
        for _ in 0..<20_000 {
            let v = sphere.sample(using: &g)
            #expect(abs(v.euclideanNorm - 1) < 1e-14)
            first.append(v[0])
        }
        // Each coordinate has mean 0 and variance 1/d.
        #expect(abs(first.mean) < meanTolerance((1.0 / 5).squareRoot(), first.count))
    }
}
