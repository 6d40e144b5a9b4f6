import Foundation
import SuretyNumerics
import Testing
@testable import DeterminantalSampling

/// χ² goodness of fit: the statistic and the critical value at false-alarm `alpha` (Wilson–
/// Hilferty approximation of the χ² quantile with `k − 1` degrees of freedom).
func chiSquare(observed: [Int], expected: [Double], alpha: Double = 1e-6) -> (statistic: Double, critical: Double) {
    let statistic = zip(observed, expected).reduce(0.0) { $0 + pow(Double($1.0) - $1.1, 2) / $1.1 }
    let df = Double(observed.count - 1), z = Normal.standard.quantile(1 - alpha)
    let critical = df * pow(1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot(), 3)
    return (statistic, critical)
}

@Suite struct BasisTests {
    /// Orthonormality by Gauss quadrature (exact for these polynomial degrees).
    @Test func orthonormalByQuadrature() throws {
        let legendre = try PolynomialSpace(family: .legendre, dimension: 2, degree: 3, indexSet: .tensor)
        #expect(legendre.count == 16)
        let rule = try OrthogonalPolynomialFamily.legendre.gaussQuadrature(points: 8)
        var gram = [Double](repeating: 0, count: 256)
        for (a, wa) in zip(rule.nodes, rule.weights) {
            for (b, wb) in zip(rule.nodes, rule.weights) {
                let phi = legendre.features([a, b])
                for i in 0..<16 { for j in 0..<16 { gram[i * 16 + j] += wa * wb * phi[i] * phi[j] } }
            }
        }
        for i in 0..<16 { for j in 0..<16 { #expect(abs(gram[i * 16 + j] - (i == j ? 1 : 0)) < 1e-12) } }

        let hermite = try PolynomialSpace(family: .hermite, dimension: 1, degree: 6)
        let h = try OrthogonalPolynomialFamily.hermite.gaussQuadrature(points: 10)
        for i in 0..<7 {
            for j in 0..<7 {
                let value = zip(h.nodes, h.weights).reduce(0.0) { $0 + $1.1 * hermite.features([$1.0])[i] * hermite.features([$1.0])[j] }
                #expect(abs(value - (i == j ? 1 : 0)) < 1e-9, "⟨φ_\(i), φ_\(j)⟩ = \(value)")
            }
        }
        let total = try PolynomialSpace(family: .legendre, dimension: 2, degree: 5)
        #expect(total.count == 21 && total.indices.first == [0, 0])      // C(7, 2)
    }

    /// The sample sizes of the matrix Chernoff rule against the spec's table (§B.2).
    @Test func sampleSizeRule() {
        for (m, delta, eta, n) in [(10, 0.5, 0.1, 490), (10, 0.5, 0.01, 703), (40, 0.9, 0.01, 1126), (5, 0.9, 0.1, 73), (20, 0.5, 0.1, 1108)] {
            #expect(WeightedLeastSquares.requiredSampleSize(m: m, delta: delta, eta: eta) == n, "m = \(m), δ = \(delta), η = \(eta)")
        }
    }
}

@Suite struct SamplerTests {
    /// Bins of [−1, 1] and their μ-mass of a density given as a function of x (Gauss–Legendre on each bin).
    static func binMasses(_ bins: Int, _ density: (Double) -> Double) throws -> [Double] {
        let rule = try GaussLegendre.rule(points: 20)
        return (0..<bins).map { b in
            let lo = -1 + 2 * Double(b) / Double(bins), hi = lo + 2 / Double(bins)
            return zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * (hi - lo) / 2 * density(lo + (hi - lo) * ($1.0 + 1) / 2) }
        }
    }

    static func histogram(_ xs: [Double], bins: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        for x in xs { counts[min(bins - 1, max(0, Int((x + 1) / 2 * Double(bins))))] += 1 }
        return counts
    }

    /// The optimal density sampler: x ~ p̂_k² dμ for Legendre degree 4 (χ², 20 bins, 1e-6).
    @Test func optimalDensity() throws {
        var rng = RandomStream(seed: 1)
        let draws = try (0..<40_000).map { _ in try UnivariateSquareSampler.legendre(degree: 4, using: &rng) }
        let expected = try Self.binMasses(20) { x in
            let p = (try? OrthogonalPolynomialFamily.legendre.values(upTo: 4, at: x, orthonormal: true)[4]) ?? 0
            return p * p / 2
        }
        let fit = chiSquare(observed: Self.histogram(draws, bins: 20), expected: expected.map { $0 * 40_000 })
        #expect(fit.statistic < fit.critical, "χ² \(fit.statistic) ≥ \(fit.critical)")
    }

    /// The DPP's one-point intensity is k_m(x)/m (every point of a projection DPP is marginally
    /// ρ_m): 3 000 samples of m = 6 Legendre, pooled, against ρ_m (χ², 20 bins, 1e-6), for both
    /// samplers: the chain rule and the tridiagonal model.
    @Test(arguments: [true, false]) func dppOnePointIntensity(chainRule: Bool) throws {
        let space = try PolynomialSpace(family: .legendre, dimension: 1, degree: 5)
        var rng = RandomStream(seed: 2)
        var points: [Double] = []
        for _ in 0..<3000 { points += try ProjectionDPP.sample(space, chainRule: chainRule, using: &rng).map { $0[0] } }
        let expected = try Self.binMasses(20) { space.christoffel([$0]) / Double(space.count) / 2 }
        let fit = chiSquare(observed: Self.histogram(points, bins: 20), expected: expected.map { $0 * Double(points.count) })
        #expect(fit.statistic < fit.critical, "χ² \(fit.statistic) ≥ \(fit.critical)")
        // Repulsion: the pooled points are ρ_m-distributed, but within a sample no two coincide.
    }

    /// Discrete projection DPP: inclusion frequencies of each item match K_ii = μ_i‖φ_i‖²
    /// (Clopper–Pearson at 1e-6/N per item), and every sample has m distinct items.
    @Test func discreteInclusionProbabilities() throws {
        var rng = RandomStream(seed: 3)
        let n = 30, k = 4
        let a = try Matrix(rows: n, columns: k, columnMajor: (0..<(n * k)).map { _ in Normal.standard.sample(using: &rng) })
        let space = try DiscreteSpace(featureMatrix: a)
        var counts = [Int](repeating: 0, count: n)
        let trials = 20_000
        for _ in 0..<trials {
            let s = ProjectionDPP.sample(space, using: &rng)
            #expect(Set(s).count == k)
            for i in s { counts[i] += 1 }
        }
        for i in 0..<n {
            let kii = space.masses[i] * space.row(i).reduce(0) { $0 + $1 * $1 }
            let band = try ConcentrationBounds.clopperPearson(successes: counts[i], trials: trials, failureProbability: 1e-6 / Double(n))
            #expect(band.contains(kii), "item \(i): \(counts[i]) of \(trials) vs K_ii = \(kii)")
        }
    }

    /// Finite volume sampling of size s = 4 from N = 6 items, m = 3 (DPP + uniform rest): subset
    /// frequencies match det(X_SᵀX_S)/(C(N−m, s−m)·det(XᵀX)) over all 15 subsets (χ², 1e-6).
    @Test func volumeSamplingByEnumeration() throws {
        var rng = RandomStream(seed: 4)
        let x = try Matrix(rows: 6, columns: 3, columnMajor: (0..<18).map { _ in Normal.standard.sample(using: &rng) })
        let space = try DiscreteSpace(featureMatrix: x)
        var subsets: [[Int]] = []
        for a in 0..<6 { for b in (a + 1)..<6 { for c in (b + 1)..<6 { for d in (c + 1)..<6 { subsets.append([a, b, c, d]) } } } }
        let full = try x.gram().logAbsDeterminant()
        let expected = try subsets.map { s -> Double in
            let sub = try Matrix(rows: 4, columns: 3, rowMajor: s.flatMap { x.row($0) })
            return exp(try sub.gram().logAbsDeterminant().logAbs - full.logAbs) / 3      // C(3, 1) = 3
        }
        #expect(abs(expected.reduce(0, +) - 1) < 1e-10)                                   // Cauchy–Binet
        var counts = [Int](repeating: 0, count: subsets.count)
        let trials = 30_000
        for _ in 0..<trials {
            let s = FiniteVolumeSampling.sample(space, size: 4, using: &rng).sorted()
            counts[subsets.firstIndex(of: s)!] += 1
        }
        let fit = chiSquare(observed: counts, expected: expected.map { $0 * Double(trials) })
        #expect(fit.statistic < fit.critical, "χ² \(fit.statistic) ≥ \(fit.critical)")
    }

    /// E[G] = I for the optimal weights: the mean of w(x)φ(x)φ(x)ᵀ over 20 000 draws from ρ_m is I
    /// within 4.89 standard errors per entry (false alarm ≈ 1e-6 each).
    @Test func expectedGramIsIdentity() throws {
        let space = try PolynomialSpace(family: .legendre, dimension: 2, degree: 2)
        let m = space.count
        var rng = RandomStream(seed: 5)
        var sum = [Double](repeating: 0, count: m * m), squares = sum
        let trials = 20_000
        for _ in 0..<trials {
            let x = try space.sampleOptimal(using: &rng)
            let phi = space.features(x), w = WeightedLeastSquares.weight(space, x)
            for i in 0..<m { for j in 0..<m { let v = w * phi[i] * phi[j]; sum[i * m + j] += v; squares[i * m + j] += v * v } }
        }
        for k in 0..<(m * m) {
            let mean = sum[k] / Double(trials), sd = (squares[k] / Double(trials) - mean * mean).squareRoot()
            #expect(abs(mean - (k % (m + 1) == 0 ? 1 : 0)) < 4.89 * sd / Double(trials).squareRoot() + 1e-12, "entry \(k): \(mean)")
        }
    }
}
