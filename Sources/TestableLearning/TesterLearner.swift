import Certificates
import Foundation
import SuretyNumerics

/// The tester-learner for homogeneous halfspaces under Gaussian marginals (Gollakota, Klivans,
/// Stavropoulos, Vasilyan, *An Efficient Tester-Learner for Halfspaces*, ICLR 2024; the
/// testable-learning model of Rubinfeld and Vasilyan 2023; spec tester-learner.md §A).
///
/// The data are shuffled and split into three independent parts: SGD, tests, validation.
/// 1. Label-free tests of the marginal on the test split (mean, covariance, degree-4 moments
///    along axes and random directions, and — for small d — full moment matching).
/// 2. Projected SGD on the ramp surrogate for each σ of a grid, from the Chow vector; the
///    thinned iterates, the Chow vector and all their negations are the candidates `W`.
/// 3. Selection of `ŵ` by validation error.
/// 4. Local tests around `ŵ` on the test split (independent of the selection): band masses at
///    σ/6, σ/2, σ; band covariance at σ/2 and σ; band degree-4 moments and interval
///    (Kolmogorov) tests at σ; approximate stationarity.
///
/// Each of the `J` tests gets `δ/(2J)`; the error bound gets the other `δ/2`. **Soundness** (any
/// distribution): with probability ≥ 1 − δ, `err(ŵ) ≤ ε̂ = err_val(ŵ) + √(ln(4|W|/δ)/(2 n_val))`
/// — distribution-free (Hoeffding, union over the `|W|` candidates compared on the validation
/// split); or, with ``holdoutShare`` > 0, `err_hold(ŵ) + √(ln(4/δ)/(2 n_hold))` on a fresh split. The **conditional guarantee**: if the tester accepts, then under Massart noise
/// `err(ŵ) ≤ opt + ε`, agnostic `O(opt) + ε` (GKSV's theorems; their constants are not
/// reproduced here, so this is the paper's statement, not a number we compute).
/// **Completeness**: on Gaussian marginals each statistical test falsely rejects with
/// probability at most its share (the Cornish–Fisher limits approximately so); the stationarity
/// check's constant part is the spec's practical choice (§A.9), not a proven null.
public struct TesterLearner: Sendable {
    public enum Noise: String, Sendable, CaseIterable { case massart, agnostic }

    public var epsilon: Double
    public var delta: Double
    public var noise: Noise
    /// The σ grid searched (spec §A.9).
    public var sigmas: [Double] = [0.05, 0.1, 0.2, 0.4]
    /// η in the stationarity threshold `c·(1 − 2η)` (0: the loosest constant).
    public var massartBound = 0.0
    /// Random directions added to the axes in the degree-4 tests.
    public var randomDirections = 20
    /// Full moment matching up to this degree when the number of monomials is at most
    /// `momentMatchingLimit` (else skipped and said so).
    public var momentDegree = 4
    public var momentMatchingLimit = 12_000
    public var epochs = 5
    public var candidatesPerSigma = 50
    /// Shares of the data for SGD, tests and validation.
    public var splits = (sgd: 0.3, test: 0.3, validation: 0.4)
    /// Certify `ŵ` on a fresh hold-out it was not selected on (this share of the data, taken
    /// from the SGD and validation parts): the bound is then `err_hold(ŵ) + √(ln(4/δ)/(2 n_hold))`,
    /// with no union over the candidates. 0: certify on the validation split.
    public var holdoutShare = 0.0
    /// Set when the data were whitened with an estimate from a separate split
    /// (``TesterLearner/run(_:preparation:using:)``): the label-free tests' thresholds are widened by it.
    public var whitening: WhiteningSlack? = nil

    public init(epsilon: Double, delta: Double, noise: Noise = .massart) throws {
        guard epsilon > 0, epsilon < 0.5 else { throw NumericsError.domain(function: "tester-learner", value: "ε = \(epsilon)", expected: "0 < ε < 1/2") }
        guard delta > 0, delta < 1 else { throw NumericsError.domain(function: "tester-learner", value: "δ = \(delta)", expected: "0 < δ < 1") }
        self.epsilon = epsilon
        self.delta = delta
        self.noise = noise
    }

    /// `|W|` for a dataset of `n` rows: the iterates SGD keeps per σ on its split and the Chow
    /// vector, with negations.
    public func candidateCount(rows n: Int) -> Int {
        var learner = ProjectedSGD(sigma: 1)
        learner.epochs = epochs
        learner.candidates = candidatesPerSigma
        return 2 * (sigmas.count * learner.keptCount(rows: Int(Double(n) * sgdShare)) + 1)
    }

    /// The validation size that makes the selection cost at most ε/2 (spec §A.9),
    /// `n_val ≥ 8·ln(2|W|/δ)/ε²`, for `n` rows, and whether `n` provides it.
    public func requiredSamples(rows n: Int) -> (validation: Int, total: Int, candidates: Int) {
        let w = candidateCount(rows: n)
        let nVal = Int((8 * log(2 * Double(w) / delta) / (epsilon * epsilon)).rounded(.up))
        return (nVal, Int((Double(nVal) / validationShare).rounded(.up)), w)
    }

