import Foundation
import Testing
@testable import SuretyNumerics

@Suite struct DistributionTests {
    @Test(arguments: [
        // Published values of Φ⁻¹ (e.g. Wichura 1988, Table; Abramowitz & Stegun 26.2).
        (0.5, 0.0), (0.975, 1.959963984540054), (0.999, 3.090232306167814),
        (0.9, 1.2815515655446004), (1e-10, -6.361340902404056), (0.001, -3.090232306167814),
    ])
    func normalQuantileMatchesPublishedValues(p: Double, z: Double) {
        #expect(abs(Normal.standard.quantile(p) - z) <= 1e-14 * Swift.max(1, abs(z)))
    }

    @Test func normalEdgesAndTails() {
        #expect(Normal.standard.quantile(0) == -.infinity)
        #expect(Normal.standard.quantile(1) == .infinity)
        #expect(Normal.standard.quantile(1.5).isNaN)
        #expect(abs(Normal.standard.cdf(1.96) - 0.9750021048517795) < 1e-15)
        #expect(abs(Normal.standard.survival(10) - 7.619853024160527e-24) < 1e-36)
        #expect(abs(Normal(mean: 1, standardDeviation: 2).logDensity(1) + log(2 * (2 * Double.pi).squareRoot())) < 1e-15)
    }

    @Test func betaAndGammaQuantilesInvertTheirCDFs() {
        let beta = Beta(alpha: 2, beta: 3)
        for x in [1e-8, 0.1, 0.3, 0.9, 0.999] {
            #expect(abs(beta.quantile(beta.cdf(x)) - x) < 1e-12 * Swift.max(x, 1e-4))
        }
        #expect(abs(beta.upperQuantile(beta.survival(0.99)) - 0.99) < 1e-12)
        // Chi-squared 95% critical values (scipy.stats.chi2): 3.841458820694124 (1 df), 18.30703805327515 (10 df).
        #expect(abs(Gamma.chiSquared(degreesOfFreedom: 1).quantile(0.95) - 3.841458820694124) < 1e-12)
        #expect(abs(Gamma.chiSquared(degreesOfFreedom: 10).upperQuantile(0.05) - 18.307038053275146) < 1e-11)
        #expect(abs(StudentT(degreesOfFreedom: 10).quantile(0.975) - 2.228138851986274) < 1e-12)  // scipy.stats.t.ppf(0.975, 10)
    }

    @Test func binomialQuantileAndCDF() {
        let law = Binomial(trials: 10, probability: 0.5)
        #expect(abs(law.cdf(5) - 638.0 / 1024.0) < 1e-14)  // GSL's incomplete beta: ~1e-14 relative
        #expect(law.quantile(0.5) == 5)
        #expect(law.quantile(0.0) == 0)
        #expect(law.quantile(1.0) == 10)
        #expect(law.quantile(638.0 / 1024.0 + 1e-9) == 6)
    }

    @Test func clopperPearsonSpecVectors() throws {
        // colep.md §3.5 test vectors (derived): k = 80 000 of N = 100 000 at 0.001 per side.
        let ci = try ConcentrationBounds.clopperPearson(successes: 80_000, trials: 100_000, failureProbability: 0.002)
        #expect(abs(ci.lowerBound - 0.796066) < 5e-7)
        #expect(abs(ci.upperBound - 0.803894) < 5e-7)
        // Through the randomized-smoothing shift Φ(Φ⁻¹(p) ∓ δ/σ).
        func shifted(_ ci: ClosedRange<Double>, _ shift: Double) -> (Double, Double) {
            (Normal.standard.cdf(Normal.standard.quantile(ci.lowerBound) - shift),
             Normal.standard.cdf(Normal.standard.quantile(ci.upperBound) + shift))
        }
        let a = shifted(ci, 0.5)
        #expect(abs(a.0 - 0.628412) < 5e-7 && abs(a.1 - 0.912389) < 5e-7)
        let b = shifted(ci, 1.0)
        #expect(abs(b.0 - 0.431582) < 5e-7 && abs(b.1 - 0.968246) < 5e-7)
        let small = try ConcentrationBounds.clopperPearson(successes: 950, trials: 1000, failureProbability: 0.002)
        let c = shifted(small, 0.5)
        #expect(abs(c.0 - 0.826356) < 5e-7 && abs(c.1 - 0.990932) < 5e-7)
    }

