import Foundation
import SuretyNumerics
import Testing
@testable import DeterminantalSampling

/// Falsification tests of the DeterminantalSampling claims: each test builds the hardest case
/// the claim's assumptions allow and checks it with an exact binomial test (two-sided, the
/// false-alarm rate split evenly between the sides and Bonferroni-corrected over every event
/// of the test, stated where the threshold is set) or with an exact check and a round-off
/// allowance derived in the comment. Each test prints a `[falsify]` line per case with the
/// measured result.
///
/// Longer sweeps run with `SURETY_FALSIFY_LONG=1` in the environment (more samples, seeds and
/// designs; the same thresholds, which come from the false-alarm rates).
@Suite struct DPPFalsificationTests {
    static let long = ProcessInfo.processInfo.environment["SURETY_FALSIFY_LONG"] == "1"

    // MARK: - Exact binomial bookkeeping

    /// Events checked in one test: each with its claimed probability and count out of `trials`.
    struct Ledger {
        var events: [(name: String, claimed: Double, count: Int, trials: Int)] = []

        mutating func add(_ name: String, claimed: Double, count: Int, trials: Int) {
            // The claimed probabilities are computed in floating point; they lie in [0, 1] exactly.
            events.append((name, min(1, max(0, claimed)), count, trials))
        }

        /// Two-sided exact binomial tests at `falseAlarm` in total: `falseAlarm/(2·events)` per
        /// side and event (Bonferroni). Returns the refuted events, the smallest one-sided
        /// p-value, and the power: the largest deviation |k/n − p| that goes unrefuted for the
        /// event of largest variance p(1 − p) (every other event sees smaller deviations).
        func check(falseAlarm: Double) throws -> (refuted: [String], smallestP: Double, perSide: Double, blind: Double) {
            let perSide = falseAlarm / Double(2 * max(events.count, 1))
            var refuted: [String] = [], smallest = 1.0, blind = 0.0
            if let e = events.max(by: { $0.claimed * (1 - $0.claimed) < $1.claimed * (1 - $1.claimed) }) {
                let hi = try ExactBinomialTest.criticalCountAtMost(rate: e.claimed, trials: e.trials, falseAlarm: perSide)
                let lo = try ExactBinomialTest.criticalCountAtLeast(rate: e.claimed, trials: e.trials, falseAlarm: perSide)
                blind = max(Double(hi) / Double(e.trials) - e.claimed, e.claimed - Double(lo) / Double(e.trials))
            }
            for e in events {
                let up = try ExactBinomialTest.pValueAtMost(rate: e.claimed, events: e.count, trials: e.trials)
                let down = try ExactBinomialTest.pValueAtLeast(rate: e.claimed, events: e.count, trials: e.trials)
                smallest = min(smallest, up, down)
                if try ExactBinomialTest.refutesAtMost(rate: e.claimed, events: e.count, trials: e.trials, falseAlarm: perSide)
                    || ExactBinomialTest.refutesAtLeast(rate: e.claimed, events: e.count, trials: e.trials, falseAlarm: perSide) {
                    refuted.append("\(e.name): \(e.count)/\(e.trials) vs p = \(e.claimed) (p-values \(up), \(down))")
                }
            }
            return (refuted, smallest, perSide, blind)
        }
    }

    // MARK: - Discrete projection DPP

    /// The correlation kernel `K = QQᵀ` of the projection onto the column span of
    /// `diag(√μ)·A`, from LAPACK's Householder QR — independent of `DiscreteSpace`'s
    /// Gram–Schmidt, so that an orthonormalization error would show.
    static func kernel(_ a: Matrix, masses: [Double]) throws -> [[Double]] {
        var scaled = a
        for i in 0..<a.rows { for j in 0..<a.columns { scaled[i, j] *= masses[i].squareRoot() } }
        let q = try scaled.qr().q
        return (0..<a.rows).map { i in (0..<a.rows).map { j in (0..<a.columns).reduce(0) { $0 + q[i, $1] * q[j, $1] } } }
    }

    /// A named ground set: feature matrix and item masses.
    struct GroundSet {
        var name: String
        var features: Matrix
        var masses: [Double]
    }

