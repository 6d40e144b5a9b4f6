import Foundation
import Testing
@testable import Conformal
import SuretyNumerics

// Falsification tests of the split-conformal claims of Sources/Conformal/README.md and the
// doc comments of `SplitConformalClassifier`, `SplitConformalRegressor` and
// `ConformalThreshold`. Each test builds the hardest case the claim's assumptions allow,
// simulates independent (calibration, test) draws from fixed seeds, and checks the claimed
// rate with the exact one-sided binomial test (`ExactBinomialTest`).
//
// False alarms: every statistical check runs at false-alarm rate 1e-6 (`Falsify.falseAlarm`).
// The default run makes 66 such checks (counted at each test), so a correct implementation
// fails this suite by chance with probability at most 66 × 1e-6 < 1e-4 (union bound).
//
// Power: a cell's trial count is derived, not tuned: the smallest count at which the check
// refutes a true miss rate of `claimed + gap` with probability ≥ 0.99, where `gap` is the
// discrete step `1/(n + 1)` of the rank (an off-by-one threshold shifts the miss rate by
// exactly that much for continuous scores; for PAC, the gap to the failure rate of the next
// lower rank), clamped to `Falsify.maximumTrials`. Every check
// prints the rate it detects with probability 0.99 (`99% power at …`). Setting
// `CONFORMAL_FALSIFICATION_SWEEP=1` sizes every cell for a gap of 0.01 instead (violations
// of one point of coverage) and runs the full n = 1…50 sweep `marginalCoverageFullSweep`;
// that is about 6·10⁷ trials, some 5 hours on one core of a debug build, and is not run by default.

/// The shared machinery: the false-alarm rate, trial sizing from power, and the checks.
enum Falsify {
    /// The false-alarm rate of every check.
    static let falseAlarm = 1e-6
    /// The power every trial count is sized for.
    static let power = 0.99
    /// Whether the long sweep (gap 0.01, up to 200 000 trials a cell) was asked for.
    static let sweep = ProcessInfo.processInfo.environment["CONFORMAL_FALSIFICATION_SWEEP"] == "1"
    static var minimumTrials: Int { 400 }
    static var maximumTrials: Int { sweep ? 200_000 : 4000 }

    /// The probability that a check of "rate ≤ p" with `trials` trials refutes a true rate `q`.
    static func powerAtMost(claimed p: Double, trueRate q: Double, trials: Int) throws -> Double {
        let critical = try ExactBinomialTest.criticalCountAtMost(rate: p, trials: trials, falseAlarm: falseAlarm)
        return critical > trials ? 0 : try ExactBinomialTest.pValueAtMost(rate: min(q, 1), events: critical, trials: trials)
    }

    /// The trial count that refutes a miss rate of `p + gap` (claim: `≤ p`) with probability
    /// ≥ `power`, clamped to [`minimumTrials`, `maximumTrials`].
    static func trials(claimed p: Double, gap: Double) throws -> Int {
        let gap = sweep ? min(gap, 0.01) : gap
        let q = min(p + gap, 1)
        var high = minimumTrials
        while high < maximumTrials, try powerAtMost(claimed: p, trueRate: q, trials: high) < power { high *= 2 }
        if high >= maximumTrials { return maximumTrials }
        var low = high / 2  // power(low) < power ≤ power(high), up to the binomial's sawtooth
        while high - low > 50 {
            let mid = (low + high) / 2
            if try powerAtMost(claimed: p, trueRate: q, trials: mid) >= power { high = mid } else { low = mid }
        }
        return max(high, minimumTrials)
    }

    /// The smallest rate a check of "rate ≤ p" over `trials` trials refutes with probability
    /// ≥ `power` (1 when none does).
    static func detectableAtMost(claimed p: Double, trials: Int) throws -> Double {
        var low = p, high = 1.0
        if try powerAtMost(claimed: p, trueRate: 1, trials: trials) < power { return 1 }
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if try powerAtMost(claimed: p, trueRate: mid, trials: trials) >= power { high = mid } else { low = mid }
        }
        return high
    }

    /// The largest rate a check of "rate ≥ p" over `trials` trials refutes with probability
    /// ≥ `power` (0 when none does).
    static func detectableAtLeast(claimed p: Double, trials: Int) throws -> Double {
        let critical = try ExactBinomialTest.criticalCountAtLeast(rate: p, trials: trials, falseAlarm: falseAlarm)
        if critical < 0 { return 0 }
        var low = 0.0, high = p
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if try ExactBinomialTest.pValueAtLeast(rate: mid, events: critical, trials: trials) >= power { low = mid } else { high = mid }
        }
        return low
    }

    /// Checks "the event's rate is at most `p`" (a miss rate at most α: coverage at least
    /// 1 − α) and prints the measurement. Returns whether the claim was refuted.
    @discardableResult
    static func expectAtMost(_ cell: String, rate p: Double, events k: Int, trials n: Int, note: String = "",
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let refuted = try ExactBinomialTest.refutesAtMost(rate: p, events: k, trials: n, falseAlarm: falseAlarm)
        let pValue = try ExactBinomialTest.pValueAtMost(rate: p, events: k, trials: n)
        let critical = try ExactBinomialTest.criticalCountAtMost(rate: p, trials: n, falseAlarm: falseAlarm)
        let seen = try detectableAtMost(claimed: p, trials: n)
        print("[falsify] \(cell): events \(k)/\(n) = \(rounded(Double(k) / Double(n))) | claim ≤ \(rounded(p)) | p-value \(String(format: "%.3g", pValue)) | refuted at ≥ \(critical) | 99% power at ≥ \(rounded(seen))\(note.isEmpty ? "" : " | " + note)\(refuted ? " | REFUTED" : "")")
        #expect(!refuted, "\(cell): \(k)/\(n) events refute rate ≤ \(p) (p-value \(pValue))", sourceLocation: sourceLocation)
        return refuted
    }

    /// Checks "the event's rate is at least `p`" (a miss rate at least α − 1/(n + 1):
    /// coverage at most 1 − α + 1/(n + 1)). Returns whether the claim was refuted; records
    /// an issue when it was, unless `expectRefutation`, which inverts the expectation.
    @discardableResult
    static func expectAtLeast(_ cell: String, rate p: Double, events k: Int, trials n: Int, note: String = "",
                              expectRefutation: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let refuted = try ExactBinomialTest.refutesAtLeast(rate: p, events: k, trials: n, falseAlarm: falseAlarm)
        let pValue = try ExactBinomialTest.pValueAtLeast(rate: p, events: k, trials: n)
        let critical = try ExactBinomialTest.criticalCountAtLeast(rate: p, trials: n, falseAlarm: falseAlarm)
        let seen = try detectableAtLeast(claimed: p, trials: n)
        print("[falsify] \(cell): events \(k)/\(n) = \(rounded(Double(k) / Double(n))) | claim ≥ \(rounded(p)) | p-value \(String(format: "%.3g", pValue)) | refuted at ≤ \(critical) | 99% power at ≤ \(rounded(seen))\(note.isEmpty ? "" : " | " + note)\(refuted ? " | REFUTED" : "")")
        if expectRefutation {
            #expect(refuted, "\(cell): \(k)/\(n) events do not refute rate ≥ \(p) (p-value \(pValue))", sourceLocation: sourceLocation)
        } else {
            #expect(!refuted, "\(cell): \(k)/\(n) events refute rate ≥ \(p) (p-value \(pValue))", sourceLocation: sourceLocation)
        }
        return refuted
    }

    static func rounded(_ x: Double) -> String { String(format: "%.5g", x) }

    /// The miss probability `P(S_test > S_(k))` of split conformal with a discrete score law
    /// (values increasing, with their probabilities), from `P(S_(k) ≤ v) = P(Bin(n, F(v)) ≥ k)`.
    static func exactMissRate(_ law: [(score: Double, probability: Double)], n: Int, k: Int?) throws -> Double {
        guard let k else { return 0 }
        var cumulative = 0.0, previous = 0.0, miss = 0.0
        for (_, w) in law {
            cumulative = min(cumulative + w, 1)
            let atMost = try ExactBinomialTest.pValueAtMost(rate: cumulative, events: k, trials: n)
            miss += (atMost - previous) * (1 - cumulative)
            previous = atMost
        }
        return miss
    }
}

