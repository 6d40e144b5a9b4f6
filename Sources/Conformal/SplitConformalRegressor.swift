import SuretyNumerics

/// A non-conformity score for regression.
public enum RegressionScore: Sendable, Hashable {
    /// `|y − ŷ(x)|`; intervals `ŷ ± q` of constant width.
    case absoluteResidual
    /// `|y − ŷ(x)| / σ̂(x)` with a positive scale estimate; intervals `ŷ ± q·σ̂` (Papadopoulos
    /// et al. 2008; MAPIE's "residual normalized", crepes' `sigmas`).
    case normalizedResidual
    /// Conformalized quantile regression (Romano, Patterson & Candès 2019):
    /// `max(q̂_lo(x) − y, y − q̂_hi(x))`; intervals `[q̂_lo − q, q̂_hi + q]`.
    case quantile
}

/// What a regression model predicts for a batch of samples: the inputs a score needs.
public struct RegressionPredictions: Sendable, Hashable {
    public var point: [Double]?
    public var scale: [Double]?
    public var lower: [Double]?
    public var upper: [Double]?

    /// Point predictions, for `.absoluteResidual`.
    public static func point(_ values: [Double]) -> RegressionPredictions { .init(point: values) }
    /// Point predictions with positive scales, for `.normalizedResidual`.
    public static func normalized(point: [Double], scale: [Double]) -> RegressionPredictions { .init(point: point, scale: scale) }
    /// Lower and upper quantile predictions, for `.quantile` (CQR).
    public static func quantiles(lower: [Double], upper: [Double]) -> RegressionPredictions { .init(lower: lower, upper: upper) }

    init(point: [Double]? = nil, scale: [Double]? = nil, lower: [Double]? = nil, upper: [Double]? = nil) {
        self.point = point
        self.scale = scale
        self.lower = lower
        self.upper = upper
    }

    /// The arrays `score` needs, checked: present, of one length, finite, scales positive.
    func required(by score: RegressionScore) throws -> (a: [Double], b: [Double]?) {
        func need(_ values: [Double]?, _ name: String) throws -> [Double] {
            guard let values else {
                throw NumericsError.domain(function: "conformal regression", value: "no \(name) predictions", expected: "\(name) predictions for the \(score) score")
            }
            if let k = values.firstIndex(where: { !$0.isFinite }) {
                throw NumericsError.nonFinite(operation: "conformal regression \(name) predictions", row: k, column: 0, value: values[k])
            }
            return values
        }
        let pair: ([Double], [Double]?)
        switch score {
        case .absoluteResidual: pair = (try need(point, "point"), nil)
        case .normalizedResidual:
            let s = try need(scale, "scale")
            if let k = s.firstIndex(where: { $0 <= 0 }) {
                throw NumericsError.domain(function: "conformal regression", value: "scale \(s[k]) of sample \(k)", expected: "positive scales")
            }
            pair = (try need(point, "point"), s)
        case .quantile: pair = (try need(lower, "lower"), try need(upper, "upper"))
        }
        if let b = pair.1, b.count != pair.0.count {
            throw NumericsError.dimensionMismatch(operation: "conformal regression", seen: "\(pair.0.count) and \(b.count) predictions", expected: "equal lengths")
        }
        return pair
    }
}

/// Split conformal regression: intervals with `P(Y ∈ [lo(X), hi(X)]) ≥ 1 − α` for exchangeable
/// calibration and test samples (and `≤ 1 − α + 1/(n + 1)` for continuous scores, except that
/// CQR returns a one-point interval where crossing quantiles would leave the set empty).
public struct SplitConformalRegressor: Sendable {
    public let score: RegressionScore
    public let alpha: Double
    public let guarantee: CalibrationGuarantee

    /// - Precondition: `0 < alpha < 1`.
    public init(score: RegressionScore, alpha: Double, guarantee: CalibrationGuarantee = .marginal) {
        precondition(alpha > 0 && alpha < 1, "alpha must lie in (0, 1)")
        self.score = score
        self.alpha = alpha
        self.guarantee = guarantee
    }

    /// Calibrates on held-out predictions and their true targets.
    ///
    /// - Throws: `NumericsError` for missing, mismatched or non-finite inputs.
    public func calibrate(predictions: RegressionPredictions, targets: [Double]) throws -> CalibratedConformalRegressor {
        let (a, b) = try predictions.required(by: score)
        guard a.count == targets.count else {
            throw NumericsError.dimensionMismatch(operation: "conformal regression", seen: "\(targets.count) targets for \(a.count) predictions", expected: "one target per prediction")
        }
        if let k = targets.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "conformal regression targets", row: k, column: 0, value: targets[k])
        }
        let scores: [Double] = targets.indices.map { i in
            switch score {
            case .absoluteResidual: return abs(targets[i] - a[i])
            case .normalizedResidual: return abs(targets[i] - a[i]) / b![i]
            case .quantile: return max(a[i] - targets[i], targets[i] - b![i])
            }
        }
        let q = try ConformalThreshold.threshold(scores: scores, alpha: alpha, guarantee: guarantee)
        return CalibratedConformalRegressor(configuration: self, threshold: q, calibrationCount: targets.count)
    }
}