    /// The hardest ground sets the claim allows (every one has full column rank).
    static func groundSets() throws -> [GroundSet] {
        var rng = RandomStream(seed: 0xD99)
        func gaussian(_ n: Int, _ k: Int, scale: Double = 1) -> [[Double]] {
            (0..<n).map { _ in (0..<k).map { _ in scale * Normal.standard.sample(using: &rng) } }
        }
        var sets: [GroundSet] = []
        // (a) Three items of high leverage (the largest 0.9993) in their own directions, 37 items
        // of tiny leverage sharing the fourth direction and the remainders.
        var leverage = gaussian(37, 4, scale: 0.05)
        leverage.insert([12, 0.3, 0, 0.1], at: 0)
        leverage.insert([0, 2.2, 0.1, 0], at: 17)
        leverage.insert([0.2, 0, 0.32, 0], at: 39)
        sets.append(GroundSet(name: "leverage N=40 m=4", features: try Matrix(leverage), masses: Array(repeating: 1 / 40, count: 40)))
        // (b) Near-duplicate rows: 1 ≈ 0 (10⁻³ apart), 3 = 2 exactly, 5 = −4 (K_ij² = K_ii K_jj, so
        // P(both) = 0 exactly), 7 ≈ 6·(1 + 10⁻⁶).
        var dup = gaussian(12, 5)
        dup[1] = zip(dup[0], gaussian(1, 5, scale: 1e-3)[0]).map { $0 + $1 }
        dup[3] = dup[2]
        dup[5] = dup[4].map { -$0 }
        dup[7] = dup[6].map { $0 * (1 + 1e-6) }
        sets.append(GroundSet(name: "near-duplicates N=12 m=5", features: try Matrix(dup), masses: Array(repeating: 1 / 12, count: 12)))
        // (c) Rank m = N − 1: K = I − uuᵀ (u the unit normal of the column span), P(i ∉ S) = u_i².
        sets.append(GroundSet(name: "m=N-1 N=9 m=8", features: try Matrix(gaussian(9, 8)), masses: Array(repeating: 1 / 9, count: 9)))
        // (d) m = 1 with one dominant item: K_ii = a_i²/Σa².
        var one = gaussian(15, 1, scale: 0.2)
        one[4] = [3]
        sets.append(GroundSet(name: "m=1 N=15", features: try Matrix(one), masses: Array(repeating: 1 / 15, count: 15)))
        // (e) m = N: K = I, every item in every sample.
        sets.append(GroundSet(name: "m=N N=6", features: try Matrix(gaussian(6, 6)), masses: Array(repeating: 1 / 6, count: 6)))
        // (f) Masses from 10⁻³ to 1 (normalized): leverage driven by the masses.
        let raw = (0..<20).map { _ in pow(10, -3 * rng.nextUniform()) }
        let total = raw.reduce(0, +)
        sets.append(GroundSet(name: "masses N=20 m=3", features: try Matrix(gaussian(20, 3)), masses: raw.map { $0 / total }))
        // (g) Ill-conditioned features: columns x, x + 10⁻⁷y, z, z + 10⁻⁶u (condition ≈ 10⁷).
        let base = gaussian(25, 4)
        let ill = base.map { r in [r[0], r[0] + 1e-7 * r[1], r[2], r[2] + 1e-6 * r[3]] }
        sets.append(GroundSet(name: "ill-conditioned N=25 m=4", features: try Matrix(ill), masses: Array(repeating: 1 / 25, count: 25)))
        return sets
    }

    /// Claim: the discrete projection DPP (`ProjectionDPP.sample(DiscreteSpace)`, also the
    /// `dppls design --features … --method dpp` design) includes item i with probability K_ii
    /// and the pair {i, j} with probability K_ii K_jj − K_ij², and returns m distinct items.
    /// Attacked on seven ground sets: high-leverage items among tiny ones, near-duplicate and
    /// exactly duplicated rows (pair probability 0), m = N − 1, m = 1, m = N, masses spanning
    /// three decades, and ill-conditioned features. Every single and every pair is one event;
    /// false alarm 10⁻⁶ for the whole test (10⁻⁶/7 per ground set, Bonferroni over its
    /// 2·(N + N(N−1)/2) one-sided tests).
    @Test func discreteInclusionProbabilitiesInHardGroundSets() throws {
        let sets = try Self.groundSets()
        for (s, set) in sets.enumerated() {
            // Fewer samples where the debug-build sampler is slowest (m = N − 1, and m = N, whose
            // claim K = I is checked exactly by any number of samples).
            let samples = (Self.long ? 200_000 : 12_000) / (set.features.columns == set.features.rows ? 6 : set.features.columns >= 8 ? 2 : 1)
            let started = ContinuousClock.now
            let space = try DiscreteSpace(featureMatrix: set.features, masses: set.masses)
            let k = try Self.kernel(set.features, masses: set.masses)
            let n = set.features.rows, m = set.features.columns
            var single = [Int](repeating: 0, count: n), pair = [Int](repeating: 0, count: n * n)
            var rng = RandomStream(seed: 100 + UInt64(s))
            var malformed = 0
            for _ in 0..<samples {
                let sample = ProjectionDPP.sample(space, using: &rng)
                if sample.count != m || Set(sample).count != m || sample.contains(where: { $0 < 0 || $0 >= n }) { malformed += 1 }
                for i in sample { single[i] += 1 }
                for a in sample { for b in sample where a < b { pair[a * n + b] += 1 } }
            }
            #expect(malformed == 0, "\(set.name): \(malformed) samples without m distinct items")       // exact
            var ledger = Ledger()
            for i in 0..<n { ledger.add("item \(i)", claimed: k[i][i], count: single[i], trials: samples) }
            for i in 0..<n { for j in (i + 1)..<n {
                ledger.add("pair \(i),\(j)", claimed: k[i][i] * k[j][j] - k[i][j] * k[i][j], count: pair[i * n + j], trials: samples)
            } }
            let result = try ledger.check(falseAlarm: 1e-6 / Double(sets.count))
            let maxLeverage = (0..<n).map { k[$0][$0] }.max()!, minLeverage = (0..<n).map { k[$0][$0] }.min()!
            print("[falsify] discrete DPP \(set.name) (\(ContinuousClock.now - started)): \(samples) samples, \(ledger.events.count) events, K_ii in [\(minLeverage), \(maxLeverage)], "
                  + "smallest p-value \(result.smallestP) vs per-side threshold \(result.perSide), blind to |Δ| < \(result.blind), refuted \(result.refuted.count)")
            #expect(result.refuted.isEmpty, "\(set.name): \(result.refuted.prefix(5))")
        }
    }

