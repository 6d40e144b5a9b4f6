import Conformal
import SuretyNumerics

/// The numbers every method reports (spec §4.4; issue #4): clean coverage and set size of the
/// standard sets, mean size of the certified sets, and the certified worst-case coverage.
/// `nil` where a method certifies nothing.
public struct MethodSummary: Sendable, Hashable {
    public var name: String
    /// A lower bound, at the evaluation's confidence, on the standard sets' coverage under any
    /// ℓ2 attack within the radius (``CertifiedCoverage/bound``); `nil` for a method that
    /// certifies nothing.
    public var certifiedCoverage: Double?
    public var empiricalCoverageClean: Double
    public var meanSetSize: Double
    public var meanCertifiedSetSize: Double?
    /// The nominal miscoverage the method was calibrated at (before any reservation for the
    /// smoothing boxes); for a method whose level was matched to another's set size, the level
    /// of the threshold rank chosen.
    public var alpha: Double
    /// Coverage and mean set size of the standard sets at attacked inputs, when an attack was run.
    public var coverageUnderAttack: Double?
    public var meanSetSizeUnderAttack: Double?

    public init(name: String, certifiedCoverage: Double?, empiricalCoverageClean: Double, meanSetSize: Double,
                meanCertifiedSetSize: Double?, alpha: Double) {
        self.name = name
        self.certifiedCoverage = certifiedCoverage
        self.empiricalCoverageClean = empiricalCoverageClean
        self.meanSetSize = meanSetSize
        self.meanCertifiedSetSize = meanCertifiedSetSize
        self.alpha = alpha
    }
}

/// Baselines computed from the main model's smoothed class probabilities `ĝ_y(x)` (the class
/// columns of the sensor estimates).
///
/// * **Vanilla split conformal**: randomized APS on the normalized class probabilities; no
///   robustness claim.
/// * **RSCP+ on COLEP's boxes** (``MainModelConformal``): the main model alone, with the
///   certification COLEP uses.
public enum SmoothedConformalBaselines {
    /// The `n × C` class-probability block of an estimates matrix.
    static func classBlock(_ estimates: Matrix, classes: [Int]) throws -> Matrix {
        let n = estimates.rows
        var out = [Double](repeating: 0, count: n * classes.count)
        for (c, v) in classes.enumerated() {
            for i in 0..<n { out[c * n + i] = estimates[i, v] }
        }
        return try Matrix(rows: n, columns: classes.count, columnMajor: out)
    }

    /// Rows rescaled to sum to 1 (rows of zeros become uniform).
    static func normalized(_ p: Matrix) throws -> Matrix {
        let n = p.rows, k = p.columns
        var out = p.storage
        for i in 0..<n {
            var total = 0.0
            for c in 0..<k { total += p[i, c] }
            for c in 0..<k { out[c * n + i] = total > 0 ? p[i, c] / total : 1 / Double(k) }
        }
        return try Matrix(rows: n, columns: k, columnMajor: out)
    }

    /// Vanilla randomized APS on the main model.
    public static func vanilla(calibration: Matrix, calibrationLabels: [Int], test: Matrix, testLabels: [Int], classes: [Int], alpha: Double,
                               using generator: inout some RandomNumberGenerator) throws -> (MethodSummary, CalibratedConformalClassifier) {
        let model = try SplitConformalClassifier(score: .aps(randomized: true), alpha: alpha)
            .calibrate(probabilities: normalized(classBlock(calibration, classes: classes)), labels: calibrationLabels, using: &generator)
        let sets = try model.predict(probabilities: normalized(classBlock(test, classes: classes)), using: &generator)
        let metrics = CoverageMetrics(sets: sets, labels: testLabels, alpha: alpha)
        return (MethodSummary(name: "vanilla APS", certifiedCoverage: nil, empiricalCoverageClean: metrics.coverage,
                              meanSetSize: metrics.meanSetSize, meanCertifiedSetSize: nil, alpha: alpha), model)
    }
}

/// The main model alone, certified the way COLEP is: RSCP (Gendler, Weng, Daniel, Romano,
/// ICLR 2022) with the Monte-Carlo correction of RSCP+ (Yan, Romano, Weng, ICLR 2024), on the
/// smoothing boxes COLEP uses (``RandomizedSmoothing/box(_:failureProbability:)``).
///
/// Score `1 − ĝ_y` (LAC on the smoothed class probability, whose smoothing is exact:
/// `E[1 − f_y(x + ε)] = 1 − g_y(x)`); threshold `τ` the `⌈(n+1)(1 − α')⌉`-th smallest
/// calibration score with `α' = α − α_cert`; standard set `{y : 1 − ĝ_y ≤ τ}`; certified set
/// `{y : 1 − ḡ_y ≤ τ}` with `ḡ_y` the upper end of class `y`'s box. RSCP's probit-space rule
/// `Φ⁻¹(S̃) − r/σ ≤ Φ⁻¹(τ)` is the same box shift; the boxes add what RSCP leaves out (the
/// Monte-Carlo error at the observed point, exact Clopper–Pearson, and at the clean point, exact
/// binomial), and calibration and test both use Monte-Carlo estimates of the same function,
/// so RSCP+'s `2β` calibration correction is not needed. Whether the true class `y` is kept
/// depends on one box only, so the reservation is `1·α_cert`.
public struct MainModelConformal: Sendable {
    public let classes: [Int]
    /// The threshold `τ` on `1 − ĝ_y`.
    public let threshold: Double
    /// The nominal miscoverage α (before the `α_cert` reservation).
    public let alpha: Double
    public let smoothingFailure: Double

