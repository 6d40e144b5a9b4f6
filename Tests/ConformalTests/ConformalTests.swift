import Foundation
import Testing
@testable import Conformal
import SuretyNumerics

@Suite struct ThresholdTests {
    @Test(arguments: [(972, 0.1, 876), (5000, 0.1, 4501), (200, 0.1, 181), (19, 0.1, 18), (9, 0.3, 7), (99, 0.05, 95)])
    func ranksMatchTheSpec(n: Int, alpha: Double, k: Int) {
        // colep.md §2.2: k = ⌈(n + 1)(1 − α)⌉.
        #expect(ConformalThreshold.rank(count: n, alpha: alpha) == k)
    }

    @Test func infinityGuard() throws {
        // n = 8, α = 0.1: k = 9 > n, so no finite threshold guarantees 90%: the full set.
        #expect(ConformalThreshold.rank(count: 8, alpha: 0.1) == nil)
        #expect(try ConformalThreshold.threshold(scores: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], alpha: 0.1) == .infinity)
        #expect(try ConformalThreshold.threshold(scores: [], alpha: 0.5) == .infinity)
    }

    @Test func thresholdIsTheKthSmallest() throws {
        var rng = RandomStream(seed: 1)
        for n in [1, 2, 19, 100, 1001] {
            let scores = (0..<n).map { _ in rng.nextUniform() }
            let sorted = scores.sorted()
            for alpha in [0.05, 0.1, 0.5] {
                let t = try ConformalThreshold.threshold(scores: scores, alpha: alpha)
                if let k = ConformalThreshold.rank(count: n, alpha: alpha) { #expect(t == sorted[k - 1]) } else { #expect(t == .infinity) }
            }
        }
        // Ties are kept: the k-th smallest of [1, 1, 1, 2] at k = 3 is 1.
        #expect(ConformalThreshold.kthSmallest([2, 1, 1, 1], 3) == 1)
        #expect(throws: NumericsError.self) { try ConformalThreshold.threshold(scores: [0.1, .nan], alpha: 0.1) }
        #expect(throws: NumericsError.self) { try ConformalThreshold.rank(count: 10, alpha: 1.5, guarantee: .marginal) }
    }

    /// Radix selection equals sorting for every rank, on values that stress the bit-pattern
    /// order: negatives, both zeros, infinities, subnormals, heavy ties, and long runs sharing
    /// their top 48 bits.
    @Test func kthSmallestMatchesSortingOnAwkwardValues() {
        var rng = RandomStream(seed: 8)
        let special: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, -1, 1, 1.0000000000000002, 0.9999999999999999]
        for n in [1, 5, 33, 200, 5000] {
            let values: [Double] = (0..<n).map { _ in
                switch rng.nextInt(below: 4) {
                case 0: return special[rng.nextInt(below: special.count)]
                case 1: return Double(rng.nextInt(below: 5)) - 2                       // ties
                case 2: return 0.5 + Double(rng.nextInt(below: 1 << 16)) * 0x1p-53     // same top 48 bits
                default: return (rng.nextUniform() - 0.5) * 1e6
                }
            }
            let sorted = values.sorted()
            for k in Set([1, n, (n + 1) / 2, max(1, n * 9 / 10)] + (0..<20).map { _ in 1 + rng.nextInt(below: n) }) {
                #expect(ConformalThreshold.kthSmallest(values, k) == sorted[k - 1], "n \(n) k \(k)")
            }
        }
    }