    /// Claim: finite volume sampling of size s (`FiniteVolumeSampling.sample`, `dppls design
    /// --method volume`) is a projection DPP plus s − m uniform items, so by its subset law
    /// P(i ∈ S) = K_ii + (1 − K_ii)·q₁ and P(i, j ∈ S) = p_ij + (K_ii + K_jj − 2p_ij)·q₁ +
    /// (1 − K_ii − K_jj + p_ij)·q₂, with p_ij = K_ii K_jj − K_ij², q₁ = (s−m)/(N−m),
    /// q₂ = q₁·(s−m−1)/(N−m−1). Attacked with the high-leverage ground set at s = m, m + 1,
    /// N − 1 and N (where every item is in every sample: checked exactly). False alarm 10⁻⁶ for
    /// the test (Bonferroni over the sizes and the 2·(N + N(N−1)/2) one-sided tests of each).
    @Test func volumeSamplingInclusionProbabilities() throws {
        let set = try Self.groundSets()[0]
        let space = try DiscreteSpace(featureMatrix: set.features, masses: set.masses)
        let k = try Self.kernel(set.features, masses: set.masses)
        let n = set.features.rows, m = set.features.columns
        let sizes = [m, m + 1, n - 1, n]
        for (c, size) in sizes.enumerated() {
            // s = N is an exact check (every item, every time); s = N − 1 counts 741 pairs a sample.
            let samples = (Self.long ? 100_000 : 6_000) / (size == n ? 12 : size == n - 1 ? 2 : 1)
            var single = [Int](repeating: 0, count: n), pair = [Int](repeating: 0, count: n * n)
            var rng = RandomStream(seed: 200 + UInt64(c))
            var malformed = 0
            for _ in 0..<samples {
                let sample = FiniteVolumeSampling.sample(space, size: size, using: &rng)
                if sample.count != size || Set(sample).count != size { malformed += 1 }
                for i in sample { single[i] += 1 }
                for a in sample { for b in sample where a < b { pair[a * n + b] += 1 } }
            }
            #expect(malformed == 0)
            let q1 = Double(size - m) / Double(n - m)
            let q2 = n - m > 1 ? q1 * Double(size - m - 1) / Double(n - m - 1) : 0
            var ledger = Ledger()
            for i in 0..<n { ledger.add("item \(i)", claimed: k[i][i] + (1 - k[i][i]) * q1, count: single[i], trials: samples) }
            for i in 0..<n { for j in (i + 1)..<n {
                let p = k[i][i] * k[j][j] - k[i][j] * k[i][j]
                let claimed = p + (k[i][i] + k[j][j] - 2 * p) * q1 + (1 - k[i][i] - k[j][j] + p) * q2
                ledger.add("pair \(i),\(j)", claimed: claimed, count: pair[i * n + j], trials: samples)
            } }
            let result = try ledger.check(falseAlarm: 1e-6 / Double(sizes.count))
            print("[falsify] volume sampling N=\(n) m=\(m) s=\(size): \(samples) samples, smallest p-value \(result.smallestP) "
                  + "vs per-side threshold \(result.perSide), blind to |Δ| < \(result.blind), refuted \(result.refuted.count)")
            #expect(result.refuted.isEmpty, "s = \(size): \(result.refuted.prefix(5))")
        }
    }

    // MARK: - Continuous projection DPPs

    /// `G_A = ∫_A φφᵀ dμ` for a box `A` by tensor Gauss–Legendre (`points` per coordinate; exact
    /// for Legendre spaces with `points ≥ degree + 1`), with the reference density `density`.
    static func boxGram(_ space: PolynomialSpace, box: [(Double, Double)], points: Int, density: (Double) -> Double) throws -> Matrix {
        let rules = try box.map { try GaussLegendre.rule(points: points, on: $0.0, $0.1) }
        let m = space.count
        var g = Matrix(rows: m, columns: m)
        var index = [Int](repeating: 0, count: box.count)
        while true {
            let x = index.enumerated().map { rules[$0.offset].nodes[$0.element] }
            let w = index.enumerated().reduce(1.0) { $0 * rules[$1.offset].weights[$1.element] * density(x[$1.offset]) }
            let phi = space.features(x)
            for a in 0..<m { for b in 0..<m { g[a, b] += w * phi[a] * phi[b] } }
            var c = 0
            while c < index.count { index[c] += 1; if index[c] < points { break }; index[c] = 0; c += 1 }
            if c == index.count { break }
        }
        return g
    }