    /// Calibrates at level `α − α_cert`.
    ///
    /// - Throws: `NumericsError.domain` when `α ≤ α_cert`.
    public init(calibration: Matrix, labels: [Int], classes: [Int], alpha: Double, smoothingFailure: Double) throws {
        guard alpha > smoothingFailure, alpha < 1 else {
            throw NumericsError.domain(function: "main-model conformal", value: "α = \(alpha), α_cert = \(smoothingFailure)", expected: "α_cert < α < 1")
        }
        let scores = labels.indices.map { 1 - calibration[$0, classes[labels[$0]]] }
        self.init(classes: classes, threshold: try ConformalThreshold.threshold(scores: scores, alpha: alpha - smoothingFailure),
                  alpha: alpha, smoothingFailure: smoothingFailure)
    }

    init(classes: [Int], threshold: Double, alpha: Double, smoothingFailure: Double) {
        self.classes = classes
        self.threshold = threshold
        self.alpha = alpha
        self.smoothingFailure = smoothingFailure
    }

    /// The method with its threshold moved to the smallest calibration score whose mean
    /// standard-set size on the calibration split reaches `size` — another method's set size,
    /// for a comparison at matched size. Only calibration data choose it, so the certified
    /// coverage on held-out test data stays a valid lower bound; the nominal level reported is
    /// that of the rank chosen, `1 − k/(n + 1)`, which is not a guarantee here.
    public func matched(toMeanSetSize size: Double, calibration: Matrix, labels: [Int]) -> MainModelConformal {
        let n = calibration.rows
        let sorted = labels.indices.map { 1 - calibration[$0, classes[labels[$0]]] }.sorted()
        func meanSize(_ tau: Double) -> Double {
            var total = 0
            for i in 0..<n { for v in classes where 1 - calibration[i, v] <= tau { total += 1 } }
            return Double(total) / Double(n)
        }
        // Mean size grows with τ: bisect on the rank for the first order statistic reaching `size`.
        var lo = -1, hi = n - 1     // meanSize(sorted[hi]) is the largest available
        if meanSize(sorted[hi]) < size { return MainModelConformal(classes: classes, threshold: .infinity, alpha: 0, smoothingFailure: smoothingFailure) }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if meanSize(sorted[mid]) >= size { hi = mid } else { lo = mid }
        }
        return MainModelConformal(classes: classes, threshold: sorted[hi], alpha: 1 - Double(hi + 1) / Double(n + 1), smoothingFailure: smoothingFailure)
    }

    /// Standard sets at Monte-Carlo estimates (samples × variables).
    public func predict(estimates: Matrix) -> ClassSets {
        sets(rows: estimates.rows) { i, v in 1 - estimates[i, v] <= threshold }
    }

    /// Certified sets from boxes around observed estimates: each contains the standard set of
    /// every input whose estimates lie in the boxes (a deterministic statement about the boxes).
    public func certifiedPredict(lower: Matrix, upper: Matrix) -> ClassSets {
        sets(rows: upper.rows) { i, v in 1 - upper[i, v] <= threshold }
    }

    /// Certified sets at observed (possibly attacked) estimates, from boxes of radius
    /// `smoothing.radius` sized at this method's ``smoothingFailure``.
    public func certify(observed estimates: [[SmoothingEstimate]], smoothing: RandomizedSmoothing) throws -> ClassSets {
        let (lower, upper) = try smoothing.boxes(estimates, failureProbability: smoothingFailure)
        return certifiedPredict(lower: lower, upper: upper)
    }

    /// Certified worst-case coverage from held-out clean estimates: boxes sized at this method's
    /// ``smoothingFailure`` (the one it reserves), and a sample is robust when `1 − g̲_y ≤ τ`
    /// for its class `y`.
    public func certifiedCoverage(clean estimates: [[SmoothingEstimate]], labels: [Int], smoothing: RandomizedSmoothing,
                                  confidence nu: Double = 0.01) throws -> CertifiedCoverage {
        let (lower, _) = try smoothing.boxes(estimates, failureProbability: smoothingFailure)
        return try certifiedCoverage(lower: lower, labels: labels, confidence: nu)
    }

    /// ``certifiedCoverage(clean:labels:smoothing:confidence:)`` from the lower ends of boxes
    /// that fail with probability at most ``smoothingFailure`` each.
    func certifiedCoverage(lower: Matrix, labels: [Int], confidence nu: Double) throws -> CertifiedCoverage {
        let robust = labels.indices.filter { 1 - lower[$0, classes[labels[$0]]] <= threshold }.count
        return try CertifiedCoverage(robust: robust, of: labels.count, confidence: nu, reservedFailure: smoothingFailure)
    }

    private func sets(rows: Int, _ keep: (Int, Int) -> Bool) -> ClassSets {
        var sets = ClassSets(count: rows, classes: classes.count)
        for i in 0..<rows {
            for (c, v) in classes.enumerated() { sets.member[i * classes.count + c] = keep(i, v) }
        }
        return sets
    }
}
