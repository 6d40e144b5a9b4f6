import Conformal
import ProbabilisticCircuits
import SuretyNumerics

/// Class sets for a batch: `contains(sample:class:)`, sizes.
public struct ClassSets: Sendable, Hashable {
    /// Number of classes.
    public let classes: Int
    public let count: Int
    /// Row-major membership: `member[i * classes + c]`.
    var member: [Bool]

    init(count: Int, classes: Int) {
        self.count = count
        self.classes = classes
        member = [Bool](repeating: true, count: count * classes)
    }

    public func contains(sample i: Int, class c: Int) -> Bool { member[i * classes + c] }
    public func size(ofSample i: Int) -> Int { (0..<classes).filter { member[i * classes + $0] }.count }
    public var meanSize: Double { count == 0 ? 0 : Double(member.filter { $0 }.count) / Double(count) }
    public func coverage(labels: [Int]) -> Double {
        count == 0 ? 0 : Double(labels.indices.filter { member[$0 * classes + labels[$0]] }.count) / Double(count)
    }
}

/// A certified worst-case coverage (spec §3.4, Thm 3): the fraction of held-out samples
/// whose true class is kept at every point of its boxes, turned into a lower bound.
public struct CertifiedCoverage: Sendable, Hashable {
    /// Samples whose true class stays in the standard set at every point of the boxes.
    public var robustCount: Int
    public var sampleCount: Int
    /// `robustCount / sampleCount`.
    public var robustFraction: Double { sampleCount == 0 ? 0 : Double(robustCount) / Double(sampleCount) }
    /// Per used variable: the fraction of evaluation samples whose true binary label keeps a
    /// score ≤ its threshold at every point of its box (evidence; not needed for the bound).
    public var perVariable: [Double]
    /// `robustFraction` minus the one-sided Clopper–Pearson lower bound of the robust rate.
    public var estimationSlack: Double
    /// `V·α_cert`: the probability that a box the true class's decision depends on fails.
    public var reservedFailure: Double
    /// One-sided Clopper–Pearson lower bound on the robust rate at confidence `1 − ν`, minus
    /// `V·α_cert`, clipped at 0: with probability `≥ 1 − ν` over the evaluation sample (held out
    /// from calibration), the standard set's coverage under any attack within the radius is at
    /// least this.
    public var bound: Double
    public var confidence: Double

    /// The bound from `robust` of `samples` held-out samples at confidence `1 − ν`, reserving
    /// `reservedFailure` for the boxes. Shared by every method of the comparison, so each
    /// certified coverage in a table is the same kind of statement. Internal: a bound is made
    /// only by a method that sizes the boxes it reserves for (one α_cert per method).
    init(robust: Int, of samples: Int, perVariable: [Double] = [], confidence nu: Double, reservedFailure: Double) throws {
        let lower = try ConcentrationBounds.clopperPearson(successes: robust, trials: samples, failureProbability: nu, tails: .one).lowerBound
        robustCount = robust
        sampleCount = samples
        self.perVariable = perVariable
        estimationSlack = Double(robust) / Double(samples) - lower
        self.reservedFailure = reservedFailure
        bound = max(0, lower - reservedFailure)
        confidence = 1 - nu
    }
}

/// A calibrated COLEP predictor.
public struct CalibratedCOLEP: Sendable {
    public let predictor: COLEPPredictor
    /// One binary conformal model per used variable, in ``COLEPPredictor/usedVariables`` order.
    public let models: [CalibratedConformalClassifier]
    public let calibrationCount: Int

    /// The thresholds `q̂_j`, in ``COLEPPredictor/usedVariables`` order: one per variable
    /// calibrated marginally, `[q̂(label 0), q̂(label 1)]` for a class variable calibrated
    /// class-conditionally.
    public var thresholds: [[Double]] { models.map(\.thresholds) }

    /// Standard class sets from smoothed sensor estimates (samples × variables):
    /// `{c : 1 ∈ Ĉ_c}`, then, with concept pruning, classes contradicting a confident concept
    /// set removed (spec §2.3).
    public func predict(estimates: Matrix, using generator: inout some RandomNumberGenerator) throws -> ClassSets {
        try checkColumns(estimates)
        let corrected = try predictor.correction.correct(estimates)
        var memberships: [PredictionSets] = []
        for (model, v) in zip(models, predictor.usedVariables) {
            memberships.append(try model.predict(probabilities: COLEPPredictor.binaryMatrix(corrected, variable: v), using: &generator))
        }
        return combine(rows: estimates.rows) { k, i, b in memberships[k].contains(sample: i, label: b) }
    }