    /// The law of `N(A)` for a projection DPP: Poisson-binomial with the eigenvalues of `G_A`
    /// (`E z^{N(A)} = det(I − (1 − z)G_A)`).
    static func countLaw(_ gram: Matrix) throws -> [Double] {
        let lambdas = try gram.symmetricEigendecomposition().values.map { min(1, max(0, $0)) }
        var pmf = [1.0]
        for l in lambdas {
            var next = [Double](repeating: 0, count: pmf.count + 1)
            for (c, p) in pmf.enumerated() { next[c] += p * (1 - l); next[c + 1] += p * l }
            pmf = next
        }
        return pmf
    }

    struct ContinuousCase {
        var name: String
        var space: PolynomialSpace
        var chainRule: Bool
        var boxes: [[(Double, Double)]]
        var samples: Int
        var quadrature: Int
        var density: @Sendable (Double) -> Double
        var domain: ClosedRange<Double>
    }

    /// Claim: the continuous projection DPP of `V_m` (Killip–Nenciu tridiagonal model for 1-D
    /// Legendre, chain rule with rejection otherwise) has intensity K(x, x) = k_m(x) — so a
    /// uniformly chosen point of a sample falls in A with probability tr(G_A)/m,
    /// G_A = ∫_A φφᵀ dμ — and, more strongly, N(A) is Poisson-binomial with the eigenvalues of
    /// G_A (which an i.i.d. sample from ρ_m, with the same intensity, fails). Attacked at
    /// m = 1, 3, 12 and 40 (tridiagonal), on intervals at the very edges where k_m ≈ m², a
    /// tiny interior one and a wide one; 1-D chain rule (m = 7), 2-D total degree 2 (m = 6,
    /// corner and strip), Hermite m = 5 (tails), Hermite m = 11 (chain rule) and m = 51
    /// (tridiagonal), past the edge 2√m of the bulk (issue #19). Events: N(A) = c for c = 0…min(m, 6),
    /// N(A) > 6, and "a uniformly chosen point lies in A". False alarm 10⁻⁶ for the test,
    /// Bonferroni over cases and events. Exact checks: m points, all finite, in the domain, distinct.
    @Test func continuousCountsInBoxes() throws {
        let uniform: @Sendable (Double) -> Double = { _ in 0.5 }
        let gauss: @Sendable (Double) -> Double = { exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }
        let edges: [[(Double, Double)]] = [[(-1, -0.999)], [(0.97, 1)], [(-0.25, 0.1)], [(0.5, 0.503)]]
        let scale = Self.long ? 10 : 1
        var cases: [ContinuousCase] = []
        for (m, samples) in [(1, 4000), (3, 4000), (12, 4000), (40, 1500)] {
            cases.append(ContinuousCase(name: "tridiagonal Legendre m=\(m)", space: try PolynomialSpace(family: .legendre, dimension: 1, degree: m - 1),
                                        chainRule: false, boxes: edges, samples: samples * scale, quadrature: m + 2, density: uniform, domain: -1...1))
        }
        cases.append(ContinuousCase(name: "chain-rule Legendre m=7", space: try PolynomialSpace(family: .legendre, dimension: 1, degree: 6),
                                    chainRule: true, boxes: edges, samples: 3000 * scale, quadrature: 9, density: uniform, domain: -1...1))
        cases.append(ContinuousCase(name: "chain-rule Legendre 2-D m=6", space: try PolynomialSpace(family: .legendre, dimension: 2, degree: 2),
                                    chainRule: true, boxes: [[(0.8, 1), (0.8, 1)], [(-0.3, 0.3), (-1, 1)], [(-1, -0.9), (-0.2, 0.6)]],
                                    samples: 2000 * scale, quadrature: 5, density: uniform, domain: -1...1))
        cases.append(ContinuousCase(name: "chain-rule Hermite m=5", space: try PolynomialSpace(family: .hermite, dimension: 1, degree: 4),
                                    chainRule: true, boxes: [[(1.5, 14)], [(-0.3, 0.3)], [(-14, -2.8)]],
                                    samples: 2000 * scale, quadrature: 200, density: gauss, domain: -1e6...1e6))
        // Issue #19: Hermite at the spec's degree 10 (chain rule, through the Hermite-ensemble
        // optimal-density sampler) and at degree 50 (the tridiagonal model), edges past 2√m.
        cases.append(ContinuousCase(name: "chain-rule Hermite m=11", space: try PolynomialSpace(family: .hermite, dimension: 1, degree: 10),
                                    chainRule: true, boxes: [[(5, 30)], [(-0.2, 0.2)], [(-30, -4)]],
                                    samples: 2000 * scale, quadrature: 200, density: gauss, domain: -1e6...1e6))
        cases.append(ContinuousCase(name: "tridiagonal Hermite m=51", space: try PolynomialSpace(family: .hermite, dimension: 1, degree: 50),
                                    chainRule: false, boxes: [[(13, 40)], [(-0.3, 0.3)], [(-40, -11)]],
                                    samples: 1500 * scale, quadrature: 240, density: gauss, domain: -1e6...1e6))
        var ledgers: [(String, Ledger)] = []
        for (c, testCase) in cases.enumerated() {
            let m = testCase.space.count, d = testCase.space.dimension
            let grams = try testCase.boxes.map { try Self.boxGram(testCase.space, box: $0, points: testCase.quadrature, density: testCase.density) }
            let laws = try grams.map { try Self.countLaw($0) }
            var counts = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: testCase.boxes.count)
            var picked = [Int](repeating: 0, count: testCase.boxes.count)
            var malformed = 0
            var rng = RandomStream(seed: 300 + UInt64(c))
            for _ in 0..<testCase.samples {
                let sample = try ProjectionDPP.sample(testCase.space, chainRule: testCase.chainRule, using: &rng)
                if sample.count != m || sample.contains(where: { $0.count != d || $0.contains { !$0.isFinite || !testCase.domain.contains($0) } })
                    || Set(sample).count != m { malformed += 1 }
                let chosen = sample[rng.nextInt(below: m)]
                for (b, box) in testCase.boxes.enumerated() {
                    func inside(_ x: [Double]) -> Bool { zip(x, box).allSatisfy { $0 >= $1.0 && $0 <= $1.1 } }
                    counts[b][sample.filter(inside).count] += 1
                    if inside(chosen) { picked[b] += 1 }
                }
            }
            #expect(malformed == 0, "\(testCase.name): \(malformed) malformed samples")
            var ledger = Ledger()
            for (b, law) in laws.enumerated() {
                for value in 0...min(m, 6) { ledger.add("box \(b) N=\(value)", claimed: law[value], count: counts[b][value], trials: testCase.samples) }
                if m > 6 { ledger.add("box \(b) N>6", claimed: law[7...].reduce(0, +), count: counts[b][7...].reduce(0, +), trials: testCase.samples) }
                ledger.add("box \(b) uniform point", claimed: grams[b].diagonal.reduce(0, +) / Double(m), count: picked[b], trials: testCase.samples)
            }
            ledgers.append((testCase.name, ledger))
        }
        let total = ledgers.reduce(0) { $0 + $1.1.events.count }
        for (name, ledger) in ledgers {
            let result = try ledger.check(falseAlarm: 1e-6 * Double(ledger.events.count) / Double(total))
            let gaps = ledger.events.filter { $0.name.hasSuffix("N=0") }.map { String(format: "%.4f/%.4f", Double($0.count) / Double($0.trials), $0.claimed) }
            print("[falsify] continuous DPP \(name): \(ledger.events.first!.trials) samples, \(ledger.events.count) events, gap P(N=0) seen/claimed \(gaps), "
                  + "smallest p-value \(result.smallestP) vs per-side threshold \(result.perSide), blind to |Δ| < \(result.blind), refuted \(result.refuted.count)")
            #expect(result.refuted.isEmpty, "\(name): \(result.refuted.prefix(5))")
        }
    }

    // MARK: - Weighted least squares: the deterministic quasi-optimality bound

    /// `B((x − c)/h) = (1 − ((x − c)/h)²)⁴` on `|x − c| < h`: a polynomial bump of height 1.
    static func bump(_ x: Double, _ c: Double, _ h: Double) -> Double {
        let u = (x - c) / h
        return abs(u) < 1 ? pow(1 - u * u, 4) : 0
    }

    /// A target on [−1, 1]: `smooth(x) + Σ a_i B((x − c_i)/h) − φ(x)ᵀpoly`.
    struct Target {
        var smooth: (Double) -> Double = { _ in 0 }
        var smoothPanels = 1
        var kinks: [Double] = []
        var centers: [Double] = []
        var heights: [Double] = []
        var width = 1.0
        var poly: [Double]

        /// The value at `x`, given `φ(x)`.
        func value(_ x: Double, _ phi: [Double]) -> Double {
            var v = smooth(x)
            for (c, a) in zip(centers, heights) { v += a * DPPFalsificationTests.bump(x, c, width) }
            return v - zip(phi, poly).reduce(0) { $0 + $1.0 * $1.1 }
        }

        /// Panels on which every piece is a polynomial (or, for the Runge function, analytic
        /// with its poles ≥ 0.2/(1/16) panel half-widths away): `smoothPanels` uniform ones,
        /// split at the bumps' ends and centres and at the kinks.
        var breakpoints: [Double] {
            var b = (0...smoothPanels).map { -1 + 2 * Double($0) / Double(smoothPanels) } + kinks
            for c in centers { b += [c - width, c, c + width] }
            return Array(Set(b.map { min(1, max(-1, $0)) })).sorted()
        }
    }

    /// Composite Gauss–Legendre nodes and weights for `∫ · dμ`, μ = dx/2 on [−1, 1], with
    /// `points` per panel: exact for polynomial pieces of degree ≤ 2·points − 1.
    static func quadrature(_ breakpoints: [Double], points: Int) throws -> (x: [Double], w: [Double]) {
        var x: [Double] = [], w: [Double] = []
        for (lo, hi) in zip(breakpoints, breakpoints.dropFirst()) where hi > lo {
            let rule = try GaussLegendre.rule(points: points, on: lo, hi)
            x += rule.nodes
            w += rule.weights.map { $0 / 2 }
        }
        return (x, w)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Claim (the `dppls.weighted-least-squares` certificate, `WeightedLeastSquares.Fit`): for
    /// every v in V_m, ‖f − f̂‖ ≤ ‖f − v‖ + bound_factor·‖f − v‖_n, deterministically for the
    /// sample. Hardest targets: f ⊥ V_m made of narrow polynomial bumps (width ≤ 10⁻⁴) whose
    /// values at the sample points are those of the eigenvector u of G with the smallest
    /// eigenvalue — then f̂ = u and the bound is tight up to ‖f‖ ≈ 10⁻³ whenever ‖G − I‖ is
    /// attained at the bottom of the spectrum; the same with random sample values; a degree
    /// m + 2 orthonormal polynomial; Runge's 1/(1 + 25x²); Runge plus a spike of height 10 at a
    /// sample point; |x − x₁| (a kink at a sample point). v = 0 (= Pf for the orthogonal
    /// targets), f̂, the L² projection Pf, u, and a random v. Designs: i.i.d. ρ_m with n = m
    /// (unstable) and 2m, one DPP (n = m), two DPP repetitions, volume-rescaled n = 2m; m = 3, 6,
    /// 10 (Legendre, 1-D); 4 seeds each (60 with SURETY_FALSIFY_LONG=1).
    ///
    /// Norms are computed by composite Gauss–Legendre, exact for the polynomial pieces (relative
    /// error ≈ 10⁻¹⁴). Round-off allowance: the fit and the factor come from a backward-stable
    /// QR and SVD, whose forward errors relative to the right-hand side are ≲ c·(n + m)·κ(A)·ε
    /// (κ the condition number of the weighted design A, ε = 2.2·10⁻¹⁶); a violation is counted
    /// when LHS > RHS·(1 + 10⁻¹¹ + 10·(n + m)·κ(A)·ε).
    @Test func leastSquaresBoundAdversarialTargets() throws {
        let seeds = Self.long ? 60 : 4
        var worst = 0.0, tightest = "", evaluations = 0, skipped = 0, violations: [String] = []
        // The largest ratio per target among the (design, v) with ‖f − v‖_n > 0: for v with
        // ‖f − v‖_n = 0 (v = f̂ interpolating, or v = u for the u-bumps) the bound holds with
        // equality trivially.
        var tightestByTarget: [String: Double] = [:]
        for m in [3, 6, 10] {
            let space = try PolynomialSpace(family: .legendre, dimension: 1, degree: m - 1)
            let designs: [SamplingDesign] = [.iid(count: m), .iid(count: 2 * m), .dpp, .dppRepeat(repetitions: 2), .volumeRescaled(count: 2 * m)]
            let points = m + 9                                          // bump (degree 8) − poly (m − 1), squared
            for design in designs {
                for seed in 0..<seeds {
                    var rng = RandomStream(seed: 1000 * UInt64(m) + UInt64(seed))
                    let sample = try design.draw(space, using: &rng)
                    let xs = sample.map { $0[0] }, n = xs.count
                    let (a, _) = try WeightedLeastSquares.design(space: space, points: sample)
                    let sigma = try a.singularValues()
                    let kappa = sigma.first! / sigma.last!
                    guard kappa < 1e12 else { skipped += 1; continue }               // QR calls it singular
                    let eigen = try a.gram().symmetricEigendecomposition()
                    let bottom = eigen.values.indices.min { eigen.values[$0] < eigen.values[$1] }!
                    let u = (0..<m).map { eigen.vectors[$0, bottom] }
                    let sorted = xs.sorted()
                    let gap = zip(sorted, sorted.dropFirst()).map { $1 - $0 }.min() ?? 1
                    let h = min(1e-4, 0.4 * gap)
                    let weights = sample.map { WeightedLeastSquares.weight(space, $0) }
                    let phiAt = xs.map { space.features([$0]) }
                    // ⟨B_i, φ_j⟩ over each bump's support (exact: polynomial pieces).
                    let bumpProjection = try xs.map { c -> [Double] in
                        let q = try Self.quadrature([max(-1, c - h), c, min(1, c + h)], points: points)
                        var out = [Double](repeating: 0, count: m)
                        for (x, w) in zip(q.x, q.w) {
                            let b = Self.bump(x, c, h), phi = space.features([x])
                            for j in 0..<m { out[j] += w * b * phi[j] }
                        }
                        return out
                    }
                    // f = Σ a_i B_i − P(Σ a_i B_i) with f(x_k) = t_k: (I − M)a = t, M_ki = (P B_i)(x_k)
                    // (the bumps do not overlap, so B_i(x_k) = δ_ik).
                    func orthogonalBumps(_ t: [Double]) throws -> Target {
                        var system = Matrix(rows: n, columns: n)
                        for k in 0..<n { for i in 0..<n { system[k, i] = (i == k ? 1 : 0) - Self.dot(bumpProjection[i], phiAt[k]) } }
                        let heights = try system.qr().solve(t)
                        let poly = (0..<m).map { j in zip(heights, bumpProjection).reduce(0) { $0 + $1.0 * $1.1[j] } }
                        return Target(centers: xs, heights: heights, width: h, poly: poly)
                    }
                    let zero = [Double](repeating: 0, count: m)
                    let high = m + 2
                    let runge: (Double) -> Double = { 1 / (1 + 25 * $0 * $0) }
                    let kink = xs[0]
                    let targets: [(String, Target, Int)] = [
                        ("bumps = u at the points", try orthogonalBumps(phiAt.map { Self.dot($0, u) }), points),
                        ("bumps, random values", try orthogonalBumps(xs.map { _ in Normal.standard.sample(using: &rng) }), points),
                        ("degree m+2", Target(smooth: { x in ((try? OrthogonalPolynomialFamily.legendre.values(upTo: high, at: x, orthonormal: true)) ?? [])[high] },
                                              poly: zero), m + 4),
                        ("Runge", Target(smooth: runge, smoothPanels: 32, poly: zero), 40),
                        ("Runge + spike", Target(smooth: runge, smoothPanels: 32, centers: [xs[0]], heights: [10], width: h, poly: zero), 40),
                        ("|x − x₁|", Target(smooth: { abs($0 - kink) }, kinks: [kink], poly: zero), m + 2),
                    ]
                    for (name, f, rulePoints) in targets {
                        let values = zip(xs, phiAt).map { f.value($0, $1) }
                        let fit = try WeightedLeastSquares.fit(space: space, points: sample, values: values)
                        let q = try Self.quadrature(f.breakpoints, points: rulePoints)
                        let phiQ = q.x.map { space.features([$0]) }
                        let fQ = zip(q.x, phiQ).map { f.value($0, $1) }
                        let projection = (0..<m).map { j in (0..<q.x.count).reduce(0) { $0 + q.w[$1] * fQ[$1] * phiQ[$1][j] } }
                        func l2(_ c: [Double]) -> Double {
                            (0..<q.x.count).reduce(0) { acc, i in let r = fQ[i] - Self.dot(phiQ[i], c); return acc + q.w[i] * r * r }.squareRoot()
                        }
                        let lhs = l2(fit.coefficients)
                        let candidates: [(String, [Double])] = [("0", zero), ("f̂", fit.coefficients), ("Pf", projection), ("u", u),
                                                                ("random", (0..<m).map { _ in Normal.standard.sample(using: &rng) })]
                        for (vName, v) in candidates {
                            let discrete = ((0..<n).reduce(0.0) { acc, i in let r = values[i] - Self.dot(phiAt[i], v); return acc + weights[i] * r * r } / Double(n)).squareRoot()
                            let rhs = l2(v) + fit.boundFactor * discrete
                            evaluations += 1
                            let allowance = 1e-11 + 10 * Double(n + m) * kappa * Double.ulpOfOne
                            let label = "m=\(m) \(design) seed \(seed) f=\(name) v=\(vName): ‖f−f̂‖ = \(lhs), bound \(rhs), ‖G−I‖ = \(fit.gramDeviation), κ = \(kappa)"
                            if rhs.isFinite && lhs / rhs > worst { worst = lhs / rhs; tightest = label }
                            if rhs.isFinite && discrete > 1e-9 * lhs { tightestByTarget[name] = max(tightestByTarget[name] ?? 0, lhs / rhs) }
                            if lhs > rhs * (1 + allowance) { violations.append(label) }
                        }
                    }
                }
            }
        }
        print("[falsify] LS bound, adversarial targets: \(evaluations) (design, f, v) triples (\(skipped) designs with κ ≥ 10¹² skipped), "
              + "largest ‖f−f̂‖/bound \(worst) at \(tightest); with ‖f − v‖_n > 0, per target: "
              + tightestByTarget.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "; violations \(violations.count)")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    /// Claim: as above, on nearly singular designs. Taking f = narrow bumps with the sample
    /// values y and L² norm → 0, and v = 0, the bound says ‖f̂‖ ≤ bound_factor·‖y‖_n: the factor
    /// must be at least 1/σ_min(A) — whatever the sample. Hardest case: m = 2 Legendre with its
    /// n = 2 points 1.37·10⁻ᵉ apart (e = 3…13, six positions), y = (1, −1): σ_min(A) ≈ 10⁻ᵉ
    /// while ‖G − I‖ stays below 1. Counterexample before the fix (the factor then came from
    /// the eigenvalues of a formed AᵀA, whose absolute error ε·σ_max² swamps σ_min²): points
    /// 0.11 and 0.11 + 1.37·10⁻¹², y = (1, −1) gave ‖f̂‖ = 8.58·10¹¹ against
    /// bound_factor·‖y‖_n = 1.32·10⁸ (with f(x) = cos(π(x − 0.11)/1.37·10⁻¹²), ‖f‖ ≤ 1, the
    /// certificate's inequality fails by a factor 6 500). Allowance: relative
    /// 10·(n + m)·κ(A)·ε, as in the test above (κ(A) ≤ 10¹⁴ here: QR refuses worse).
    @Test func leastSquaresBoundNearlySingularDesigns() throws {
        let space = try PolynomialSpace(family: .legendre, dimension: 1, degree: 1)
        var worst = 0.0, checked = 0, violations: [String] = []
        for e in 3...13 {
            for base in [0.0, 0.3, -0.7, 0.11, 0.5, -0.2] {
                let d = 1.37 * pow(10, -Double(e))
                let points = [[base], [base + d]]
                guard let fit = try? WeightedLeastSquares.fit(space: space, points: points, values: [1, -1]) else { continue }
                let (a, scales) = try WeightedLeastSquares.design(space: space, points: points)
                let sigma = try a.singularValues()
                let kappa = sigma.first! / sigma.last!
                let fitNorm = fit.coefficients.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let dataNorm = (scales[0] * scales[0] + scales[1] * scales[1]).squareRoot()          // ‖y‖_n with y = ±1
                let bound = fit.boundFactor * dataNorm
                checked += 1
                if bound.isFinite { worst = max(worst, fitNorm / bound) }
                if fitNorm > bound * (1 + 10 * 4 * kappa * Double.ulpOfOne) {
                    violations.append("points \(base), \(base)+\(d): ‖f̂‖ = \(fitNorm) > factor·‖y‖_n = \(bound) (‖G−I‖ = \(fit.gramDeviation), κ = \(kappa))")
                }
            }
        }
        print("[falsify] LS bound, nearly singular m=2 designs: \(checked) fits, largest ‖f̂‖/(factor·‖y‖_n) \(worst); violations \(violations.count)")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    /// Claim (`ConcentrationBounds.matrixChernoffSampleSize`, `WeightedLeastSquares.requiredSampleSize`,
    /// `dppls design --method iid` default): n = ⌈m·ln(2m/η)/ζ(δ)⌉ i.i.d. points from ρ_m give
    /// P(‖G − I‖ ≤ δ) ≥ 1 − η. Hardest cases allowed: large η (0.5, 0.9 — the smallest n), δ
    /// near 1 (ζ small but n smallest), δ = 0.3, the Gaussian (Hermite, unbounded domain) and a
    /// 2-D space. Failure count per case against refutesAtMost(rate: η) at 10⁻⁶/4 per case
    /// (10⁻⁶ in total). Power: with 400 trials a failure rate above η + ≈ 5·√(η(1−η)/400)
    /// would be refuted. Exact check: the two sample-size functions agree on a grid.
    @Test func chernoffSampleSizeStability() throws {
        for m in [1, 2, 5, 10, 40, 300] { for delta in [0.05, 0.3, 0.5, 0.9, 0.99] { for eta in [1e-6, 0.01, 0.1, 0.5, 0.9] {
            #expect(try ConcentrationBounds.matrixChernoffSampleSize(dimension: m, failureProbability: eta, deviation: delta)
                    == WeightedLeastSquares.requiredSampleSize(m: m, delta: delta, eta: eta), "m = \(m), δ = \(delta), η = \(eta)")
        } } }
        let cases: [(String, PolynomialSpace, Double, Double)] = [
            ("Legendre m=5", try PolynomialSpace(family: .legendre, dimension: 1, degree: 4), 0.5, 0.5),
            ("Legendre m=10", try PolynomialSpace(family: .legendre, dimension: 1, degree: 9), 0.9, 0.9),
            ("Hermite m=4", try PolynomialSpace(family: .hermite, dimension: 1, degree: 3), 0.5, 0.5),
            ("Legendre 2-D m=6", try PolynomialSpace(family: .legendre, dimension: 2, degree: 2), 0.3, 0.5),
        ]
        let trials = Self.long ? 4000 : 400
        for (c, (name, space, delta, eta)) in cases.enumerated() {
            let n = try ConcentrationBounds.matrixChernoffSampleSize(dimension: space.count, failureProbability: eta, deviation: delta)
            var rng = RandomStream(seed: 500 + UInt64(c))
            var failures = 0, largest = 0.0
            for _ in 0..<trials {
                let points = try SamplingDesign.iid(count: n).draw(space, using: &rng)
                let deviation = try WeightedLeastSquares.gramDeviation(space: space, points: points)
                largest = max(largest, deviation)
                if deviation > delta { failures += 1 }
            }
            let critical = try ExactBinomialTest.criticalCountAtMost(rate: eta, trials: trials, falseAlarm: 1e-6 / Double(cases.count))
            let p = try ExactBinomialTest.pValueAtMost(rate: eta, events: failures, trials: trials)
            print("[falsify] Chernoff \(name) δ=\(delta) η=\(eta): n = \(n), \(failures)/\(trials) with ‖G−I‖ > δ (largest \(largest)), "
                  + "p-value \(p), refuted from \(critical) failures")
            #expect(try !ExactBinomialTest.refutesAtMost(rate: eta, events: failures, trials: trials, falseAlarm: 1e-6 / Double(cases.count)))
        }
    }
}