/// A classification data law: one draw is a probability row (the model's output) and a label.
/// Calibration and test points are i.i.d. draws, hence exchangeable.
struct ClassLaw: Sendable, CustomStringConvertible {
    let name: String
    let classes: Int
    let draw: @Sendable (inout RandomStream) -> (row: [Double], label: Int)
    /// The law of the true label's LAC score `1 − π_y` when it is discrete (increasing scores).
    var lacScores: [(score: Double, probability: Double)]? = nil
    var description: String { name }

    /// `own` at position `label`, the `others` in order elsewhere.
    static func row(label: Int, own: Double, others: [Double]) -> [Double] {
        var row = others
        row.insert(own, at: label)
        return row
    }

    /// LAC scores with two values: the true label's probability is 0.9 (85 %) or 0.1 (15 %).
    static let twoValues = ClassLaw(name: "LAC 2 values", classes: 2, draw: { rng in
        let y = rng.nextInt(below: 2)
        let own = rng.nextUniform() < 0.85 ? 0.9 : 0.1
        return (row(label: y, own: own, others: [1 - own]), y)
    }, lacScores: [(1 - 0.9, 0.85), (1 - 0.1, 0.15)])

    /// LAC scores with three values: rows are permutations of (0.5, 0.3, 0.2); the true
    /// label holds 0.5 (60 %), 0.3 (30 %) or 0.2 (10 %).
    static let threeValues = ClassLaw(name: "LAC 3 values", classes: 3, draw: { rng in
        let y = rng.nextInt(below: 3)
        let u = rng.nextUniform()
        let own = u < 0.6 ? 0.5 : (u < 0.9 ? 0.3 : 0.2)
        var others = [0.5, 0.3, 0.2].filter { $0 != own }
        if rng.nextInt(below: 2) == 1 { others.reverse() }
        return (row(label: y, own: own, others: others), y)
    }, lacScores: [(1 - 0.5, 0.6), (1 - 0.3, 0.3), (1 - 0.2, 0.1)])

    /// The true label's probability on the tenths grid 0, 0.1, …, 1, each equally likely
    /// (a model whose outputs were rounded to one decimal): 11 tied score values.
    static let tenths = ClassLaw(name: "LAC tenths grid", classes: 2, draw: { rng in
        let y = rng.nextInt(below: 2)
        let own = Double(rng.nextInt(below: 11)) / 10
        return (row(label: y, own: own, others: [1 - own]), y)
    }, lacScores: (0...10).reversed().map { (1 - Double($0) / 10, 1.0 / 11) })

    /// Continuous: the true label's probability is uniform on [0, 1).
    static let continuous = ClassLaw(name: "LAC continuous", classes: 2, draw: { rng in
        let y = rng.nextInt(below: 2)
        let own = rng.nextUniform()
        return (row(label: y, own: own, others: [1 - own]), y)
    })

    /// Half an atom, half continuous: the true label's probability is 0.5 or uniform.
    static let atomPlusContinuous = ClassLaw(name: "LAC atom + continuous", classes: 2, draw: { rng in
        let y = rng.nextInt(below: 2)
        let own = rng.nextInt(below: 2) == 0 ? 0.5 : rng.nextUniform()
        return (row(label: y, own: own, others: [1 - own]), y)
    })

    /// Four classes, weights 0…3 normalized (zeros and ties everywhere), labels uniform
    /// whatever the row (a badly miscalibrated model): for deterministic APS and RAPS.
    static let coarseFour = ClassLaw(name: "coarse grid K=4", classes: 4, draw: { rng in
        var w = (0..<4).map { _ in Double(rng.nextInt(below: 4)) }
        if w.allSatisfy({ $0 == 0 }) { w[rng.nextInt(below: 4)] = 1 }
        let total = w.reduce(0, +)
        return (w.map { $0 / total }, rng.nextInt(below: 4))
    })

    /// Three classes, weights 1…3 normalized (ties, but no zero probability), labels uniform:
    /// randomized APS scores are continuous here.
    static let positiveCoarseThree = ClassLaw(name: "positive coarse grid K=3", classes: 3, draw: { rng in
        let w = (0..<3).map { _ in Double(rng.nextInt(below: 3) + 1) }
        let total = w.reduce(0, +)
        return (w.map { $0 / total }, rng.nextInt(below: 3))
    })
}

