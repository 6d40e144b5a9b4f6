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
/// 2. Full-batch projected gradient descent on the ramp surrogate (``SurrogateDescent``) for
///    each σ of a grid, from the largest σ down, each started where the previous one stopped
///    (the first at the Chow vector); the thinned paths, the Chow vector and all their
///    negations are the candidates `W`.
/// 3. Selection of `ŵ` on the validation split: among each σ's last iterate and the candidate
///    of least validation error, the one with the smallest near-optimality bound there.
/// 4. Local tests around `ŵ` on the test split (independent of the selection): band masses at
///    σ/6, σ/2, σ; band covariance at σ/2 and σ; band degree-4 moments and interval
///    (Kolmogorov) tests at σ.
/// 5. The near-optimality bound (``NearOptimalityBound``) from the surrogate's gradient at `ŵ`
///    on the test split.
///
/// **What is proved.** With probability ≥ 1 − δ over the sample (δ/2 for each part):
/// - for any distribution, `err(ŵ) ≤ ε̂ = err_val(ŵ) + √(ln(4|W|/δ)/(2 n_val))` (Hoeffding, union
///   over the `|W|` candidates compared on the validation split), or, with ``holdoutShare`` > 0,
///   `err_hold(ŵ) + √(ln(4/δ)/(2 n_hold))` on a fresh split;
/// - if the x-marginal is `N(0, I_d)` and the labels follow ``noise``, `err(ŵ) ≤ opt + ε_cert`,
///   where `ε_cert` is ``Result/nearOptimality``'s bound, computed from the data (it is `nil` when
///   the data prove nothing). The run is **certified** when the tests accept and `ε_cert ≤ ε`.
///
/// **What is not.** The tests check the Gaussian marginal; they cannot prove it. GKSV's theorem
/// makes acceptance imply near-optimality for *every* marginal, but its constants are not
/// available (spec §A.5) and its sample sizes are far beyond these; this implementation does
/// not claim it. **Completeness**: on Gaussian marginals the tests together falsely reject with
/// probability at most δ (the Cornish–Fisher limits approximately so).
public struct TesterLearner: Sendable {
    public var epsilon: Double
    public var delta: Double
    /// What the near-optimality bound assumes of the labels.
    public var noise: NearOptimalityBound.NoiseModel
    /// The σ grid searched (spec §A.9).
    public var sigmas: [Double] = [0.05, 0.1, 0.2, 0.4, 0.8]
    /// Random directions added to the axes in the degree-4 tests.
    public var randomDirections = 20
    /// Full moment matching up to this degree when the number of monomials is at most
    /// `momentMatchingLimit` (else skipped and said so).
    public var momentDegree = 4
    public var momentMatchingLimit = 12_000
    /// Descent steps per σ at most (each a pass over the SGD split); fewer when the gradient
    /// reaches a quarter of its sampling noise.
    public var maxIterations = 400
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

    public init(epsilon: Double, delta: Double, noise: NearOptimalityBound.NoiseModel = .agnostic) throws {
        guard epsilon > 0, epsilon < 0.5 else { throw NumericsError.domain(function: "tester-learner", value: "ε = \(epsilon)", expected: "0 < ε < 1/2") }
        guard delta > 0, delta < 1 else { throw NumericsError.domain(function: "tester-learner", value: "δ = \(delta)", expected: "0 < δ < 1") }
        self.epsilon = epsilon
        self.delta = delta
        _ = try NearOptimalityBound(noise: noise)
        self.noise = noise
    }

    /// The largest `|W|`: the iterates kept per σ and the Chow vector, with negations.
    public func candidateCount(rows n: Int) -> Int {
        2 * (sigmas.count * (candidatesPerSigma + 1) + 1)
    }

    /// The rows a run needs: a validation split that makes the selection cost at most ε/2
    /// (spec §A.9), `n_val ≥ 8·ln(2|W|/δ)/ε²`, and a test split from which an exactly
    /// stationary `ŵ` would certify ε (``NearOptimalityBound/plannedTestRows(dimension:epsilon:failureProbability:)``,
    /// an optimistic plan; `nil` when no size certifies ε).
    public func requiredSamples(rows n: Int, dimension d: Int) throws -> (validation: Int, test: Int?, total: Int?, candidates: Int) {
        let w = candidateCount(rows: n)
        let nVal = Int((8 * log(2 * Double(w) / delta) / (epsilon * epsilon)).rounded(.up))
        let nTest = try NearOptimalityBound(noise: noise).plannedTestRows(dimension: d, epsilon: epsilon, failureProbability: delta / 2)
        let total = nTest.map { max(Double(nVal) / validationShare, Double($0) / splits.test) }
        return (nVal, nTest, total.map { Int($0.rounded(.up)) }, w)
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
        /// The near-optimality evidence and bound (see ``NearOptimalityBound``).
        public var nearOptimality: NearOptimalityBound.Outcome
        /// The ε asked for.
        public var epsilon: Double
        /// The whitening the rows went through (fitted on a split the rest never saw), if any.
        public var standardization: Standardization? = nil
        /// The intercept chosen on its own split, if any (``InterceptChoice``).
        public var intercept: InterceptChoice? = nil

        /// The tests accepted and the proved excess is at most ε.
        public var certified: Bool { accepted && (nearOptimality.excessBound.map { $0 <= epsilon } ?? false) }
        public var failedTests: [TestOutcome] { tests.filter { !$0.passed } }
    }

