import SuretyNumerics

/// What was measured for one sensor at one input under Gaussian noise `N(0, σ²I)`.
public enum SmoothingEstimate: Sendable, Hashable {
    /// `count` of `draws` noisy copies on which the sensor said "yes" (hard votes).
    case votes(count: Int, draws: Int)
    /// The mean of the sensor's probability over `draws` noisy copies (soft smoothing).
    case meanProbability(Double, draws: Int)
    /// The smoothed probability itself, known exactly (closed-form smoothing, e.g. a linear
    /// sensor; used by the synthetic generator and tests).
    case exact(Double)

    /// The Monte-Carlo estimate `ĝ`: the value calibration and prediction use.
    public var estimate: Double {
        switch self {
        case let .votes(count, draws): return Double(count) / Double(draws)
        case let .meanProbability(mean, _): return mean
        case let .exact(p): return p
        }
    }

    /// The number of noise draws behind the estimate (`nil` when exact).
    public var draws: Int? {
        switch self {
        case let .votes(_, draws), let .meanProbability(_, draws): return draws
        case .exact: return nil
        }
    }
}

/// Randomized-smoothing bounds on a sensor's smoothed probability under an ℓ2 attack.
///
/// For the smoothed sensor `g(x) = E f(x + ε)`, `ε ~ N(0, σ²I)`, the map `x ↦ Φ⁻¹(g(x))` is
/// `1/σ`-Lipschitz (Salman et al. 2019; used by Kumar et al. 2020 and COLEP), so for every
/// `‖x − x̃‖₂ ≤ r`: `Φ(Φ⁻¹(g(x̃)) − r/σ) ≤ g(x) ≤ Φ(Φ⁻¹(g(x̃)) + r/σ)`.
///
/// ``box(_:failureProbability:)`` turns one observation at the (possibly attacked) input
/// `x̃` into an interval that contains, with probability at least `1 − failureProbability`,
/// the Monte-Carlo estimate `ĝ(x)` that the clean input `x` would have produced with the same
/// number of draws — the quantity calibration was done on. Half of the failure budget goes to
/// a confidence interval for `g(x̃)` (two-sided Clopper–Pearson for votes, Hoeffding for
/// means), the other half to the Monte-Carlo deviation of `ĝ(x)` from `g(x)` (for votes the
/// exact binomial quantiles at the interval's ends, valid because a binomial count grows
/// stochastically with its rate; Hoeffding for means). With `.exact` input neither is needed
/// and the box is the Lipschitz shift alone. The union bound over the sensors that feed a
/// decision then costs `sensors × failureProbability` of coverage (spec colep.md §3.1, §3.5;
/// the official code spends `failureProbability` per side, twice the budget — not repeated
/// here).
///
/// The failure probability is not stored here: it is the predictor's
/// (``COLEPPredictor/smoothingFailure``), the one number that both sizes the boxes and is
/// reserved in the per-variable levels, so the two cannot disagree.
public struct RandomizedSmoothing: Sendable, Hashable {
    /// Standard deviation σ of the smoothing noise.
    public var sigma: Double
    /// Attack radius r (the CLI's `--eps`) in the same ℓ2 units.
    public var radius: Double

    /// - Throws: `NumericsError.domain` for `σ ≤ 0` or `r < 0`.
    public init(sigma: Double, radius: Double) throws {
        guard sigma > 0, sigma.isFinite else {
            throw NumericsError.domain(function: "randomized smoothing", value: "σ = \(sigma)", expected: "σ > 0")
        }
        guard radius >= 0, radius.isFinite else {
            throw NumericsError.domain(function: "randomized smoothing", value: "radius \(radius)", expected: "a radius ≥ 0")
        }
        self.sigma = sigma
        self.radius = radius
    }

    /// `[Φ(Φ⁻¹(lo) − r/σ), Φ(Φ⁻¹(hi) + r/σ)]`: every value `g` can take within the radius
    /// when `g(x̃)` lies in `interval`.
    public func shifted(_ interval: ClosedRange<Double>) -> ClosedRange<Double> {
        let shift = radius / sigma
        let normal = Normal.standard
        let lo = normal.cdf(normal.quantile(interval.lowerBound) - shift)
        let hi = normal.cdf(normal.quantile(interval.upperBound) + shift)
        return max(0, lo)...min(1, hi)
    }