/// Draws `n` calibration points and one test point per trial, calibrates, predicts, and
/// counts the trials whose test label is missed. Each trial is independent of the others.
func marginalMisses(_ classifier: SplitConformalClassifier, law: ClassLaw, n: Int, trials: Int, seed: UInt64) throws -> Int {
    var rng = RandomStream(seed: seed)
    let classes = law.classes
    var storage = [Double](repeating: 0, count: n * classes)
    var labels = [Int](repeating: 0, count: n)
    var misses = 0
    for _ in 0..<trials {
        for i in 0..<n {
            let (row, y) = law.draw(&rng)
            for c in 0..<classes { storage[i + c * n] = row[c] }
            labels[i] = y
        }
        let model = try classifier.calibrate(probabilities: Matrix(rows: n, columns: classes, columnMajor: storage), labels: labels, using: &rng)
        let (row, y) = law.draw(&rng)
        let sets = try model.predict(probabilities: Matrix(rows: 1, columns: classes, columnMajor: row), using: &rng)
        if !sets.contains(sample: 0, label: y) { misses += 1 }
    }
    return misses
}

/// One cell of a marginal-coverage sweep.
struct MarginalCell: Sendable, CustomTestStringConvertible {
    let law: ClassLaw
    var score: ClassificationScore = .lac
    let n: Int
    let alpha: Double
    var allowEmpty = false
    let seed: UInt64
    var testDescription: String { "\(law.name) \(score) n=\(n) α=\(alpha)\(allowEmpty ? " allowEmpty" : "")" }
}

@Suite struct ConformalFalsificationTests {
    // MARK: Claim 1 — marginal coverage, exact in expectation, with ties

    static let tiedCells: [MarginalCell] = [
        MarginalCell(law: .threeValues, n: 1, alpha: 0.5, seed: 101),                      // k = 1: the single score
        MarginalCell(law: .threeValues, n: 1, alpha: 0.99, allowEmpty: true, seed: 102),   // α near 1
        MarginalCell(law: .threeValues, n: 2, alpha: 1.0 / 3, seed: 103),                  // reads 0.3333333333333333 < 1/3: k = 3 > n
        MarginalCell(law: .twoValues, n: 4, alpha: 0.2, allowEmpty: true, seed: 104),      // α = 1/(n+1) exactly: k = n
        MarginalCell(law: .twoValues, n: 9, alpha: 0.1, seed: 105),                        // α = 1/(n+1) exactly: k = n
        MarginalCell(law: .threeValues, n: 19, alpha: 0.05, allowEmpty: true, seed: 106),  // α = 1/(n+1) exactly: k = n
        MarginalCell(law: .threeValues, n: 19, alpha: 0.0501, allowEmpty: true, seed: 107),// just above 1/(n+1): k = n
        MarginalCell(law: .threeValues, n: 19, alpha: 0.0499, allowEmpty: true, seed: 108),// just below 1/(n+1): k = n + 1, every label
        MarginalCell(law: .tenths, n: 20, alpha: 0.1, allowEmpty: true, seed: 109),        // k = 19
        MarginalCell(law: .tenths, n: 49, alpha: 0.02, allowEmpty: true, seed: 110),       // α = 1/(n+1): k = 49
        MarginalCell(law: .tenths, n: 50, alpha: 0.01, allowEmpty: true, seed: 111),       // α near 0: k = 51 > n
        MarginalCell(law: .tenths, n: 50, alpha: 0.5, allowEmpty: true, seed: 112),        // k = 26
        MarginalCell(law: .tenths, n: 10, alpha: 0.9, allowEmpty: true, seed: 113),        // α near 1: k = 2
        MarginalCell(law: .tenths, n: 50, alpha: 0.99, allowEmpty: true, seed: 114),       // α near 1: k = 1
        MarginalCell(law: .tenths, n: 99, alpha: 0.01, allowEmpty: true, seed: 115),       // α = 0.01 at its first finite rank, k = 99
        MarginalCell(law: .atomPlusContinuous, n: 19, alpha: 0.1, allowEmpty: true, seed: 116),
        MarginalCell(law: .coarseFour, score: .aps(randomized: false), n: 19, alpha: 0.1, seed: 117),
        MarginalCell(law: .coarseFour, score: .raps(lambda: 0.1, kReg: 1, randomized: false), n: 30, alpha: 0.2, allowEmpty: true, seed: 118),
    ]

    /// One cell's run: the rank, the trial count with 99 % power at a miss rate of
    /// α + 1/(n + 1), and the misses over independent (calibration, test) draws.
    static func run(_ cell: MarginalCell) throws -> (k: Int?, trials: Int, misses: Int) {
        let classifier = SplitConformalClassifier(score: cell.score, alpha: cell.alpha, allowEmpty: cell.allowEmpty)
        let trials = try Falsify.trials(claimed: cell.alpha, gap: 1 / Double(cell.n + 1))
        let misses = try marginalMisses(classifier, law: cell.law, n: cell.n, trials: trials, seed: cell.seed)
        return (ConformalThreshold.rank(count: cell.n, alpha: cell.alpha), trials, misses)
    }