    @Test func pacRanks() throws {
        let n = 1000, alpha = 0.1, nu = 0.05
        let marginal = try #require(ConformalThreshold.rank(count: n, alpha: alpha))
        let exact = try #require(try ConformalThreshold.rank(count: n, alpha: alpha, guarantee: .pacExact(confidenceFailure: nu)))
        // The exact rank is the smallest k with P(Beta(k, n+1−k) < 1 − α) ≤ ν.
        #expect(Beta(alpha: Double(exact), beta: Double(n + 1 - exact)).cdf(1 - alpha) <= nu)
        #expect(Beta(alpha: Double(exact - 1), beta: Double(n + 2 - exact)).cdf(1 - alpha) > nu)
        #expect(exact > marginal)
        let hoeffding = try #require(try ConformalThreshold.rank(count: n, alpha: alpha, guarantee: .pacHoeffding(confidenceFailure: nu)))
        #expect(hoeffding == ConformalThreshold.rank(count: n, alpha: alpha - (log(1 / nu) / 2000).squareRoot()))
        #expect(hoeffding >= exact)  // the Hoeffding form is the conservative one
        #expect(throws: NumericsError.self) { try ConformalThreshold.rank(count: 10, alpha: 0.1, guarantee: .pacHoeffding(confidenceFailure: 0.05)) }
    }
}

@Suite struct ScoreTests {
    @Test(arguments: [0.05, 0.3, 0.5, 0.7, 0.99])
    func binaryAPSMatchesItsClosedForm(p: Double) {
        // colep.md §2.1 closed forms (ties: label 0 first, so label 1 is top only for p > 1/2).
        for u in [0.0, 0.25, 0.9] {
            let s1 = ClassificationScore.aps(randomized: true).score(probabilities: [1 - p, p], label: 1, u: u)
            let s0 = ClassificationScore.aps(randomized: true).score(probabilities: [1 - p, p], label: 0, u: u)
            let e1 = p > 0.5 ? (1 - u) * p : 1 - u * p
            let e0 = p <= 0.5 ? (1 - u) * (1 - p) : 1 - u * (1 - p)
            #expect(abs(s1 - e1) < 1e-15 && abs(s0 - e0) < 1e-15, "p = \(p), u = \(u)")
        }
    }

    @Test func apsOnManyClassesTakesTheSortPath() {
        // K = 70 > 32 uses the O(K log K) sort; check against the definition, with ties.
        var rng = RandomStream(seed: 5)
        var p = (0..<70).map { _ in Double(rng.nextInt(below: 20) + 1) }
        let total = p.reduce(0, +)
        p = p.map { $0 / total }
        for y in 0..<70 {
            let above = (0..<70).filter { p[$0] > p[y] || (p[$0] == p[y] && $0 < y) }.reduce(0.0) { $0 + p[$1] }
            #expect(abs(ClassificationScore.aps(randomized: false).score(probabilities: p, label: y) - (above + p[y])) < 1e-12)
        }
    }

    /// The batch kernels (pairwise up to 32 classes, sorted beyond) give bit-for-bit the
    /// per-sample scores, with ties and randomization, so calibration and test points are
    /// scored by the same function.
    @Test(arguments: [3, 10, 32, 40])
    func batchScoresEqualPerSampleScores(classes: Int) {
        var rng = RandomStream(seed: UInt64(classes))
        let n = 300
        // Probabilities on a coarse grid, so ties are frequent.
        var rows = [[Double]]()
        for _ in 0..<n {
            let w = (0..<classes).map { _ in Double(rng.nextInt(below: 4)) + 1 }
            let total = w.reduce(0, +)
            rows.append(w.map { $0 / total })
        }
        let p = try! Matrix(rows)
        let labels = (0..<n).map { _ in rng.nextInt(below: classes) }
        for score in [ClassificationScore.lac, .aps(randomized: false), .aps(randomized: true),
                      .raps(lambda: 0.07, kReg: 2, randomized: false), .raps(lambda: 0.07, kReg: 2, randomized: true)] {
            var draw = RandomStream(seed: 99)
            let u = score.isRandomized ? draw.uniforms(count: n) : []
            var batch = [Double](repeating: 0, count: n)
            let validScores = p.storage.withUnsafeBufferPointer { buffer in
                batch.withUnsafeMutableBufferPointer { score.labelScores(buffer, rows: n, classes: classes, labels: labels, uniforms: u, into: $0) }
            }
            #expect(validScores)
            let thresholds = (0..<classes).map { _ in rng.nextUniform() * 1.5 }
            var member = [Bool](repeating: false, count: n * classes)
            let validMembers = p.storage.withUnsafeBufferPointer { buffer in
                member.withUnsafeMutableBufferPointer { score.fillMembership(buffer, rows: n, classes: classes, uniforms: u, threshold: { thresholds[$0] }, into: $0) }
            }
            #expect(validMembers)
            for i in 0..<n {
                let ui = u.isEmpty ? 0 : u[i]
                #expect(batch[i] == score.score(probabilities: rows[i], label: labels[i], u: ui), "\(score) sample \(i)")
                for y in 0..<classes {
                    #expect(member[y * n + i] == (score.score(probabilities: rows[i], label: y, u: ui) <= thresholds[y]), "\(score) sample \(i) label \(y)")
                }
            }
        }
    }