    /// Certified class sets (spec §3.3, Thm 2) at observed (possibly attacked) inputs: boxes of
    /// radius `smoothing.radius` around each sensor's estimate, each failing with probability
    /// at most ``COLEPPredictor/smoothingFailure``; then
    /// ``certifiedPredict(lower:upper:using:)``. With probability `≥ 1 − V·α_cert` for each
    /// sample's true class, the certified set contains the true class whenever the clean
    /// input's standard set does.
    public func certify(observed estimates: [[SmoothingEstimate]], smoothing: RandomizedSmoothing,
                        using generator: inout some RandomNumberGenerator) throws -> (sets: ClassSets, exact: [Bool]) {
        let (lower, upper) = try smoothing.boxes(estimates, failureProbability: predictor.smoothingFailure)
        return try certifiedPredict(lower: lower, upper: upper, using: &generator)
    }

    /// Class sets that contain, for every sample, the standard set
    /// (``predict(estimates:using:)``, with the same uniforms) of **every** input whose sensor
    /// estimates lie in the box `lower ≤ p ≤ upper` — a deterministic statement about the box.
    ///
    /// A binary label `b` of a used variable is kept when some point of the variable's corrected
    /// interval keeps it in the standard binary set: its score is within the threshold there, or
    /// the set would be empty there and `b` ranks top, which fills it (label 1 ranks top for
    /// `π > ½`, label 0 for `π ≤ ½`). Both are decided exactly from the score's range over the
    /// interval and over its part where `b` ranks top (``ClassificationScore/binaryRange``),
    /// widened for rounding so the set errs large. Classes are then combined as the standard
    /// set combines them; a concept prunes only when every point of its interval gives the
    /// same confident set. `exact` says per used variable whether the corrected interval is
    /// the exact range (otherwise a sound enclosure).
    public func certifiedPredict(lower: Matrix, upper: Matrix, using generator: inout some RandomNumberGenerator) throws -> (sets: ClassSets, exact: [Bool]) {
        try checkColumns(lower)
        try checkColumns(upper)
        return certifiedPredict(box: try predictor.correction.bounds(lower: lower, upper: upper), using: &generator)
    }

    /// ``certifiedPredict(lower:upper:using:)`` from corrected bounds already computed.
    func certifiedPredict(box: CorrectedBounds, using generator: inout some RandomNumberGenerator) -> (sets: ClassSets, exact: [Bool]) {
        let m = box.lower.rows
        let u = predictor.score.isRandomized ? predictor.usedVariables.map { _ in generator.uniforms(count: m) } : []
        let sets = combine(rows: m) { k, i, b in
            let v = predictor.usedVariables[k]
            return keptSomewhere(label: b, model: models[k], over: box.lower[i, v]...max(box.lower[i, v], box.upper[i, v]), u: u.isEmpty ? 0 : u[k][i])
        }
        return (sets, predictor.usedVariables.map { box.exact[$0] })
    }

    /// Whether some `π` in `interval` puts `b` in the standard binary set of `model` (never
    /// empty: an empty set gets the top-ranked label).
    func keptSomewhere(label b: Int, model: CalibratedConformalClassifier, over interval: ClosedRange<Double>, u: Double) -> Bool {
        let score = predictor.score
        if score.binaryRange(label: b, over: interval, u: u).lowerBound <= model.threshold(for: b) { return true }
        // b's score exceeds its threshold everywhere; b fills the set where it ranks top and the
        // other label's score exceeds its threshold too.
        let top: ClosedRange<Double>? = b == 1
            ? (max(interval.lowerBound, 0.5.nextUp) <= interval.upperBound ? max(interval.lowerBound, 0.5.nextUp)...interval.upperBound : nil)
            : (interval.lowerBound <= min(interval.upperBound, 0.5) ? interval.lowerBound...min(interval.upperBound, 0.5) : nil)
        guard let top else { return false }
        return score.binaryRange(label: 1 - b, over: top, u: u).upperBound > model.threshold(for: 1 - b)
    }

