import Foundation
import SuretyNumerics

/// What is done to real data around the tester-learner: whitening fitted on a split of its own
/// (``Standardization``, with the tests widened by ``WhiteningSlack``), and an intercept chosen
/// on another split.
public struct DataPreparation: Sendable, Equatable {
    /// Fit `m̂` and `W` (`WᵀW = Σ̂⁻¹`) on ``fitShare`` of the rows and learn on the whitened rest.
    public var standardize = false
    /// Learn `sign(⟨w, x⟩ + b)`: `w` by the tester-learner, then `b` on ``interceptShare`` of the
    /// rows, among ``interceptCandidates`` values fixed before that split is read.
    public var intercept = false
    public var fitShare = 0.2
    public var interceptShare = 0.2
    /// `|B|`: `b = 0` and the negated quantiles `k/(|B| − 2)`, `k = 0…|B| − 2`, of `⟨w, x⟩` on the
    /// rows the tester-learner saw.
    public var interceptCandidates = 101

    public init(standardize: Bool = false, intercept: Bool = false) {
        self.standardize = standardize
        self.intercept = intercept
    }

    /// Each preparation step is charged `δ/4` of the run's failure probability.
    public var chargedShare: Double { Double((standardize ? 1 : 0) + (intercept ? 1 : 0)) / 4 }
}

/// The intercept `b` of `sign(⟨w, x⟩ + b)`, chosen on a split used for nothing else, with its
/// distribution-free bound: with probability ≥ 1 − δ/4, `err(w, b) ≤ error + √(ln(8|B|/δ)/(2 n_b))`
/// (Hoeffding, union over the `|B|` candidates; they are fixed before the split is read).
public struct InterceptChoice: Sendable, Equatable {
    public var value: Double
    /// The error of `sign(⟨w, x⟩ + b)` on the intercept split.
    public var error: Double
    public var errorBound: Double
    /// `|B|`.
    public var candidates: Int
    /// `n_b`.
    public var rows: Int
}