    /// Runs the tester-learner.
    ///
    /// - Throws: `NumericsError.domain` when there are fewer samples than ``requiredSamples(rows:dimension:)``
    ///   (the message says how many are needed; also when no sample size can certify ε under
    ///   the noise model) or `d < 2`.
    public func run(_ data: LabeledSample, using rng: inout some RandomNumberGenerator) throws -> Result {
        let d = data.dimension
        guard d >= 2 else { throw NumericsError.domain(function: "tester-learner", value: "d = \(d)", expected: "d ≥ 2 (the local tests live in w⊥)") }
        var needed = try requiredSamples(rows: data.count, dimension: d)
        guard let total = needed.total else {
            throw NumericsError.domain(function: "tester-learner", value: "ε = \(epsilon) under \(noise)",
                                       expected: "an ε the gradient bound can reach at any sample size (Γ_σ(πε) > 0 for some σ): raise ε or lower the Massart bound")
        }
        guard data.count >= total else {
            needed = try requiredSamples(rows: total, dimension: d)      // |W| grows with the SGD split: state it at the size asked for
            throw NumericsError.domain(function: "tester-learner", value: "\(data.count) samples",
                                       expected: "at least \(needed.total ?? total) for ε = \(epsilon), δ = \(delta), d = \(d) under \(noise): "
                                           + "a validation split of \(needed.validation) = 8·ln(2|W|/δ)/ε² with |W| = \(needed.candidates) candidates, "
                                           + "and a test split of \(needed.test ?? 0) from which an exactly stationary ŵ would prove excess ≤ ε "
                                           + "(an optimistic plan); raise ε or δ, lower the noise bound, or give more data")
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
        let testCount = battery.testCount + 3 + 2 + 2
        let share = delta / Double(testCount)

        // 1. Label-free tests.
        var tests = try battery.run(test, failureProbability: share, using: &rng)

        // 2–3. Candidates and selection.
        let chow = SurrogateDescent.chowVector(sgd)
        var candidates: [(w: [Double], sigma: Double)] = [(chow, sigmas[0])]
        var start = chow
        var finalists: [Int] = []
        for sigma in sigmas.sorted(by: >) {
            var descent = SurrogateDescent(sigma: sigma, tolerance: SurrogateDescent.noiseScaledTolerance(sigma: sigma, dimension: d, rows: sgd.count))
            descent.maxIterations = maxIterations
            descent.candidates = candidatesPerSigma
            let path = descent.run(sgd, start: start)
            candidates += path.iterates.map { ($0, sigma) }
            start = path.iterates.last ?? start
            finalists.append(candidates.count - 1)
            if path.iterations == maxIterations {
                notes.append("descent at σ = \(sigma) stopped after \(maxIterations) steps with ‖ĝ‖ = \(String(format: "%.3g", path.gradientNorm)) on the SGD split")
            }
        }
        candidates += candidates.map { (w: $0.w.map { -$0 }, sigma: $0.sigma) }
        let errors = candidates.map { validation.error(of: $0.w) }
        // ŵ: among each σ's last iterate and the validation-best candidate, the one whose
        // near-optimality bound *on the validation split* is smallest (ties: lower validation
        // error). The test split, which certifies ŵ, stays independent of the choice; the
        // validation bound's union over all of W covers any rule of choice.
        let slack = (log(4 * Double(candidates.count) / delta) / (2 * Double(validation.count))).squareRoot()
        let validationBest = errors.indices.min { errors[$0] < errors[$1] }!
        let chooser = try NearOptimalityBound(noise: noise)
        var best = validationBest, bestBound = Double.infinity
        for i in [validationBest] + finalists {
            let bound = try chooser.evaluate(validation, direction: candidates[i].w, errorBound: min(1, errors[i] + slack),
                                             failureProbability: delta / 2).excessBound ?? .infinity
            if bound < bestBound || (bound == bestBound && errors[i] < errors[best]) { (best, bestBound) = (i, bound) }
        }
        let (w, sigma) = candidates[best]

        // 4. Local tests around ŵ.
        // On whitened rows only the band masses have widened limits; the band covariance, moment
        // and interval tests have a null for exact N(0, I) only. They are checks of the marginal
        // the near-optimality bound assumes, which is not claimed on whitened rows, so they are
        // left out there (and the shares they would take stay unspent).
        for a in [sigma / 6, sigma / 2, sigma] {
            tests.append(try LocalTests.bandMass(test, direction: w, width: a, failureProbability: share, slack: whitening))
        }
        if whitening == nil {
            for a in [sigma / 2, sigma] { tests.append(try LocalTests.bandCovariance(test, direction: w, width: a, failureProbability: share)) }
            tests.append(LocalTests.bandFourthMoments(test, direction: w, width: sigma, randomDirections: randomDirections, failureProbability: share, using: &rng))
            tests.append(LocalTests.bandIntervals(test, direction: w, width: sigma, randomDirections: randomDirections, failureProbability: share, using: &rng))
        } else {
            notes.append("on whitened rows the band covariance, band moment and band interval tests are not run: their limits are for exact N(0, I), "
                + "and they check the marginal for a near-optimality bound that is not claimed on whitened rows; band masses use widened limits")
        }

        let bound = nHold > 0
            ? holdout.error(of: w) + (log(4 / delta) / (2 * Double(nHold))).squareRoot()
            : errors[best] + slack
        if nHold > 0 { notes.append("error bound certified on a fresh hold-out of \(nHold) rows (ln(4/δ), no union over candidates)") }
        // 5. Near-optimality, on the test split (independent of ŵ), at the other δ/2.
        let nearOptimality = try NearOptimalityBound(noise: noise).evaluate(test, direction: w, errorBound: min(1, bound), failureProbability: delta / 2)
        return Result(accepted: tests.allSatisfy(\.passed), weights: w, sigma: sigma, validationError: errors[best], errorBound: min(1, bound),
                      tests: tests, candidateCount: candidates.count, splitSizes: (sgd.count, test.count, validation.count), notes: notes,
                      nearOptimality: nearOptimality, epsilon: epsilon)
    }
}
