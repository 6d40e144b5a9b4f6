import Foundation
import SuretyNumerics
import Testing
@testable import DeterminantalSampling

/// Issue #19, discrete designs: which least-squares estimator each design's guarantee is about
/// (volume sampling: unweighted; volume-rescaled: weighted with `m/‖φ_i‖²`), and the law of the
/// new samplers (volume-rescaled, DPP repetitions).
@Suite struct DiscreteDesignTests {
    /// The hardest ground set for unbiasedness: a line fit (m = 2) with one row of leverage 0.99
    /// far from the rest and a large residual on it, so any bias in the weighting shows.
    static func highLeverage() throws -> (space: DiscreteSpace, y: [Double]) {
        let t = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 5.0]
        let x = try Matrix(rows: t.count, columns: 2, rowMajor: t.flatMap { [1, $0] })
        let y = t.enumerated().map { sin(3 * $0.element) + ($0.offset == 6 ? 40 : 0) }
        return (try DiscreteSpace(featureMatrix: x), y)
    }

    /// `argmin_β Σ_t w_t (φ_tᵀβ − y_t)²` in the orthonormal coordinates (`dgelsd`).
    static func leastSquares(_ space: DiscreteSpace, items: [Int], y: [Double], weights: (Int) -> Double) throws -> [Double] {
        let rows = items.map { i in space.row(i).map { $0 * weights(i).squareRoot() } }
        let a = try Matrix(rows: items.count, columns: space.count, rowMajor: rows.flatMap { $0 })
        return try a.leastSquares(items.map { y[$0] * weights($0).squareRoot() }).coefficients
    }

    static func subsets(_ n: Int, _ k: Int) -> [[Int]] {
        k == 0 ? [[]] : (k > n ? [] : subsets(n - 1, k - 1).map { $0 + [n - 1] } + subsets(n - 1, k))
    }

    static func determinant(_ space: DiscreteSpace, _ items: [Int], weights: (Int) -> Double) throws -> Double {
        var g = Matrix(rows: space.count, columns: space.count)
        for i in items { let phi = space.row(i); for a in 0..<space.count { for b in 0..<space.count { g[a, b] += weights(i) * phi[a] * phi[b] } } }
        let (logAbs, sign) = try g.logAbsDeterminant()
        return sign * exp(logAbs)
    }

    static func relativeGap(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { $0 - $1 }.euclideanNorm / b.euclideanNorm }

    /// Claim: volume sampling (`DiscreteDesign.volume`, weight 1) gives an unbiased *unweighted*
    /// least-squares estimate of the solution on all N rows, for every s (Dereziński–Warmuth
    /// 2017), and volume-rescaled sampling (`.volumeRescaled`) an unbiased *weighted* one with
    /// `w_i = m/‖φ_i‖²` (DWH 2022; spec §B.5). Checked exactly, by enumerating every subset
    /// (every ordered sample) with its probability: the probabilities sum to 1 and the mean
    /// estimate equals the full solution to 10⁻⁹ (round-off of ≤ 2 401 small solves). The
    /// estimators the old code paired with volume sampling (weights m/‖φ_i‖²) and the unweighted
    /// one on volume-rescaled samples are printed: they are biased on this ground set.
    @Test func discreteDesignsUnbiasedByEnumeration() throws {
        let (space, y) = try Self.highLeverage()
        let n = space.items, m = space.count
        let full = try Self.leastSquares(space, items: Array(0..<n), y: y) { _ in 1 }
        let optimal: (Int) -> Double = { Double(m) / space.squaredRowNorms[$0] }
        let fullDeterminant = try Self.determinant(space, Array(0..<n)) { _ in 1 }
        for s in [m, m + 1, n - 2, n] {
            let binomial = PolynomialSpace.binomial(n - m, s - m)
            var total = 0.0, unweighted = [Double](repeating: 0, count: m), weighted = unweighted
            for subset in Self.subsets(n, s) {
                let p = try Self.determinant(space, subset) { _ in 1 } / (binomial * fullDeterminant)
                guard p > 0 else { continue }
                total += p
                unweighted = unweighted.adding(try Self.leastSquares(space, items: subset, y: y) { _ in 1 }, scaledBy: p)
                weighted = weighted.adding(try Self.leastSquares(space, items: subset, y: y, weights: optimal), scaledBy: p)
            }
            let bias = Self.relativeGap(weighted, full)
            print("[falsify] volume sampling s = \(s): Σ P = \(total), unweighted mean off by \(Self.relativeGap(unweighted, full)), "
                  + "with the old weights m/‖φ_i‖² off by \(bias)")
            #expect(abs(total - 1) < 1e-9 && Self.relativeGap(unweighted, full) < 1e-9, "s = \(s)")
            if s > m { #expect(bias > 1e-3, "s = \(s): the weighted estimator was expected to be biased here") }
        }
        let rho = (0..<n).map { space.masses[$0] * space.squaredRowNorms[$0] / Double(m) }
        for size in [m, m + 1, m + 2] {
            var total = 0.0, weighted = [Double](repeating: 0, count: m), unweighted = weighted
            var sequence = [Int](repeating: 0, count: size)
            func factorial(_ k: Int) -> Double { (0..<k).reduce(1.0) { $0 * Double($1 + 1) } }
            let scale = factorial(size - m) / factorial(size)                  // (n − m)!/n!
            while true {
                let p = try Self.determinant(space, sequence, weights: optimal) * sequence.reduce(scale) { $0 * rho[$1] }
                if p > 1e-300 {
                    total += p
                    weighted = weighted.adding(try Self.leastSquares(space, items: sequence, y: y, weights: optimal), scaledBy: p)
                    unweighted = unweighted.adding(try Self.leastSquares(space, items: sequence, y: y) { _ in 1 }, scaledBy: p)
                }
                var c = 0
                while c < size { sequence[c] += 1; if sequence[c] < n { break }; sequence[c] = 0; c += 1 }
                if c == size { break }
            }
            print("[falsify] volume-rescaled n = \(size): Σ P = \(total), weighted mean off by \(Self.relativeGap(weighted, full)), "
                  + "unweighted off by \(Self.relativeGap(unweighted, full))")
            #expect(abs(total - 1) < 1e-9 && Self.relativeGap(weighted, full) < 1e-9, "n = \(size)")
        }
    }

    /// χ² of observed category counts against exact probabilities; categories expected to hold
    /// fewer than 5 draws are pooled. Returns the statistic and the exact χ² quantile at `alpha`.
    static func chiSquarePooled(_ observed: [Int], _ probabilities: [Double], trials: Int, alpha: Double) -> (Double, Double) {
        let small = probabilities.indices.filter { Double(trials) * probabilities[$0] < 5 }
        var cells = probabilities.indices.filter { Double(trials) * probabilities[$0] >= 5 }.map { (observed[$0], probabilities[$0]) }
        if !small.isEmpty { cells.append((small.reduce(0) { $0 + observed[$1] }, small.reduce(0.0) { $0 + probabilities[$1] })) }
        let statistic = cells.reduce(0.0) { $0 + pow(Double($1.0) - Double(trials) * $1.1, 2) / (Double(trials) * $1.1) }
        return (statistic, Gamma.chiSquared(degreesOfFreedom: Double(cells.count - 1)).upperQuantile(alpha))
    }

    /// Claim: the samplers have the laws stated. Volume-rescaled, N = 7, m = 2, n = 3: the
    /// multiset of items against the enumerated law summed over orderings (84 multisets, repeats
    /// allowed). DPP repetitions, r = 2: the pair (first sample, second sample) against
    /// `det K_{S₁}·det K_{S₂}` (441 cells: the law of each repetition *and* their independence).
    /// The high-leverage ground set; 40 000 draws each; exact χ² quantile at false alarm 10⁻⁶/2
    /// per law (Bonferroni).
    @Test func discreteDesignLaws() throws {
        let (space, _) = try Self.highLeverage()
        let n = space.items, m = space.count
        let optimal: (Int) -> Double = { Double(m) / space.squaredRowNorms[$0] }
        let rho = (0..<n).map { space.masses[$0] * space.squaredRowNorms[$0] / Double(m) }
        let trials = 40_000
        // Volume-rescaled, n = 3: P(multiset) = Σ over its orderings of (1/3!)·det(Σ w φφᵀ)·Π ρ.
        var law: [[Int]: Double] = [:]
        for a in 0..<n { for b in 0..<n { for c in 0..<n {
            let sequence = [a, b, c]
            law[sequence.sorted(), default: 0] += try Self.determinant(space, sequence, weights: optimal) * rho[a] * rho[b] * rho[c] / 6
        } } }
        let keys = law.keys.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(abs(law.values.reduce(0, +) - 1) < 1e-12)
        var counts = [[Int]: Int]()
        var rng = RandomStream(seed: 1901)
        for _ in 0..<trials { counts[try DiscreteDesign.volumeRescaled(size: 3).draw(space, using: &rng).sorted(), default: 0] += 1 }
        #expect(Set(counts.keys).isSubset(of: Set(keys)))
        let (rescaled, rescaledCritical) = Self.chiSquarePooled(keys.map { counts[$0] ?? 0 }, keys.map { law[$0]! }, trials: trials, alpha: 1e-6 / 2)
        print("[falsify] discrete volume-rescaled N = \(n), m = \(m), n = 3: χ² \(rescaled) vs \(rescaledCritical) (\(keys.count) multisets)")
        #expect(rescaled < rescaledCritical)

        // DPP repetitions, r = 2: P(S) = det K_S with K = μ ΦΦᵀ, independently.
        let pairs = Self.subsets(n, m)
        let single = try pairs.map { try Self.determinant(space, $0) { space.masses[$0] } }
        #expect(abs(single.reduce(0, +) - 1) < 1e-12)
        var joint = [Int](repeating: 0, count: pairs.count * pairs.count)
        for _ in 0..<trials {
            let items = try DiscreteDesign.dppRepeat(repetitions: 2).draw(space, using: &rng)
            #expect(items.count == 2 * m)
            let first = pairs.firstIndex(of: Array(items[0..<m]).sorted())!, second = pairs.firstIndex(of: Array(items[m...]).sorted())!
            joint[first * pairs.count + second] += 1
        }
        let expected = single.flatMap { a in single.map { a * $0 } }
        let (repeated, repeatedCritical) = Self.chiSquarePooled(joint, expected, trials: trials, alpha: 1e-6 / 2)
        print("[falsify] discrete DPP repetitions r = 2, N = \(n), m = \(m): χ² \(repeated) vs \(repeatedCritical)")
        #expect(repeated < repeatedCritical)
    }

    /// Bad sizes are errors, not crashes: volume needs m ≤ s ≤ N, volume-rescaled n ≥ m,
    /// repetitions r ≥ 1, and volume sampling refuses non-uniform masses.
    @Test func discreteDesignErrors() throws {
        let (space, _) = try Self.highLeverage()
        var rng = RandomStream(seed: 1)
        for design in [DiscreteDesign.volume(size: 1), .volume(size: 8), .volumeRescaled(size: 1), .dppRepeat(repetitions: 0)] {
            #expect(throws: NumericsError.self) { try design.draw(space, using: &rng) }
        }
        let weighted = try DiscreteSpace(featureMatrix: space.features, masses: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4])
        #expect(throws: NumericsError.self) { try DiscreteDesign.volume(size: 3).draw(weighted, using: &rng) }
        #expect(DiscreteDesign.volume(size: 3).weight(space, item: 6) == 1)
        #expect(abs(DiscreteDesign.dpp.weight(space, item: 6) - 2 / space.squaredRowNorms[6]) < 1e-15)
    }

    /// Claim (`dppls.weighted-least-squares` on a ground set, `dppls fit --features`): for the
    /// sample drawn and every v in V_m, ‖f − f̂‖ ≤ ‖f − v‖ + bound_factor·‖f − v‖_n, norms in
    /// L²_μ over all N items and ‖g‖_n² = (1/n)Σ_t w_t g(x_t)² with the design's weights.
    /// Hardest targets: f ⟂ V_m whose values on the chosen rows point the weighted right-hand
    /// side along the design's smallest singular direction (so ‖f̂‖ = ‖f‖_n/σ_min, where the
    /// factor is tightest), completed off the sample to be orthogonal to V_m, with v = 0, v = P f
    /// and v random; plus random f. Designs: dpp (n = m, the least stable), dpp-repeat r = 2,
    /// volume s = m + 1 (weight 1), volume-rescaled n = 2m, on the ground sets of the inclusion
    /// tests whose masses are uniform and N ≥ 2m + 1. Exact check with a round-off allowance:
    /// LHS ≤ RHS·(1 + 10⁻⁹ + 100·κ(A)·u).
    @Test func discreteFitBoundAdversarialTargets() throws {
        var rng = RandomStream(seed: 1907)
        var fits = 0, worst = 0.0
        for set in try DPPFalsificationTests.groundSets() where set.masses.allSatisfy({ $0 == set.masses[0] }) && set.features.rows >= 2 * set.features.columns + 1 {
            let space = try DiscreteSpace(featureMatrix: set.features)
            let n = space.items, m = space.count
            let phi = (0..<n).map { space.row($0) }
            func project(_ f: [Double]) -> [Double] {             // P f in the φ basis: c = Σ μ_i f_i φ_i
                (0..<m).map { j in (0..<n).reduce(0.0) { $0 + space.masses[$1] * f[$1] * phi[$1][j] } }
            }
            func norm(_ g: [Double]) -> Double { (0..<n).reduce(0.0) { $0 + space.masses[$1] * g[$1] * g[$1] }.squareRoot() }
            for design in [DiscreteDesign.dpp, .dppRepeat(repetitions: 2), .volume(size: m + 1), .volumeRescaled(size: 2 * m)] {
                for _ in 0..<6 {
                    let items = try design.draw(space, using: &rng)
                    let weights = items.map { design.weight(space, item: $0) }
                    let count = Double(items.count)
                    // The weighted design and its smallest singular direction.
                    let a = try Matrix(rows: items.count, columns: m, rowMajor: items.enumerated().flatMap { t, i in phi[i].map { $0 * (weights[t] / count).squareRoot() } })
                    let svd = try a.gram().symmetricEigendecomposition()
                    let bottom = (0..<m).map { svd.vectors[$0, 0] }
                    let direction = try a.multiplied(by: bottom)
                    var targets: [[Double]] = [(0..<n).map { _ in Normal.standard.sample(using: &rng) }]
                    // f on the sample: values y_t with √(w_t/n)·y_t = direction_t (rows chosen twice get their mean).
                    var adversarial = [Double](repeating: 0, count: n), hits = [Double](repeating: 0, count: n)
                    for (t, i) in items.enumerated() { adversarial[i] += direction[t] / (weights[t] / count).squareRoot(); hits[i] += 1 }
                    for i in 0..<n where hits[i] > 0 { adversarial[i] /= hits[i] }
                    // Complete off the sample so that f ⟂ V_m: solve for the values on the other rows.
                    let free = (0..<n).filter { hits[$0] == 0 }
                    if free.count >= m {
                        let c = project(adversarial)
                        let b = try Matrix(rows: m, columns: free.count, rowMajor: (0..<m).flatMap { j in free.map { space.masses[$0] * phi[$0][j] } })
                        let correction = try b.leastSquares(c.map { -$0 }).coefficients
                        for (k, i) in free.enumerated() { adversarial[i] += correction[k] }
                        targets.append(adversarial)
                    }
                    for f in targets {
                        let fit = try WeightedLeastSquares.fit(space: space, items: items, weights: weights, values: items.map { f[$0] })
                        let fitted = (0..<n).map { i in zip(phi[i], fit.coefficients).reduce(0.0) { $0 + $1.0 * $1.1 } }
                        let best = project(f)
                        let candidates = [[Double](repeating: 0, count: m), best, best.map { $0 + Normal.standard.sample(using: &rng) }]
                        for c in candidates {
                            let v = (0..<n).map { i in zip(phi[i], c).reduce(0.0) { $0 + $1.0 * $1.1 } }
                            let lhs = norm(zip(f, fitted).map { $0 - $1 })
                            let gap = zip(f, v).map { $0 - $1 }
                            let empirical = (items.enumerated().reduce(0.0) { $0 + weights[$1.offset] * gap[$1.element] * gap[$1.element] } / count).squareRoot()
                            let rhs = norm(gap) + fit.boundFactor * empirical
                            let allowance = 1 + 1e-9 + 100 * fit.solutionCondition * Double.ulpOfOne
                            fits += 1
                            if rhs > 0 { worst = max(worst, lhs / rhs) }
                            #expect(lhs <= rhs * allowance, "\(set.name) \(design): ‖f − f̂‖ = \(lhs) > \(rhs)")
                        }
                    }
                }
            }
        }
        print("[falsify] discrete LS bound: \(fits) (design, f, v) triples, largest LHS/RHS \(worst)")
        #expect(fits > 100)
    }
}