extension TesterLearner {
    /// Runs the tester-learner on prepared data.
    ///
    /// The rows are shuffled once; with ``DataPreparation/standardize`` the first
    /// ``DataPreparation/fitShare`` fit the ``Standardization``, with ``DataPreparation/intercept``
    /// the next ``DataPreparation/interceptShare`` choose `b`; the tester-learner runs on the rest
    /// (whitened) with δ less the shares charged (δ/4 per step) and its label-free thresholds
    /// widened by ``WhiteningSlack``. The near-optimality statement stays one about the homogeneous
    /// `sign(⟨w, z⟩)` under `N(0, I)`; for `sign(⟨w, z⟩ + b)` only ``InterceptChoice/errorBound``
    /// (distribution-free) is claimed.
    ///
    /// - Throws: as ``run(_:using:)``; `NumericsError.domain` for shares outside (0, 1/2), too few
    ///   fit rows, or a singular covariance (naming its rank).
    public func run(_ data: LabeledSample, preparation: DataPreparation, using rng: inout some RandomNumberGenerator) throws -> Result {
        guard preparation.standardize || preparation.intercept else { return try run(data, using: &rng) }
        for (name, share, used) in [("fit", preparation.fitShare, preparation.standardize), ("intercept", preparation.interceptShare, preparation.intercept)] where used {
            guard share > 0, share < 0.5 else { throw NumericsError.domain(function: "tester-learner", value: "\(name) share \(share)", expected: "0 < share < 1/2") }
        }
        guard preparation.interceptCandidates >= 2 else {
            throw NumericsError.domain(function: "tester-learner", value: "\(preparation.interceptCandidates) intercept candidates", expected: "at least 2")
        }
        let n = data.count, d = data.dimension
        let nFit = preparation.standardize ? Int(Double(n) * preparation.fitShare) : 0
        let nB = preparation.intercept ? Int(Double(n) * preparation.interceptShare) : 0
        var inner = self
        inner.delta = delta * (1 - preparation.chargedShare)
        let kept = 1 - Double(nFit + nB) / Double(max(n, 1))
        if let total = try inner.requiredSamples(rows: n - nFit - nB, dimension: d).total, n - nFit - nB < total {
            let needed = try inner.requiredSamples(rows: Int(Double(n) * kept), dimension: d).total ?? total
            throw NumericsError.domain(function: "tester-learner", value: "\(n) samples, \(n - nFit - nB) after the fit and intercept splits",
                                       expected: "at least \(Int((Double(needed) / kept).rounded(.up))) in all (the tester-learner needs \(needed) for ε = \(epsilon), "
                                           + "δ = \(inner.delta) after δ/4 per preparation step); raise ε or δ, or give more data")
        }
        let shuffled = data.shuffled(using: &rng)
        var rest = shuffled.rows((nFit + nB)..<n), interceptRows = shuffled.rows(nFit..<(nFit + nB))
        var standardization: Standardization?
        if preparation.standardize {
            let fitted = try Standardization.fit(shuffled.rows(0..<nFit))
            inner.whitening = try WhiteningSlack(dimension: d, fitRows: nFit, failureProbability: delta / 4)
            rest = try fitted.apply(rest)
            interceptRows = try fitted.apply(interceptRows)
            standardization = fitted
        }
        var result = try inner.run(rest, using: &rng)
        result.standardization = standardization
        // The near-optimality bound's integrals are exact for N(0, I) rows; whitening with a
        // fitted Σ̂ leaves them only approximately so, and an intercept changes the classifier.
        // Neither is proved, so neither is claimed (the distribution-free bounds stand).
        if preparation.standardize || preparation.intercept {
            result.nearOptimality.excessBound = nil
            result.nearOptimality.reason = "not claimed for " + (preparation.intercept ? "a classifier with an intercept" : "standardized rows")
                + ": the bound's Gaussian integrals are exact only for N(0, I) rows and homogeneous halfspaces"
        }
        if let slack = inner.whitening {
            result.notes.append("standardized on \(nFit) separate rows: label-free thresholds widened for the fit's error "
                + "(Davidson–Szarek s = \(String(format: "%.4g", slack.radius)), mean offset ≤ \(String(format: "%.4g", slack.meanOffset)); δ/4 charged)")
        }
        if preparation.intercept {
            let choice = Self.chooseIntercept(weights: result.weights, seen: rest, split: interceptRows, candidates: preparation.interceptCandidates,
                                              failureProbability: delta / 4)
            result.intercept = choice
            result.notes.append("intercept b = \(String(format: "%.4g", choice.value)) chosen on \(nB) separate rows among \(choice.candidates); "
                + "error bound \(String(format: "%.4f", choice.errorBound)) for sign(⟨w, \(standardization == nil ? "x" : "z")⟩ + b) (any distribution, δ/4); near-optimality is not claimed for it")
        }
        return result
    }

    /// `b` minimizing the error of `sign(⟨w, x⟩ + b)` on `split`, among `0` and the negated
    /// quantiles of `⟨w, x⟩` on `seen` (independent of `split`).
    static func chooseIntercept(weights w: [Double], seen: LabeledSample, split: LabeledSample, candidates count: Int,
                                failureProbability p: Double) -> InterceptChoice {
        let sorted = (0..<seen.count).map { seen.projection($0, onto: w) }.sorted()
        let steps = count - 2
        var grid = [0.0]
        for k in 0...steps { grid.append(-sorted[min(sorted.count - 1, Int((Double(k) / Double(steps) * Double(sorted.count - 1)).rounded()))]) }
        let projections = (0..<split.count).map { split.projection($0, onto: w) }
        var best = (value: 0.0, wrong: Int.max)
        for b in grid {
            var wrong = 0
            for (t, y) in zip(projections, split.labels) where (t + b >= 0 ? 1.0 : -1.0) != y { wrong += 1 }
            if wrong < best.wrong { best = (b, wrong) }
        }
        let error = Double(best.wrong) / Double(max(split.count, 1))
        let slack = (log(2 * Double(grid.count) / p) / (2 * Double(max(split.count, 1)))).squareRoot()
        return InterceptChoice(value: best.value, error: error, errorBound: min(1, error + slack), candidates: grid.count, rows: split.count)
    }
}