    @Test func scoresOfAThreeClassExample() {
        let p = [0.2, 0.5, 0.3]
        #expect(ClassificationScore.lac.score(probabilities: p, label: 0) == 0.8)
        // Ranking 1, 2, 0: APS(0) = 0.5 + 0.3 + 0.2 = 1; APS(2) = 0.5 + 0.3.
        #expect(abs(ClassificationScore.aps(randomized: false).score(probabilities: p, label: 0) - 1.0) < 1e-15)
        #expect(abs(ClassificationScore.aps(randomized: false).score(probabilities: p, label: 2) - 0.8) < 1e-15)
        #expect(abs(ClassificationScore.aps(randomized: true).score(probabilities: p, label: 2, u: 0.5) - 0.65) < 1e-15)
        // RAPS with λ = 0.1, kReg = 1: label 0 is ranked 3rd, penalty 0.1 · 2.
        #expect(abs(ClassificationScore.raps(lambda: 0.1, kReg: 1, randomized: false).score(probabilities: p, label: 0) - 1.2) < 1e-15)
    }
}

@Suite struct ClassifierTests {
    /// Draws `n` samples with K-class probabilities from normalized exponentials and labels
    /// drawn from those probabilities (a calibrated model, exchangeable samples).
    func sample(_ n: Int, classes: Int, using rng: inout RandomStream) -> (Matrix, [Int]) {
        var rows = [[Double]](), labels = [Int]()
        for _ in 0..<n {
            let w = (0..<classes).map { _ in pow(Exponential().sample(using: &rng), 2) }
            let total = w.reduce(0, +)
            let p = w.map { $0 / total }
            rows.append(p)
            labels.append(try! Categorical(weights: p).sample(using: &rng))
        }
        return (try! Matrix(rows), labels)
    }

    @Test(arguments: [ClassificationScore.aps(randomized: true), .lac])
    func marginalCoverageLiesInItsTheoreticalBand(score: ClassificationScore) throws {
        // With n = 19 and α = 0.1, k = 18 and for continuous scores the coverage is exactly
        // k/(n + 1) = 0.9 in expectation; in general E[coverage] ∈ [1 − α, 1 − α + 1/(n + 1)].
        // Each of R repetitions gives one coverage fraction in [0, 1] (i.i.d. across
        // repetitions); the empirical Bernstein radius at false-alarm rate 1e-6 bounds how far
        // their mean can stray.
        var rng = RandomStream(seed: 11)
        let n = 19, m = 20, reps = 4000, alpha = 0.1
        let classifier = SplitConformalClassifier(score: score, alpha: alpha, allowEmpty: true)
        var fractions = [Double]()
        for _ in 0..<reps {
            let (calP, calY) = sample(n, classes: 4, using: &rng)
            let (testP, testY) = sample(m, classes: 4, using: &rng)
            let sets = try classifier.calibrate(probabilities: calP, labels: calY, using: &rng).predict(probabilities: testP, using: &rng)
            fractions.append(CoverageMetrics(sets: sets, labels: testY, alpha: alpha).coverage)
        }
        let radius = try ConcentrationBounds.empiricalBernsteinRadius(sampleVariance: fractions.sampleVariance, sampleSize: reps, failureProbability: 1e-6)
        let mean = fractions.mean
        #expect(mean >= 1 - alpha - radius && mean <= 1 - alpha + 1.0 / Double(n + 1) + radius, "mean coverage \(mean) ± \(radius)")
    }