    @Test func clopperPearsonEdges() throws {
        let zero = try ConcentrationBounds.clopperPearson(successes: 0, trials: 10, failureProbability: 0.05)
        #expect(zero.lowerBound == 0)
        // Upper end for k = 0: 1 − (δ/2)^{1/n}.
        #expect(abs(zero.upperBound - (1 - pow(0.025, 0.1))) < 1e-14)
        let all = try ConcentrationBounds.clopperPearson(successes: 10, trials: 10, failureProbability: 0.05, tails: .one)
        #expect(all.upperBound == 1)
        #expect(abs(all.lowerBound - pow(0.05, 0.1)) < 1e-14)
        #expect(throws: NumericsError.self) { try ConcentrationBounds.clopperPearson(successes: 11, trials: 10, failureProbability: 0.05) }
        #expect(throws: NumericsError.self) { try ConcentrationBounds.clopperPearson(successes: 1, trials: 10, failureProbability: 0) }
    }

    @Test(arguments: [(256, 0.116154), (10_000, 0.018585), (100_000, 0.005877)])
    func hoeffdingSpecVectors(n: Int, radius: Double) throws {
        // colep.md §3.5: one-sided Hoeffding half-width at β = 0.001.
        let r = try ConcentrationBounds.hoeffdingRadius(sampleSize: n, failureProbability: 0.001, tails: .one)
        #expect(abs(r - radius) < 5e-7)
    }

    @Test func bernsteinDKWAndChernoff() throws {
        // Hand computation: V = 0.01, n = 1000, δ = 0.05 one-sided: ln 40 = 3.6888794541139363.
        let l = log(40.0)
        let eb = try ConcentrationBounds.empiricalBernsteinRadius(sampleVariance: 0.01, sampleSize: 1000, failureProbability: 0.05, tails: .one)
        #expect(abs(eb - ((2 * 0.01 * l / 1000).squareRoot() + 7 * l / (3 * 999))) < 1e-15)
        #expect(abs(try ConcentrationBounds.dkwRadius(sampleSize: 200, failureProbability: 0.1) - (log(20.0) / 400).squareRoot()) < 1e-15)
        // dpp-least-squares.md: ζ(1/2) = 0.108198, ζ(0.9) = 0.319522.
        #expect(abs(ConcentrationBounds.matrixChernoffRate(deviation: 0.5) - 0.108198) < 5e-7)
        #expect(abs(ConcentrationBounds.matrixChernoffRate(deviation: 0.9) - 0.319522) < 5e-7)
        let m = 10, eta = 0.1
        let n = try ConcentrationBounds.matrixChernoffSampleSize(dimension: m, failureProbability: eta, deviation: 0.5)
        #expect(n == Int((10 * log(200.0) / ConcentrationBounds.matrixChernoffRate(deviation: 0.5)).rounded(.up)))
        #expect(throws: NumericsError.self) { try ConcentrationBounds.hoeffdingRadius(sampleSize: 0, failureProbability: 0.1) }
        #expect(throws: NumericsError.self) { try ConcentrationBounds.empiricalBernsteinRadius(sampleVariance: -1, sampleSize: 10, failureProbability: 0.1) }
    }

    @Test func specialFunctions() throws {
        #expect(abs(try SpecialFunctions.logGamma(5) - log(24.0)) < 1e-14)
        #expect(abs(try SpecialFunctions.logGamma(0.5) - 0.5 * log(Double.pi)) < 1e-14)
        #expect(throws: NumericsError.self) { try SpecialFunctions.logGamma(-1) }
        #expect(throws: NumericsError.self) { try SpecialFunctions.logGamma(0) }
        #expect(abs(SpecialFunctions.erf(1) - 0.8427007929497149) < 1e-15)
        #expect(abs(SpecialFunctions.erfc(5) - 1.5374597944280349e-12) < 1e-26)
        #expect(abs(try SpecialFunctions.logBeta(2, 3) - log(1.0 / 12)) < 1e-14)
        #expect(abs(try SpecialFunctions.regularizedIncompleteBeta(1, 1, 0.3) - 0.3) < 1e-15)
        #expect(throws: NumericsError.self) { try SpecialFunctions.regularizedIncompleteBeta(1, 1, 1.5) }
    }
}