/// A calibrated split-conformal regressor.
public struct CalibratedConformalRegressor: Sendable {
    public let configuration: SplitConformalRegressor
    /// The score threshold `q` (`+∞` when the calibration set was too small for the level:
    /// then every interval is the whole line).
    public let threshold: Double
    public let calibrationCount: Int

    /// The prediction intervals: for each sample, exactly the targets `y` whose score is at
    /// most the threshold `q`, to the last bit.
    ///
    /// The endpoints are not `ŷ ± q` as computed in floating point: with `ŷ = −3` and
    /// `y = 0.3`, the score `|y − ŷ|` rounds to `3.3`, but `ŷ + 3.3` rounds to
    /// `0.2999999999999998 < y`, so a test target whose score ties with the threshold — which
    /// tied (rounded, discrete) targets make a positive-probability event — would fall
    /// outside its interval and coverage would drop below `1 − α`. Each endpoint is instead
    /// the last (or first) double at which the score, computed exactly as in calibration,
    /// is still at most `q`: the score is monotone in `y` on each side, so the set is an
    /// interval and a bisection over the ordered doubles finds its ends (`ŷ ± q` is checked
    /// first and is usually already exact).
    public func predict(_ predictions: RegressionPredictions) throws -> [ClosedRange<Double>] {
        let (a, b) = try predictions.required(by: configuration.score)
        let q = threshold
        return a.indices.map { i in
            if q == .infinity { return -Double.infinity...Double.infinity }
            switch configuration.score {
            case .absoluteResidual:
                // Scores are ≥ 0, so q ≥ 0 and ŷ itself (score 0) is always inside.
                let center = a[i]
                let within = { (y: Double) in abs(y - center) <= q }
                return ExactInterval.first(from: -.infinity, to: center, guess: center - q, where: within)
                    ... ExactInterval.last(from: center, to: .infinity, guess: center + q, where: within)
            case .normalizedResidual:
                let center = a[i], scale = b![i]
                let within = { (y: Double) in abs(y - center) / scale <= q }
                return ExactInterval.first(from: -.infinity, to: center, guess: center - q * scale, where: within)
                    ... ExactInterval.last(from: center, to: .infinity, guess: center + q * scale, where: within)
            case .quantile:
                // max(q̂_lo − y, y − q̂_hi) ≤ q: y from the first double with q̂_lo − y ≤ q to the
                // last with y − q̂_hi ≤ q (q finite: false at −∞ and +∞ respectively).
                let low = a[i], high = b![i]
                let lo = ExactInterval.first(from: -.infinity, to: .infinity, guess: low - q) { low - $0 <= q }
                let hi = ExactInterval.last(from: -.infinity, to: .infinity, guess: high + q) { $0 - high <= q }
                // A negative q can shrink crossing quantiles past each other (no target
                // qualifies); keep the interval valid with one point.
                return lo <= hi ? lo...hi : ((lo + hi) / 2)...((lo + hi) / 2)
            }
        }
    }
}

/// The ends of `{y : holds(y)}` for a predicate that is monotone along the ordered doubles
/// (non-NaN doubles, ordered as their order-preserving bit patterns, `-0.0` just before `0.0`).
enum ExactInterval {
    @inline(__always) static func key(_ x: Double) -> UInt64 {
        let bits = x.bitPattern
        return bits >> 63 == 0 ? bits | (1 << 63) : ~bits
    }

    @inline(__always) static func value(_ key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }

    /// The last double in `[from, to]` at which `holds`, for a predicate true at `from`, false
    /// at `to` and true-then-false in between; `guess` (any double, or NaN) is tried first.
    static func last(from: Double, to: Double, guess: Double, where holds: (Double) -> Bool) -> Double {
        var yes = key(from), no = key(to)
        if !guess.isNaN, guess > from, guess < to {
            if holds(guess) {
                if !holds(guess.nextUp) { return guess }
                yes = key(guess)
            } else {
                no = key(guess)
            }
        }
        while no - yes > 1 {
            let mid = yes + (no - yes) / 2
            if holds(value(mid)) { yes = mid } else { no = mid }
        }
        return value(yes)
    }

    /// The first double in `[from, to]` at which `holds`, for a predicate false at `from`,
    /// true at `to` and false-then-true in between; `guess` is tried first. It is `last` on the
    /// mirrored line: negation is exact and reverses the order of the doubles.
    static func first(from: Double, to: Double, guess: Double, where holds: (Double) -> Bool) -> Double {
        -last(from: -to, to: -from, guess: -guess) { holds(-$0) }
    }
}