    @Test func classConditionalThresholdsAndEmptySets() throws {
        var rng = RandomStream(seed: 12)
        let (calP, calY) = sample(300, classes: 3, using: &rng)
        let mondrian = try SplitConformalClassifier(score: .lac, alpha: 0.1, mode: .classConditional).calibrate(probabilities: calP, labels: calY, using: &rng)
        #expect(mondrian.thresholds.count == 3)
        #expect(mondrian.calibrationCounts.reduce(0, +) == 300)
        // A class with too few calibration samples for the level keeps every label.
        let few = try SplitConformalClassifier(score: .lac, alpha: 0.1, mode: .classConditional)
            .calibrate(probabilities: Matrix([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]]), labels: [0, 0, 1], using: &rng)
        #expect(few.thresholds == [.infinity, .infinity])
        // allowEmpty: a tiny threshold empties sets unless forbidden.
        let tight = CalibratedConformalClassifier(configuration: SplitConformalClassifier(score: .lac, alpha: 0.5, allowEmpty: true),
                                                  classes: 2, thresholds: [0.01], calibrationCounts: [10])
        #expect(try tight.predict(probabilities: Matrix([[0.4, 0.6]]), using: &rng)[0].isEmpty)
        let filled = CalibratedConformalClassifier(configuration: SplitConformalClassifier(score: .lac, alpha: 0.5),
                                                   classes: 2, thresholds: [0.01], calibrationCounts: [10])
        #expect(try filled.predict(probabilities: Matrix([[0.4, 0.6]]), using: &rng)[0].labels == [1])
    }

    @Test func predictedSetsFollowTheDefinition() throws {
        // Every kept label has score ≤ its threshold, every dropped one a larger score, for
        // the LAC fast path and the general path alike (sets never empty by default).
        var rng = RandomStream(seed: 14)
        let (calP, calY) = sample(500, classes: 5, using: &rng)
        let (testP, _) = sample(300, classes: 5, using: &rng)
        for score in [ClassificationScore.lac, .aps(randomized: false), .raps(lambda: 0.05, kReg: 2, randomized: false)] {
            for mode in [SplitConformalClassifier.Mode.marginal, .classConditional] {
                let model = try SplitConformalClassifier(score: score, alpha: 0.2, mode: mode).calibrate(probabilities: calP, labels: calY, using: &rng)
                let sets = try model.predict(probabilities: testP, using: &rng)
                for i in 0..<testP.rows {
                    let row = testP.row(i)
                    let kept = (0..<5).filter { score.score(probabilities: row, label: $0) <= model.threshold(for: $0) }
                    let expected = kept.isEmpty ? [row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!] : kept
                    #expect(sets[i].labels == expected, "\(score) \(mode) sample \(i)")
                    #expect(sets.size(ofSample: i) == expected.count)
                }
            }
        }
    }

    /// Calibrating with a generator is calibrating with that generator's uniforms, drawn in
    /// sample order; explicit uniforms are checked.
    @Test func explicitUniformsMatchTheGenerator() throws {
        var rng = RandomStream(seed: 21)
        let (calP, calY) = sample(400, classes: 4, using: &rng)
        let (testP, _) = sample(100, classes: 4, using: &rng)
        let classifier = SplitConformalClassifier(score: .aps(randomized: true), alpha: 0.1, allowEmpty: true)
        var a = RandomStream(seed: 5), b = RandomStream(seed: 5)
        let viaGenerator = try classifier.calibrate(probabilities: calP, labels: calY, using: &a)
        let viaUniforms = try classifier.calibrate(probabilities: calP, labels: calY, uniforms: b.uniforms(count: 400))
        #expect(viaGenerator.thresholds == viaUniforms.thresholds)
        #expect(try viaGenerator.predict(probabilities: testP, using: &a) == viaUniforms.predict(probabilities: testP, uniforms: b.uniforms(count: 100)))
        #expect(throws: NumericsError.self) { try classifier.calibrate(probabilities: calP, labels: calY, uniforms: [0.5]) }
        #expect(throws: NumericsError.self) { try classifier.calibrate(probabilities: calP, labels: calY, uniforms: [Double](repeating: 1.5, count: 400)) }
        #expect(throws: NumericsError.self) {
            try SplitConformalClassifier(score: .lac, alpha: 0.1).calibrate(probabilities: calP, labels: calY, uniforms: [Double](repeating: 0.5, count: 400))
        }
    }

    @Test func rejectsBadInput() {
        var rng = RandomStream(seed: 13)
        let classifier = SplitConformalClassifier(score: .lac, alpha: 0.1)
        #expect(throws: NumericsError.self) { try classifier.calibrate(probabilities: Matrix([[0.5, 0.5]]), labels: [2], using: &rng) }
        #expect(throws: NumericsError.self) { try classifier.calibrate(probabilities: Matrix([[1.5, -0.5]]), labels: [0], using: &rng) }
        #expect(throws: NumericsError.self) { try classifier.calibrate(probabilities: Matrix([[0.5, 0.5]]), labels: [0, 1], using: &rng) }
        // Out-of-range or NaN probabilities anywhere the scores read, in every kernel (LAC,
        // pairwise APS, sorted APS beyond 32 classes), for calibration and prediction.
        for classes in [3, 40] {
            var rows = [[Double]](repeating: [Double](repeating: 1 / Double(classes), count: classes), count: 20)
            let labels = [Int](repeating: 0, count: 20)
            for score in [ClassificationScore.lac, .aps(randomized: false), .raps(lambda: 0.1, kReg: 1, randomized: true)] {
                let model = try! SplitConformalClassifier(score: score, alpha: 0.2).calibrate(probabilities: Matrix(rows), labels: labels, using: &rng)
                for bad in [Double.nan, -0.25, 1.5] {
                    var broken = rows
                    broken[17][0] = bad
                    let error = #expect(throws: NumericsError.self) { try model.predict(probabilities: Matrix(broken), using: &rng) }
                    #expect(error?.description.contains("sample 17") == true, "\(score) \(classes) \(bad)")
                    #expect(throws: NumericsError.self) {
                        try SplitConformalClassifier(score: score, alpha: 0.2).calibrate(probabilities: Matrix(broken), labels: labels, using: &rng)
                    }
                }
            }
            rows[3][1] = -0.0        // minus zero is a valid probability
            #expect(throws: Never.self) { try SplitConformalClassifier(score: .aps(randomized: false), alpha: 0.2).calibrate(probabilities: Matrix(rows), labels: labels, using: &rng) }
        }
    }

    @Test func metricsOfAHandExample() {
        let sets = [PredictionSet(labels: [0]), PredictionSet(labels: [0, 1]), PredictionSet(labels: [1]), PredictionSet(labels: [])]
        let m = CoverageMetrics(sets: sets, labels: [0, 1, 0, 1], classes: 2, alpha: 0.1)
        #expect(m.coverage == 0.5)
        #expect(m.meanSetSize == 1)
        #expect(m.perClassCoverage == [0.5, 0.5])
        #expect(m.sizeStratifiedCoverage[1] == 0.5 && m.sizeStratifiedCoverage[2] == 1 && m.sizeStratifiedCoverage[0] == 0)
        #expect(abs(m.coverageGap - 0.4) < 1e-15)
    }
}