@Suite struct PolynomialAndQuadratureTests {
    @Test func knownValues() throws {
        let legendre = try OrthogonalPolynomialFamily.legendre.values(upTo: 3, at: 0.5)
        #expect(legendre == [1, 0.5, -0.125, -0.4375])
        let hermite = try OrthogonalPolynomialFamily.hermite.values(upTo: 3, at: 2)
        #expect(hermite == [1, 2, 3, 2])  // He_2 = x² − 1, He_3 = x³ − 3x
        let jacobi = try OrthogonalPolynomialFamily.jacobi(alpha: 0, beta: 0).values(upTo: 5, at: 0.3)
        let legendre5 = try OrthogonalPolynomialFamily.legendre.values(upTo: 5, at: 0.3)
        for (a, b) in zip(jacobi, legendre5) { #expect(abs(a - b) < 1e-15) }
        // Chebyshev T_n is Jacobi(−½, −½) up to P_n(1) = (½)_n / n!: check T_2(x) = 2x² − 1 at 0.3.
        let cheb = try OrthogonalPolynomialFamily.jacobi(alpha: -0.5, beta: -0.5).values(upTo: 2, at: 0.3)
        #expect(abs(cheb[2] / 0.375 - (2 * 0.09 - 1)) < 1e-15)
        #expect(throws: NumericsError.self) { try OrthogonalPolynomialFamily.jacobi(alpha: -1, beta: 0).values(upTo: 2, at: 0) }
        #expect(throws: NumericsError.self) { try OrthogonalPolynomialFamily.legendre.values(upTo: -1, at: 0) }
    }

    @Test(arguments: [OrthogonalPolynomialFamily.legendre, .hermite, .jacobi(alpha: 0.5, beta: -0.3), .jacobi(alpha: -0.5, beta: -0.5)])
    func orthonormalFormsAreOrthonormal(family: OrthogonalPolynomialFamily) throws {
        // Gauss quadrature with 12 points is exact for the degree ≤ 20 products p̂_i p̂_j, i, j ≤ 10.
        let rule = try family.gaussQuadrature(points: 12)
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-13)
        let values = try rule.nodes.map { try family.values(upTo: 10, at: $0, orthonormal: true) }
        for i in 0...10 {
            for j in 0...10 {
                let inner = zip(values, rule.weights).reduce(0.0) { $0 + $1.1 * $1.0[i] * $1.0[j] }
                #expect(abs(inner - (i == j ? 1 : 0)) < 1e-11, "⟨p\(i), p\(j)⟩ = \(inner)")
            }
        }
    }

    /// Hermite far past degree 170, where `n!` overflows: the orthonormal values agree with an
    /// independent computation — the monic recurrence `He_{n+1} = x He_n − n He_{n−1}` carried
    /// with a running logarithmic scale, divided by `√n!` in logarithms — to 10⁻¹⁰ relative, out
    /// to |x| = 28 and degree 220 (a red-team review found the Christoffel weights wrong from
    /// degree 171 when `He_n` was divided by `√n!` directly).
    @Test func hermiteOrthonormalPastTheFactorialOverflow() throws {
        for x in [0.5, 3, -15, 28] {
            let computed = try OrthogonalPolynomialFamily.hermite.values(upTo: 220, at: x, orthonormal: true)
            var previous = 1.0, current = x, logScale = 0.0
            for n in 1...220 {
                if n >= 2 {
                    (previous, current) = (current, x * current - Double(n - 1) * previous)
                    let m = max(abs(previous), abs(current))
                    if m > 1e100 || (m < 1e-100 && m > 0) { previous /= m; current /= m; logScale += log(m) }
                }
                guard current != 0 else { continue }
                let reference = (current < 0 ? -1.0 : 1.0) * exp(log(abs(current)) + logScale - 0.5 * lgamma(Double(n) + 1))
                #expect(computed[n].isFinite && abs(computed[n] / reference - 1) < 1e-10, "x = \(x), n = \(n): \(computed[n]) vs \(reference)")
            }
        }
    }

    @Test func gaussLegendreIsExactToDegreeTwoNMinusOne() throws {
        let rule = try GaussLegendre.rule(points: 3, on: 0, 1)
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-15)
        #expect(abs(rule.integrate { pow($0, 5) } - 1.0 / 6.0) < 1e-15)
        let big = try GaussLegendre.rule(points: 50)
        #expect(abs(big.integrate { cos($0) } - 2 * sin(1.0)) < 1e-14)
        #expect(abs(try GaussLegendre.rule(points: 4).nodes[3] - 0.8611363115940526) < 1e-15)
        // Golub–Welsch for the uniform probability measure agrees with GSL's table.
        let gw = try OrthogonalPolynomialFamily.legendre.gaussQuadrature(points: 4)
        for (a, b) in zip(gw.nodes, try GaussLegendre.rule(points: 4).nodes) { #expect(abs(a - b) < 1e-14) }
        #expect(throws: NumericsError.self) { try GaussLegendre.rule(points: 0) }
        #expect(throws: NumericsError.self) { try GaussLegendre.rule(points: 3, on: 1, 0) }
        // Gauss–Hermite for N(0, 1): E X⁴ = 3, E X⁶ = 15.
        let gh = try OrthogonalPolynomialFamily.hermite.gaussQuadrature(points: 4)
        #expect(abs(gh.integrate { pow($0, 4) } - 3) < 1e-13)
        #expect(abs(gh.integrate { pow($0, 6) } - 15) < 1e-12)
    }
}

@Test func cpuListsParse() {
    #expect(Processors.cpuListCount("0-3,8,10-11") == 7)
    #expect(Processors.cpuListCount("\t0") == 1)
    #expect(Processors.cpuListCount("3-1") == nil)
    #expect(Processors.cpuListCount("x") == nil)
    #expect(Processors.usable >= 1)
}