    /// The certified worst-case coverage of the standard set (spec §3.4, Thm 3) from the clean
    /// smoothing estimates of labelled evaluation samples held out from calibration: boxes of
    /// radius `smoothing.radius` around them (failure ``COLEPPredictor/smoothingFailure`` each)
    /// contain the estimates of every attacked input, and a sample counts as robust when its
    /// true class is kept at every point of its boxes.
    public func certifiedCoverage(clean estimates: [[SmoothingEstimate]], labels: [Int], smoothing: RandomizedSmoothing,
                                  confidence nu: Double = 0.01, using generator: inout some RandomNumberGenerator) throws -> CertifiedCoverage {
        let (lower, upper) = try smoothing.boxes(estimates, failureProbability: predictor.smoothingFailure)
        try checkColumns(lower)
        return try certifiedCoverage(box: try predictor.correction.bounds(lower: lower, upper: upper), labels: labels,
                                     confidence: nu, using: &generator)
    }

    /// ``certifiedCoverage(clean:labels:smoothing:confidence:using:)`` from corrected bounds of
    /// boxes that fail with probability at most α_cert each.
    func certifiedCoverage(box: CorrectedBounds, labels: [Int], confidence nu: Double,
                           using generator: inout some RandomNumberGenerator) throws -> CertifiedCoverage {
        let m = box.lower.rows
        guard labels.count == m, m > 0 else {
            throw NumericsError.dimensionMismatch(operation: "COLEP certified coverage", seen: "\(labels.count) labels for \(m) samples",
                                                  expected: "one label per sample, at least one sample")
        }
        var tau: [Double] = []
        var robust = [Bool](repeating: true, count: m)
        for (k, v) in predictor.usedVariables.enumerated() {
            let u = predictor.score.isRandomized ? generator.uniforms(count: m) : []
            let isClass = predictor.knowledge.variables[v].role == .class
            var kept = 0
            for i in 0..<m {
                let b = predictor.truth(of: v, forClass: labels[i])
                let interval = box.lower[i, v]...max(box.lower[i, v], box.upper[i, v])
                // Kept at every point by its score alone (the fill rule can only add labels).
                let held = predictor.score.binaryRange(label: b, over: interval, u: u.isEmpty ? 0 : u[i]).upperBound <= models[k].threshold(for: b)
                if held { kept += 1 }
                // What the true class needs: its own variable keeps 1; every pruning concept keeps its truth.
                if !held && (!isClass || b == 1) { robust[i] = false }
            }
            tau.append(Double(kept) / Double(m))
        }
        return try CertifiedCoverage(robust: robust.filter { $0 }.count, of: m, perVariable: tau, confidence: nu,
                                     reservedFailure: Double(predictor.sensorsPerDecision) * predictor.smoothingFailure)
    }

    private func checkColumns(_ m: Matrix) throws {
        guard m.columns == predictor.knowledge.variables.count else {
            throw NumericsError.dimensionMismatch(operation: "COLEP prediction", seen: "\(m.columns) sensor columns",
                                                  expected: "one per variable (\(predictor.knowledge.variables.count)), as in calibration")
        }
    }

    /// Class sets from per-variable binary memberships `keep(k, sample, b)` (k indexes the used
    /// variables): class c stays if `1` is kept for it and no pruning concept excludes it.
    private func combine(rows: Int, _ keep: (Int, Int, Int) -> Bool) -> ClassSets {
        let classes = predictor.classes
        var sets = ClassSets(count: rows, classes: classes.count)
        for (k, v) in predictor.usedVariables.enumerated() {
            let isClass = predictor.knowledge.variables[v].role == .class
            let has = isClass ? [] : classes.indices.map { predictor.classHasConcept($0, v) }
            for i in 0..<rows {
                let one = keep(k, i, 1), zero = keep(k, i, 0)
                if isClass {
                    if !one { sets.member[i * classes.count + classes.firstIndex(of: v)!] = false }
                } else if one != zero {
                    // A confident concept set: drop the classes that disagree with it.
                    for c in classes.indices where has[c] != one { sets.member[i * classes.count + c] = false }
                }
            }
        }
        return sets
    }
}