    /// The validation share after the hold-out (taken half from SGD, half from validation).
    var validationShare: Double { splits.validation - holdoutShare / 2 }
    var sgdShare: Double { splits.sgd - holdoutShare / 2 }

    public struct Result: Sendable {
        public var accepted: Bool
        public var weights: [Double]
        public var sigma: Double
        public var validationError: Double
        public var errorBound: Double
        public var tests: [TestOutcome]
        public var candidateCount: Int
        public var splitSizes: (sgd: Int, test: Int, validation: Int)
        public var notes: [String]
        /// The whitening the rows went through (fitted on a split the rest never saw), if any.
        public var standardization: Standardization? = nil
        /// The intercept chosen on its own split, if any (``InterceptChoice``).
        public var intercept: InterceptChoice? = nil

        public var failedTests: [TestOutcome] { tests.filter { !$0.passed } }
    }

    /// Runs the tester-learner.
    ///
    /// - Throws: `NumericsError.domain` when there are fewer samples than ``requiredSamples``
    ///   (the message says how many are needed) or `d < 2`.
    public func run(_ data: LabeledSample, using rng: inout some RandomNumberGenerator) throws -> Result {
        let d = data.dimension
        guard d >= 2 else { throw NumericsError.domain(function: "tester-learner", value: "d = \(d)", expected: "d ≥ 2 (the local tests live in w⊥)") }
        var needed = requiredSamples(rows: data.count)
        guard data.count >= needed.total else {
            needed = requiredSamples(rows: needed.total)      // |W| grows with the SGD split: state it at the size asked for
            throw NumericsError.domain(function: "tester-learner", value: "\(data.count) samples",
                                       expected: "at least \(needed.total) for ε = \(epsilon), δ = \(delta) (a validation split of \(needed.validation) "
                                           + "= 8·ln(2|W|/δ)/ε² with |W| = \(needed.candidates) candidates; raise ε or δ, or give more data)")
        }
        let shuffled = data.shuffled(using: &rng)
        guard holdoutShare >= 0, holdoutShare < min(2 * splits.sgd, 2 * splits.validation) else {
            throw NumericsError.domain(function: "tester-learner", value: "hold-out share \(holdoutShare)", expected: "0 ≤ share < the SGD and validation shares")
        }
        let nSGD = Int(Double(data.count) * sgdShare), nTest = Int(Double(data.count) * splits.test)
        let nHold = Int(Double(data.count) * holdoutShare)
        let sgd = shuffled.rows(0..<nSGD), test = shuffled.rows(nSGD..<(nSGD + nTest))
        let holdout = shuffled.rows((nSGD + nTest)..<(nSGD + nTest + nHold))
        let validation = shuffled.rows((nSGD + nTest + nHold)..<data.count)

        let battery = LabelFreeBattery(dimension: d, degree: momentDegree, limit: momentMatchingLimit, randomDirections: randomDirections, slack: whitening)
        var notes = battery.skipNote.map { [$0] } ?? []
        let testCount = battery.testCount + 3 + 2 + 2 + 1
        let share = delta / Double(2 * testCount)

        // 1. Label-free tests.
        var tests = try battery.run(test, failureProbability: share, using: &rng)

        // 2–3. Candidates and selection.
        let chow = ProjectedSGD.chowVector(sgd)
        var candidates: [(w: [Double], sigma: Double)] = [(chow, sigmas[0])]
        for sigma in sigmas {
            var learner = ProjectedSGD(sigma: sigma)
            learner.epochs = epochs
            learner.candidates = candidatesPerSigma
            candidates += learner.run(sgd, start: chow, using: &rng).map { ($0, sigma) }
        }
        candidates += candidates.map { (w: $0.w.map { -$0 }, sigma: $0.sigma) }
        let errors = candidates.map { validation.error(of: $0.w) }
        let best = errors.indices.min { errors[$0] < errors[$1] }!
        let (w, sigma) = candidates[best]

        // 4. Local tests around ŵ.
        for a in [sigma / 6, sigma / 2, sigma] { tests.append(try LocalTests.bandMass(test, direction: w, width: a, failureProbability: share)) }
        for a in [sigma / 2, sigma] { tests.append(try LocalTests.bandCovariance(test, direction: w, width: a, failureProbability: share)) }
        tests.append(LocalTests.bandFourthMoments(test, direction: w, width: sigma, randomDirections: randomDirections, failureProbability: share, using: &rng))
        tests.append(LocalTests.bandIntervals(test, direction: w, width: sigma, randomDirections: randomDirections, failureProbability: share, using: &rng))
        tests.append(LocalTests.stationarity(test, direction: w, sigma: sigma, massartBound: massartBound, failureProbability: share))

        let bound = nHold > 0
            ? holdout.error(of: w) + (log(4 / delta) / (2 * Double(nHold))).squareRoot()
            : errors[best] + (log(4 * Double(candidates.count) / delta) / (2 * Double(validation.count))).squareRoot()
        if nHold > 0 { notes.append("error bound certified on a fresh hold-out of \(nHold) rows (ln(4/δ), no union over candidates)") }
        return Result(accepted: tests.allSatisfy(\.passed), weights: w, sigma: sigma, validationError: errors[best], errorBound: min(1, bound),
                      tests: tests, candidateCount: candidates.count, splitSizes: (sgd.count, test.count, validation.count), notes: notes)
    }
}