    /// A confidence interval for `g(x̃)` at total failure probability `delta`.
    public static func confidenceInterval(_ estimate: SmoothingEstimate, failureProbability delta: Double) throws -> ClosedRange<Double> {
        switch estimate {
        case let .votes(count, draws):
            return try ConcentrationBounds.clopperPearson(successes: count, trials: draws, failureProbability: delta)
        case let .meanProbability(mean, draws):
            let b = try ConcentrationBounds.hoeffdingRadius(sampleSize: draws, failureProbability: delta)
            return max(0, mean - b)...min(1, mean + b)
        case let .exact(p):
            return p...p
        }
    }

    /// The interval for the clean input's Monte-Carlo estimate (see the type's documentation),
    /// failing with probability at most `failureProbability` (α_cert).
    ///
    /// - Throws: `NumericsError.domain` for an estimate outside [0, 1], zero draws, more
    ///   votes than draws, or a failure probability outside (0, 1).
    public func box(_ estimate: SmoothingEstimate, failureProbability: Double) throws -> ClosedRange<Double> {
        try Self.check(estimate)
        guard failureProbability > 0, failureProbability < 1 else {
            throw NumericsError.domain(function: "randomized smoothing", value: "failure probability \(failureProbability)",
                                       expected: "0 < α_cert < 1")
        }
        guard let draws = estimate.draws else { return shifted(try Self.confidenceInterval(estimate, failureProbability: 0.5)) }
        let half = failureProbability / 2
        let reach = shifted(try Self.confidenceInterval(estimate, failureProbability: half))
        switch estimate {
        case .votes:
            // ĝ(x)·N ~ Binomial(N, g(x)) with g(x) in `reach`; each side gets half/2.
            let low = try ExactBinomialTest.criticalCountAtLeast(rate: reach.lowerBound, trials: draws, falseAlarm: half / 2) + 1
            let high = try ExactBinomialTest.criticalCountAtMost(rate: reach.upperBound, trials: draws, falseAlarm: half / 2) - 1
            return Double(low) / Double(draws)...Double(high) / Double(draws)
        default:
            let b = try ConcentrationBounds.hoeffdingRadius(sampleSize: draws, failureProbability: half)
            return max(0, reach.lowerBound - b)...min(1, reach.upperBound + b)
        }
    }

    /// The boxes of a samples × sensors table of estimates, as lower and upper matrices, each
    /// failing with probability at most `failureProbability`.
    /// Vote counts take few distinct values (at most `N + 1` per draw count), so each
    /// distinct estimate's box — a Clopper–Pearson inversion — is computed once.
    public func boxes(_ estimates: [[SmoothingEstimate]], failureProbability: Double) throws -> (lower: Matrix, upper: Matrix) {
        let rows = estimates.count, columns = estimates.first?.count ?? 0
        var lower = [Double](repeating: 0, count: rows * columns), upper = lower
        var known: [SmoothingEstimate: ClosedRange<Double>] = [:]
        for (i, row) in estimates.enumerated() {
            guard row.count == columns else {
                throw NumericsError.dimensionMismatch(operation: "smoothing boxes", seen: "\(row.count) estimates in row \(i)",
                                                      expected: "\(columns), as in the first row")
            }
            for (j, estimate) in row.enumerated() {
                let box: ClosedRange<Double>
                if case .votes = estimate, let cached = known[estimate] {
                    box = cached
                } else {
                    box = try self.box(estimate, failureProbability: failureProbability)
                    if case .votes = estimate { known[estimate] = box }
                }
                lower[j * rows + i] = box.lowerBound
                upper[j * rows + i] = box.upperBound
            }
        }
        return (try Matrix(rows: rows, columns: columns, columnMajor: lower), try Matrix(rows: rows, columns: columns, columnMajor: upper))
    }

    static func check(_ estimate: SmoothingEstimate) throws {
        switch estimate {
        case let .votes(count, draws):
            guard draws >= 1, count >= 0, count <= draws else {
                throw NumericsError.domain(function: "smoothing estimate", value: "\(count) votes of \(draws) draws",
                                           expected: "N ≥ 1 draws and 0 ≤ votes ≤ N")
            }
        case let .meanProbability(mean, draws):
            guard draws >= 1, mean >= 0, mean <= 1 else {
                throw NumericsError.domain(function: "smoothing estimate", value: "mean \(mean) over \(draws) draws",
                                           expected: "N ≥ 1 draws and a mean in [0, 1]")
            }
        case let .exact(p):
            guard p >= 0, p <= 1 else {
                throw NumericsError.domain(function: "smoothing estimate", value: "probability \(p)", expected: "a probability in [0, 1]")
            }
        }
    }
}