    /// Claim 1 (README "Marginal", `SplitConformalClassifier` doc): exchangeable calibration
    /// and test data give `P(Y ∉ C(X)) ≤ α` for every n ≥ 1 and α ∈ (0, 1), exactly in
    /// expectation over calibration and test — here with discrete scores full of ties (LAC
    /// scores with 2, 3 or 11 values, an atom plus a continuous part, deterministic APS and
    /// RAPS on a coarse grid with zero probabilities), n from 1 to 99, and α at 1/(n + 1)
    /// exactly, just above and below it, near 0 (0.01) and near 1 (0.9, 0.99). Ties make a
    /// strict-inequality or tie-breaking bug cost whole atoms of coverage. One check per cell
    /// (18 checks).
    @Test(arguments: tiedCells)
    func marginalCoverageHoldsWithHeavyTies(cell: MarginalCell) throws {
        let (k, trials, misses) = try Self.run(cell)
        var note = "k = \(k.map(String.init) ?? "none (> n)")"
        if let law = cell.law.lacScores, cell.score == .lac, cell.allowEmpty {
            note += ", exact miss rate \(Falsify.rounded(try Falsify.exactMissRate(law, n: cell.n, k: k)))"
        }
        try Falsify.expectAtMost(cell.testDescription, rate: cell.alpha, events: misses, trials: trials, note: note)
        if k == nil { #expect(misses == 0, "k > n must keep every label") }
    }

    /// Claim 1, the "+∞ guard" (README): when `⌈(n + 1)(1 − α)⌉ > n` the threshold is `+∞`
    /// and every set is every label (every interval the whole line) — checked exactly, with
    /// α's decimal value, for n = 0…60 and α = m/100, m/1000, 1/(n + 1) and its neighbouring
    /// doubles, and tiny α (1e-5, 1e-300, the least positive double); then on predicted sets
    /// (marginal and Mondrian) and intervals. Deterministic: no false alarms.
    @Test func everyLabelWhenTheRankExceedsN() throws {
        for n in 0...60 {
            var alphas = (1...99).map { Double($0) / 100 } + (1...999).map { Double($0) / 1000 }
            let reciprocal = 1 / Double(n + 1)
            alphas += [reciprocal, reciprocal.nextUp, reciprocal.nextDown, 1e-5, 1e-300, .leastNonzeroMagnitude]
            for alpha in alphas where alpha > 0 && alpha < 1 {
                let rank = ConformalThreshold.rank(count: n, alpha: alpha)
                if let exceeds = Self.rankExceedsN(n: n, decimal: "\(alpha)") {
                    #expect((rank == nil) == exceeds, "n \(n) α \(alpha): rank \(String(describing: rank))")
                } else {
                    #expect(rank == nil, "n \(n) α \(alpha) (tiny): rank \(String(describing: rank))")
                }
                if let rank { #expect(rank >= 1 && rank <= n) }
            }
        }
        // Predicted sets: every label, for marginal and class-conditional calibration.
        var rng = RandomStream(seed: 201)
        for (n, alpha) in [(0, 0.5), (1, 0.49), (2, 0.3), (19, 0.0499), (50, 0.01), (5, 1.0 / 6)] {
            for mode in [SplitConformalClassifier.Mode.marginal, .classConditional] {
                for score in [ClassificationScore.lac, .aps(randomized: true), .raps(lambda: 0.2, kReg: 1, randomized: false)] {
                    let law = ClassLaw.threeValues
                    var storage = [Double](repeating: 0, count: n * 3), labels = [Int](repeating: 0, count: n)
                    for i in 0..<n {
                        let (row, y) = law.draw(&rng)
                        for c in 0..<3 { storage[i + c * n] = row[c] }
                        labels[i] = y
                    }
                    let model = try SplitConformalClassifier(score: score, alpha: alpha, mode: mode, allowEmpty: true)
                        .calibrate(probabilities: Matrix(rows: n, columns: 3, columnMajor: storage), labels: labels, using: &rng)
                    let test = try Matrix((0..<40).map { _ in law.draw(&rng).row })
                    let sets = try model.predict(probabilities: test, using: &rng)
                    // Every pair has α < 1/(n + 1), so k > n (and k > n_y ≤ n for every class).
                    #expect(ConformalThreshold.rank(count: n, alpha: alpha) == nil)
                    #expect(model.thresholds.allSatisfy { $0 == .infinity }, "n \(n) α \(alpha) \(mode) \(score)")
                    #expect((0..<40).allSatisfy { sets.size(ofSample: $0) == 3 }, "n \(n) α \(alpha) \(mode) \(score)")
                }
            }
        }
        // Class-conditional: a class with no calibration point, and one with a single point
        // at α < 1/2, keep their label in every set.
        let few = try SplitConformalClassifier(score: .lac, alpha: 0.3, mode: .classConditional, allowEmpty: true)
            .calibrate(probabilities: Matrix([[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]]), labels: [0, 0, 0, 1], using: &rng)
        #expect(few.thresholds[1] == .infinity && few.thresholds[2] == .infinity && few.calibrationCounts == [3, 1, 0])
        let sets = try few.predict(probabilities: Matrix([[0.98, 0.01, 0.01], [0.5, 0.0, 0.5]]), using: &rng)
        #expect(sets[0].contains(1) && sets[0].contains(2) && sets[1].contains(1) && sets[1].contains(2))
        // Intervals: the whole line.
        for score in [RegressionScore.absoluteResidual, .normalizedResidual, .quantile] {
            let model = try SplitConformalRegressor(score: score, alpha: 0.1)
                .calibrate(predictions: .init(point: [0, 1], scale: [1, 1], lower: [-1, 0], upper: [1, 2]), targets: [0.5, 3])
            #expect(model.threshold == .infinity)
            #expect(try model.predict(.init(point: [0], scale: [1], lower: [0], upper: [0])) == [-Double.infinity...Double.infinity])
        }
    }

    /// Whether `⌈(n + 1)(1 − α)⌉ > n`, i.e. `α < 1/(n + 1)`, for α written as `0.ddd…` —
    /// in integers: `M·(n + 1) < 10^D` for `α = M/10^D`. `nil` for other spellings or more
    /// digits than the integers hold.
    static func rankExceedsN(n: Int, decimal: String) -> Bool? {
        guard decimal.hasPrefix("0."), !decimal.contains("e") else { return nil }
        let digits = decimal.dropFirst(2)
        guard digits.count <= 18, let mantissa = Int(digits) else { return nil }
        var scale = 1
        for _ in 0..<digits.count { scale *= 10 }
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: n + 1)
        return overflow ? nil : product < scale
    }

    // MARK: Claim 1 — both ends of the band for continuous scores

    static let continuousCells: [MarginalCell] = [
        MarginalCell(law: .positiveCoarseThree, score: .aps(randomized: true), n: 19, alpha: 0.1, allowEmpty: true, seed: 301),     // miss exactly α
        MarginalCell(law: .positiveCoarseThree, score: .aps(randomized: true), n: 19, alpha: 0.0999, allowEmpty: true, seed: 302),  // miss 0.05: 1e-4 inside the upper end
        MarginalCell(law: .positiveCoarseThree, score: .aps(randomized: true), n: 1, alpha: 0.5, allowEmpty: true, seed: 303),      // miss exactly 1/2
        MarginalCell(law: .positiveCoarseThree, score: .aps(randomized: true), n: 50, alpha: 0.99, allowEmpty: true, seed: 304),    // k = 1: miss 50/51, band [0.9704, 0.99]
        MarginalCell(law: .continuous, n: 49, alpha: 0.02, allowEmpty: true, seed: 305),                                           // miss exactly α
        MarginalCell(law: .continuous, n: 10, alpha: 0.9, allowEmpty: true, seed: 306),                                            // k = 2: miss 9/11, band [0.8091, 0.9]
    ]

    /// Claim 1, both ends (README "Marginal"): with continuous scores (randomized APS with no
    /// zero probability — here on a coarse grid, so probabilities tie but scores do not — and
    /// LAC with continuous probabilities) and `allowEmpty: true`,
    /// `1 − α ≤ P(Y ∈ C(X)) ≤ 1 − α + 1/(n + 1)`; cells where one end is attained exactly
    /// and one (n = 19, α = 0.0999) 10⁻⁴ inside the upper end. One check per cell for the
    /// lower end, one for the upper end where it is not vacuous (α > 1/(n + 1)): 10 checks.
    @Test(arguments: continuousCells)
    func continuousCoverageStaysInsideItsBand(cell: MarginalCell) throws {
        let (k, trials, misses) = try Self.run(cell)
        let exact = 1 - Double(k ?? (cell.n + 1)) / Double(cell.n + 1)
        let note = "k = \(k.map(String.init) ?? "none"), exact miss rate \(Falsify.rounded(exact))"
        try Falsify.expectAtMost(cell.testDescription + " (lower end)", rate: cell.alpha, events: misses, trials: trials, note: note)
        // The upper end is vacuous when α ≤ 1/(n + 1) (the band reaches coverage 1).
        let floor = cell.alpha - 1 / Double(cell.n + 1)
        if floor > 0 {
            try Falsify.expectAtLeast(cell.testDescription + " (upper end)", rate: floor, events: misses, trials: trials, note: note)
        }
    }

    /// Claim 1, the upper end's scope: the README and the classifier's doc called randomized
    /// APS "continuous" without qualification (they now require the true label's probability
    /// to be positive), but a label the model gives probability 0 has
    /// the APS score `Σ π = 1` whatever the uniform — an atom — and then coverage exceeds
    /// `1 − α + 1/(n + 1)`. Model output [0.6, 0.4, 0] (probabilities rounded to one decimal),
    /// labels drawn 0.4/0.3/0.3, n = 19, α = 0.1: the threshold is the atom 1.0 whenever two
    /// of the 19 calibration labels are 2 (99 % of calibration sets), and then every label is
    /// kept. The test expects the upper end to be REFUTED — it needs the true label's
    /// probability to be positive — and the lower end to hold. Two checks (the first fails only if the atom does not show: a power failure,
    /// p-value 1.9e-16 in the recorded run).
    @Test func randomizedAPSUpperEndFailsForLabelsOfProbabilityZero() throws {
        let law = ClassLaw(name: "rounded model [0.6, 0.4, 0]", classes: 3, draw: { rng in
            let u = rng.nextUniform()
            return ([0.6, 0.4, 0.0], u < 0.4 ? 0 : (u < 0.7 ? 1 : 2))
        })
        let n = 19, alpha = 0.1, trials = 1000
        let classifier = SplitConformalClassifier(score: .aps(randomized: true), alpha: alpha, allowEmpty: true)
        let misses = try marginalMisses(classifier, law: law, n: n, trials: trials, seed: 401)
        try Falsify.expectAtMost("rAPS zero-probability label n=19 α=0.1 (lower end)", rate: alpha, events: misses, trials: trials)
        try Falsify.expectAtLeast("rAPS zero-probability label n=19 α=0.1 (upper end)", rate: alpha - 1 / Double(n + 1), events: misses,
                                  trials: trials, note: "refutation expected: the atom at 1", expectRefutation: true)
    }

    // MARK: Claim 2 — class-conditional (Mondrian) coverage

    /// Class laws for Mondrian: class 0 easy and continuous, class 1 hard with tied scores
    /// (its probability on the tenths 0.1…0.5), class 2 hard and continuous (π₂ ~ U(0, 0.3)).
    static func drawGiven(label y: Int, using rng: inout RandomStream) -> [Double] {
        let own: Double
        switch y {
        case 0: own = 0.5 + 0.5 * rng.nextUniform()
        case 1: own = Double(rng.nextInt(below: 5) + 1) / 10
        default: own = 0.3 * rng.nextUniform()
        }
        let split = rng.nextUniform()
        return ClassLaw.row(label: y, own: own, others: [(1 - own) * split, (1 - own) * (1 - split)])
    }

    /// Calibrates a Mondrian classifier on the given points and returns, for each test point,
    /// whether its label was missed.
    static func mondrianMisses(_ classifier: SplitConformalClassifier, calibration: [([Double], Int)], tests: [([Double], Int)],
                               using rng: inout RandomStream) throws -> [Bool] {
        let n = calibration.count
        var storage = [Double](repeating: 0, count: n * 3)
        for (i, point) in calibration.enumerated() { for c in 0..<3 { storage[i + c * n] = point.0[c] } }
        let model = try classifier.calibrate(probabilities: Matrix(rows: n, columns: 3, columnMajor: storage), labels: calibration.map(\.1), using: &rng)
        let sets = try model.predict(probabilities: Matrix(tests.map(\.0)), using: &rng)
        return tests.indices.map { !sets.contains(sample: $0, label: tests[$0].1) }
    }

    /// Claim 2 (README "Class-conditional"): `P(Y ∉ C(X) | Y = y) ≤ α` with n the calibration
    /// count of class y — conditioned on the counts exactly: each trial draws n₀ = 30 points
    /// of class 0, n₁ points of class 1 (0, 1, 2, 9 or 19: the imbalanced, tiny class, with
    /// tied scores) and none of class 2, and one test point of each class. α sits where the
    /// small class's rank is tight: α = 1/(n₁ + 1) exactly, or 0.34 for n₁ = 2 (k = 2). A
    /// class with no calibration point must keep its label always. Class 0 (continuous
    /// scores, `allowEmpty`) is also held to the upper end `1 − α + 1/31`. Three checks per
    /// cell (15).
    @Test(arguments: [(0, 0.1), (1, 0.5), (2, 0.34), (9, 0.1), (19, 0.05)])
    func classConditionalCoverageGivenTheClassCounts(smallCount: Int, alpha: Double) throws {
        var rng = RandomStream(seed: 500 + UInt64(smallCount))
        let classifier = SplitConformalClassifier(score: .lac, alpha: alpha, mode: .classConditional, allowEmpty: true)
        let trials = try Falsify.trials(claimed: alpha, gap: 1 / Double(max(smallCount, 1) + 1))
        var misses = [0, 0, 0]
        for _ in 0..<trials {
            var calibration = [([Double], Int)]()
            for _ in 0..<30 { calibration.append((Self.drawGiven(label: 0, using: &rng), 0)) }
            for _ in 0..<smallCount { calibration.append((Self.drawGiven(label: 1, using: &rng), 1)) }
            calibration.shuffle(using: &rng)
            let tests = (0..<3).map { (Self.drawGiven(label: $0, using: &rng), $0) }
            for (y, missed) in try Self.mondrianMisses(classifier, calibration: calibration, tests: tests, using: &rng).enumerated() where missed {
                misses[y] += 1
            }
        }
        try Falsify.expectAtMost("Mondrian n₀=30 α=\(alpha): class 0", rate: alpha, events: misses[0], trials: trials)
        // Class 0's scores are continuous and its sets may be empty: its coverage given Y = 0
        // is also at most 1 − α + 1/(n₀ + 1).
        try Falsify.expectAtLeast("Mondrian n₀=30 α=\(alpha): class 0 (upper end)", rate: alpha - 1.0 / 31, events: misses[0], trials: trials)
        try Falsify.expectAtMost("Mondrian n₁=\(smallCount) α=\(alpha): class 1", rate: alpha, events: misses[1], trials: trials,
                                 note: "k = \(ConformalThreshold.rank(count: smallCount, alpha: alpha).map(String.init) ?? "none")")
        #expect(misses[2] == 0, "class 2 has no calibration point: its label must always be kept")
    }

    /// Claim 2 with random class counts: labels drawn 0.9 / 0.08 / 0.02 (n = 40, so class 2
    /// has 0 or 1 calibration points in most sets and class 1 about 3), α = 0.1, and the test
    /// label drawn from the same law; `P(Y ∉ C(X) | Y = y) ≤ α` for each class, counts
    /// averaged over. Class 2's test points are rare, so its check has little power; class 1's
    /// calibration set is below k = ⌈(n₁+1)·0.9⌉ mostly, so the check there guards the `+∞`
    /// path. Three checks.
    @Test func classConditionalCoverageWithImbalancedRandomCounts() throws {
        var rng = RandomStream(seed: 550)
        let alpha = 0.1, n = 40, trials = 3000
        let classifier = SplitConformalClassifier(score: .lac, alpha: alpha, mode: .classConditional, allowEmpty: true)
        func label() -> Int { let u = rng.nextUniform(); return u < 0.9 ? 0 : (u < 0.98 ? 1 : 2) }
        var misses = [0, 0, 0], counts = [0, 0, 0]
        for _ in 0..<trials {
            let calibration = (0..<n).map { _ in let y = label(); return (Self.drawGiven(label: y, using: &rng), y) }
            let y = label()
            let missed = try Self.mondrianMisses(classifier, calibration: calibration, tests: [(Self.drawGiven(label: y, using: &rng), y)], using: &rng)[0]
            counts[y] += 1
            if missed { misses[y] += 1 }
        }
        for y in 0..<3 where counts[y] > 0 {
            try Falsify.expectAtMost("Mondrian random counts (0.9/0.08/0.02) n=40 α=0.1: class \(y)", rate: alpha, events: misses[y], trials: counts[y])
        }
    }

    // MARK: Claim 3 — PAC (calibration-conditional) coverage

    /// Runs `trials` independent calibrations with the PAC guarantee on `law` (LAC, K = 2,
    /// `allowEmpty`) and counts those whose coverage given the calibration set is below 1 − α.
    /// That coverage is exact: for the continuous law the score `1 − U` has `P(1 − U ≤ τ) = τ`
    /// at every threshold `τ = 1 − U_i` (U on the 2⁻⁵³ grid, `1 − U` exact); for the tenths
    /// law it is the fraction of the 11 equally likely grid rows whose set, predicted by the
    /// calibrated model, holds the label.
    static func pacFailures(_ guarantee: CalibrationGuarantee, law: ClassLaw, n: Int, alpha: Double, trials: Int, seed: UInt64) throws -> Int {
        var rng = RandomStream(seed: seed)
        let classifier = SplitConformalClassifier(score: .lac, alpha: alpha, guarantee: guarantee, allowEmpty: true)
        let grid = try Matrix((0...10).map { j -> [Double] in let own = Double(j) / 10; return [own, 1 - own] })
        var storage = [Double](repeating: 0, count: n * 2), labels = [Int](repeating: 0, count: n)
        var failures = 0
        for _ in 0..<trials {
            for i in 0..<n {
                let (row, y) = law.draw(&rng)
                storage[i] = row[0]; storage[i + n] = row[1]
                labels[i] = y
            }
            let model = try classifier.calibrate(probabilities: Matrix(rows: n, columns: 2, columnMajor: storage), labels: labels, using: &rng)
            let coverage: Double
            if law.lacScores == nil {
                coverage = min(model.thresholds[0], 1)
            } else {
                let sets = try model.predict(probabilities: grid, using: &rng)
                coverage = Double((0...10).filter { sets.contains(sample: $0, label: 0) }.count) / 11
            }
            if coverage < 1 - alpha { failures += 1 }
        }
        return failures
    }

    /// `P(U_(k) < 1 − α) = P(Bin(n, 1 − α) ≥ k)`: the chance that the k-th of n continuous
    /// scores leaves coverage below 1 − α — computed by the binomial tail, not by the Beta
    /// law `ConformalThreshold` uses.
    static func failureProbability(n: Int, alpha: Double, k: Int) throws -> Double {
        try ExactBinomialTest.pValueAtMost(rate: 1 - alpha, events: k, trials: n)
    }

    /// Claim 3, exact form (README "PAC", `CalibrationGuarantee.pacExact`): with probability
    /// ≥ 1 − ν over the calibration set, coverage given that set is ≥ 1 − α. Hardest case:
    /// continuous scores and ν equal (to 1e-9 relative) to the failure probability of some
    /// rank k*, so a correct rank fails at rate exactly ν and a rank one lower at a much
    /// larger rate (printed); n = 1, 5, 20, 50 and α from 0.1 to 0.9. Also a ν too small for
    /// any rank (every label, no failure) and the tied tenths law. Six checks.
    @Test(arguments: [(1, 0.9, 1), (5, 0.5, 5), (20, 0.1, 20), (50, 0.2, 44), (30, 0.3, 25)])
    func pacExactHoldsAtTheBoundaryConfidence(n: Int, alpha: Double, boundaryRank: Int) throws {
        let nu = try Self.failureProbability(n: n, alpha: alpha, k: boundaryRank) * (1 + 1e-9)
        let rank = try ConformalThreshold.rank(count: n, alpha: alpha, guarantee: .pacExact(confidenceFailure: nu))
        #expect(rank == boundaryRank, "ν = \(nu) at its boundary should select k* = \(boundaryRank), got \(String(describing: rank))")
        let oneLower = boundaryRank > 1 ? try Self.failureProbability(n: n, alpha: alpha, k: boundaryRank - 1) : 1
        let trials = try Falsify.trials(claimed: nu, gap: oneLower - nu)
        let failures = try Self.pacFailures(.pacExact(confidenceFailure: nu), law: .continuous, n: n, alpha: alpha, trials: trials, seed: 600 + UInt64(n))
        try Falsify.expectAtMost("pacExact continuous n=\(n) α=\(alpha) ν=\(Falsify.rounded(nu))", rate: nu, events: failures, trials: trials,
                                 note: "rank \(boundaryRank); rank \(boundaryRank - 1) would fail at \(Falsify.rounded(oneLower))")
        if n == 5 {
            // ν below (1 − α)ⁿ: no rank suffices, every label is kept, coverage 1.
            let none = try Self.pacFailures(.pacExact(confidenceFailure: 0.01), law: .continuous, n: 5, alpha: 0.5, trials: 200, seed: 650)
            #expect(none == 0)
        }
        if n == 30 {
            let tiedTrials = 1500, tiedNu = 0.1
            let tied = try Self.pacFailures(.pacExact(confidenceFailure: tiedNu), law: .tenths, n: 30, alpha: 0.3, trials: tiedTrials, seed: 660)
            try Falsify.expectAtMost("pacExact tenths n=30 α=0.3 ν=0.1", rate: tiedNu, events: tied, trials: tiedTrials)
        }
    }

    /// Claim 3, Hoeffding form (`CalibrationGuarantee.pacHoeffding`: calibrate at
    /// `α − √(ln(1/ν)/(2n))`): failure rate ≤ ν over calibration sets, continuous scores
    /// (the hardest: ties only raise coverage given the set), at small n where the adjusted
    /// level is barely positive (n = 1 with α = 0.99, ν = 0.9) and at moderate n. The form is
    /// conservative, so the measured rates sit far below ν. Four checks.
    @Test(arguments: [(1, 0.99, 0.9), (8, 0.5, 0.5), (20, 0.6, 0.2), (50, 0.5, 0.1)])
    func pacHoeffdingHolds(n: Int, alpha: Double, nu: Double) throws {
        let rank = try ConformalThreshold.rank(count: n, alpha: alpha, guarantee: .pacHoeffding(confidenceFailure: nu))
        let exactFailure = try rank.map { try Self.failureProbability(n: n, alpha: alpha, k: $0) } ?? 0
        let trials = try Falsify.trials(claimed: nu, gap: min(nu, 1 - nu))
        let failures = try Self.pacFailures(.pacHoeffding(confidenceFailure: nu), law: .continuous, n: n, alpha: alpha, trials: trials, seed: 700 + UInt64(n))
        try Falsify.expectAtMost("pacHoeffding continuous n=\(n) α=\(alpha) ν=\(nu)", rate: nu, events: failures, trials: trials,
                                 note: "k = \(rank.map(String.init) ?? "none"), exact failure rate \(Falsify.rounded(exactFailure))")
    }

    // MARK: Claim 4 — regression

    /// One regression cell: a law drawing (predictions, target) for one point.
    struct RegressionCell: Sendable, CustomTestStringConvertible {
        let name: String
        let score: RegressionScore
        let draw: @Sendable (inout RandomStream) -> (point: Double, scale: Double, lower: Double, upper: Double, target: Double)
        let seed: UInt64
        var testDescription: String { "\(score) \(name)" }
    }

    /// Tied targets on the tenths grid. The first three cells are the hardest case: a constant
    /// prediction (−3; scale 0.3; quantiles −3 and −2) and targets drawn from four tenths
    /// whose score q = |y − ŷ| ties with the calibration threshold while ŷ + q (or ŷ + q·σ̂,
    /// q̂_hi + q) rounds below y. The last cells are ordinary tied data: integer predictions
    /// −3…3 and targets within ±1.5 of them on the tenths grid.
    static let regressionCells: [RegressionCell] = [
        RegressionCell(name: "ŷ = −3, y ∈ {0.3, 0.4, 0.8, 0.9}", score: .absoluteResidual, draw: { rng in
            (-3, 1, 0, 0, [0.3, 0.4, 0.8, 0.9][rng.nextInt(below: 4)])
        }, seed: 801),
        RegressionCell(name: "ŷ = −3, σ̂ = 0.3, y ∈ {−1.2, −0.7, −0.6, −0.1}", score: .normalizedResidual, draw: { rng in
            (-3, 0.3, 0, 0, [-1.2, -0.7, -0.6, -0.1][rng.nextInt(below: 4)])
        }, seed: 802),
        RegressionCell(name: "q̂ = [−3, −2], y ∈ {0.3, 0.4, 0.8, 0.9}", score: .quantile, draw: { rng in
            (0, 1, -3, -2, [0.3, 0.4, 0.8, 0.9][rng.nextInt(below: 4)])
        }, seed: 803),
        RegressionCell(name: "ŷ ∈ −3…3, y on tenths within ±1.5", score: .absoluteResidual, draw: { rng in
            let a = rng.nextInt(below: 7) - 3
            return (Double(a), 1, 0, 0, Double(10 * a + rng.nextInt(below: 31) - 15) / 10)
        }, seed: 804),
        RegressionCell(name: "ŷ ∈ −3…3, σ̂ ∈ {0.3, 0.7}, y on tenths within ±1.5", score: .normalizedResidual, draw: { rng in
            let a = rng.nextInt(below: 7) - 3
            return (Double(a), rng.nextInt(below: 2) == 0 ? 0.3 : 0.7, 0, 0, Double(10 * a + rng.nextInt(below: 31) - 15) / 10)
        }, seed: 805),
        RegressionCell(name: "q̂ = ŷ ± 1, ŷ ∈ −3…3, y on tenths within ±1.5", score: .quantile, draw: { rng in
            let a = rng.nextInt(below: 7) - 3
            return (0, 1, Double(a - 1), Double(a + 1), Double(10 * a + rng.nextInt(below: 31) - 15) / 10)
        }, seed: 806),
    ]

    /// Claim 4 (README "Marginal", `SplitConformalRegressor` doc): `P(Y ∉ [lo(X), hi(X)]) ≤ α`
    /// for exchangeable data, for the absolute residual, normalized residual and CQR — with
    /// tied targets, so a test score equals the threshold with positive probability and the
    /// interval must contain exactly the targets whose score is at most q, to the last bit.
    /// n = 19, α = 0.1 (k = 18, exact for continuous scores). One check per cell (6).
    @Test(arguments: regressionCells)
    func regressionCoverageHoldsWithTiedTargets(cell: RegressionCell) throws {
        var rng = RandomStream(seed: cell.seed)
        let n = 19, alpha = 0.1
        let trials = try Falsify.trials(claimed: alpha, gap: 1 / Double(n + 1))
        let regressor = SplitConformalRegressor(score: cell.score, alpha: alpha)
        var misses = 0
        for _ in 0..<trials {
            let points = (0..<(n + 1)).map { _ in cell.draw(&rng) }
            let calibration = points.prefix(n), test = points[n]
            let predictions = RegressionPredictions(point: calibration.map(\.point), scale: calibration.map(\.scale),
                                                    lower: calibration.map(\.lower), upper: calibration.map(\.upper))
            let model = try regressor.calibrate(predictions: predictions, targets: calibration.map(\.target))
            let interval = try model.predict(.init(point: [test.point], scale: [test.scale], lower: [test.lower], upper: [test.upper]))[0]
            if !interval.contains(test.target) { misses += 1 }
        }
        try Falsify.expectAtMost("regression \(cell.testDescription) n=19 α=0.1", rate: alpha, events: misses, trials: trials)
    }

    /// Claim 4, the mechanism, deterministically: every target whose score is at most the
    /// threshold lies in its interval and every target whose score exceeds it lies outside,
    /// for all tenths targets in −6…6 around every tenths prediction in −6…6 (scales 0.3 and
    /// 0.7, quantile pairs one apart), with the threshold set to that target's own score — the
    /// tie that conformal calibration produces. No false alarms.
    @Test func regressionIntervalsHoldExactlyTheTargetsWithinTheThreshold() throws {
        let grid = (-60...60).map { Double($0) / 10 }
        var failures = [String]()
        for a in grid {
            for y in grid {
                for (score, b) in [(RegressionScore.absoluteResidual, 1.0), (.normalizedResidual, 0.3), (.normalizedResidual, 0.7), (.quantile, a + 1)] {
                    let q: Double
                    switch score {
                    case .absoluteResidual: q = abs(y - a)
                    case .normalizedResidual: q = abs(y - a) / b
                    case .quantile: q = max(a - y, y - b)
                    }
                    let model = CalibratedConformalRegressor(configuration: SplitConformalRegressor(score: score, alpha: 0.1), threshold: q, calibrationCount: 19)
                    let predictions = RegressionPredictions(point: [a], scale: [b], lower: [a], upper: [b])
                    let interval = try model.predict(predictions)[0]
                    // The score's own value is within the threshold; the neighbouring targets
                    // are in the interval exactly when their scores are.
                    for target in [y, y.nextUp, y.nextDown] {
                        let s: Double
                        switch score {
                        case .absoluteResidual: s = abs(target - a)
                        case .normalizedResidual: s = abs(target - a) / b
                        case .quantile: s = max(a - target, target - b)
                        }
                        if interval.contains(target) != (s <= q) {
                            failures.append("\(score) ŷ/q̂ \(a), \(b), y \(target): score \(s), q \(q), interval \(interval)")
                        }
                    }
                }
            }
        }
        let wrongSide = failures.count, examples = failures.prefix(3).joined(separator: "; ")
        #expect(wrongSide == 0, "targets on the wrong side of their interval, e.g. \(examples)")
    }

    // MARK: Claim 5 — α read as its decimal

    /// Claim 5 (README, `ConformalThreshold.rank`): α is read as the decimal it prints as, so
    /// the rank is `⌈(n + 1)(1 − α)⌉` in exact arithmetic — checked against integer
    /// arithmetic for n = 1…200 and α = m/100, m/20, m/8 (where binary `(n+1)*(1-α)` is off
    /// by one in many cells, e.g. n = 19, α = 0.1 and n = 9, α = 0.3) — and, statistically,
    /// n = 19, α = 0.1 uses the 18th score: continuous scores then miss at exactly 0.1; the
    /// 19th would give 0.05 and the 17th 0.15, both refuted with power 0.99. Two checks.
    @Test func alphaIsReadAsItsDecimal() throws {
        var binaryWouldDiffer = 0
        for n in 1...200 {
            for (numerator, denominator) in (1..<100).map({ ($0, 100) }) + (1..<20).map({ ($0, 20) }) + (1..<8).map({ ($0, 8) }) {
                let alpha = Double(numerator) / Double(denominator)
                let exact = ((n + 1) * (denominator - numerator) + denominator - 1) / denominator
                let expected: Int? = exact <= n ? exact : nil
                #expect(ConformalThreshold.rank(count: n, alpha: alpha) == expected, "n \(n) α \(alpha)")
                let binary = Int((Double(n + 1) * (1 - alpha)).rounded(.up))
                if (binary <= n ? binary : nil) != expected { binaryWouldDiffer += 1 }
            }
        }
        #expect(binaryWouldDiffer > 0)  // the grid does contain cells where binary rounding errs
        #expect(ConformalThreshold.rank(count: 19, alpha: 0.1) == 18 && ConformalThreshold.rank(count: 9, alpha: 0.3) == 7)

        let n = 19, alpha = 0.1
        let trials = try Falsify.trials(claimed: alpha, gap: 1 / Double(n + 1))
        let classifier = SplitConformalClassifier(score: .lac, alpha: alpha, allowEmpty: true)
        let misses = try marginalMisses(classifier, law: .continuous, n: n, trials: trials, seed: 901)
        try Falsify.expectAtMost("decimal α: LAC continuous n=19 α=0.1 (not the 17th score)", rate: 0.1, events: misses, trials: trials)
        try Falsify.expectAtLeast("decimal α: LAC continuous n=19 α=0.1 (not the 19th score)", rate: 0.1, events: misses, trials: trials)
    }

    // MARK: The long sweep (opt-in)

    /// Claim 1 over the whole grid, sized to see a violation of 0.01: n =
    /// 1…50, α ∈ {0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 0.99, 1/(n+1) and its neighbouring doubles},
    /// for the 3-value, tenths and continuous LAC laws. Runs only with
    /// `CONFORMAL_FALSIFICATION_SWEEP=1` (about 6·10⁷ trials: hours); up to 1500
    /// checks, so a false-alarm budget of 1.5e-3.
    @Test(.enabled(if: Falsify.sweep)) func marginalCoverageFullSweep() throws {
        var seed: UInt64 = 10_000
        for law in [ClassLaw.threeValues, .tenths, .continuous] {
            for n in 1...50 {
                let reciprocal = 1 / Double(n + 1)
                for alpha in [0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 0.99, reciprocal, reciprocal.nextUp, reciprocal.nextDown] {
                    seed += 1
                    let classifier = SplitConformalClassifier(score: .lac, alpha: alpha, allowEmpty: true)
                    let trials = try Falsify.trials(claimed: alpha, gap: 0.01)
                    let misses = try marginalMisses(classifier, law: law, n: n, trials: trials, seed: seed)
                    try Falsify.expectAtMost("sweep \(law) n=\(n) α=\(alpha)", rate: alpha, events: misses, trials: trials)
                }
            }
        }
    }
}
