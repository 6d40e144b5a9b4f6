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

/// The certified worst-case coverage of the standard COLEP set (spec §3.4, Thm 3).
public struct CertifiedCoverage: Sendable {
    /// Fraction of evaluation samples whose true class is kept under every perturbation the
    /// boxes allow: its class variable keeps label 1 at the worst point of its box, and, with
    /// concept pruning, every concept keeps its true label at its worst point.
    public var robustFraction: Double
    /// Per used variable: the fraction of evaluation samples whose true binary label keeps a
    /// score ≤ the threshold at every point of its box (evidence; not needed for the bound).
    public var perVariable: [Double]
    /// One-sided Hoeffding term of the robust fraction at confidence `1 − ν`.
    public var estimationSlack: Double
    /// `robustFraction − slack − V·α_cert`, clipped at 0: with probability `≥ 1 − ν` over the
    /// evaluation sample (held out from calibration), the standard set's coverage under any
    /// attack within the radius is at least this.
    public var bound: Double
    public var confidence: Double
}

/// A calibrated COLEP predictor.
public struct CalibratedCOLEP: Sendable {
    public let predictor: COLEPPredictor
    /// One binary conformal model per used variable, in ``COLEPPredictor/usedVariables`` order.
    public let models: [CalibratedConformalClassifier]
    public let calibrationCount: Int

    /// The thresholds `q̂_j`, in ``COLEPPredictor/usedVariables`` order.
    public var thresholds: [Double] { models.map { $0.thresholds[0] } }

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

    /// Certified class sets (spec §3.3, Thm 2) from boxes on the sensors' estimates around the
    /// observed inputs (see ``RandomizedSmoothing/box(_:)``): a binary label is kept when its
    /// smallest score over the corrected box is within the threshold, or when it could be the
    /// top-ranked label that fills an empty set. Each set contains the standard set of every
    /// input whose estimates lie in the boxes.
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
            let interval = box.lower[i, v]...max(box.lower[i, v], box.upper[i, v])
            let ui = u.isEmpty ? 0 : u[k][i]
            if predictor.score.binaryRange(label: b, over: interval, u: ui).lowerBound <= models[k].thresholds[0] { return true }
            // Could b be the top label of an otherwise empty set somewhere in the box?
            let otherKept = predictor.score.binaryRange(label: 1 - b, over: interval, u: ui).lowerBound <= models[k].thresholds[0]
            return !otherKept && (b == 1 ? interval.upperBound > 0.5 : interval.lowerBound <= 0.5)
        }
        return (sets, predictor.usedVariables.map { box.exact[$0] })
    }

    /// The certified worst-case coverage of the standard set (spec §3.4, Thm 3) from boxes
    /// around labelled evaluation inputs, independent of the calibration data.
    public func certifiedCoverage(lower: Matrix, upper: Matrix, labels: [Int], confidence nu: Double = 0.01,
                                  using generator: inout some RandomNumberGenerator) throws -> CertifiedCoverage {
        try checkColumns(lower)
        try checkColumns(upper)
        return try certifiedCoverage(box: try predictor.correction.bounds(lower: lower, upper: upper), labels: labels,
                                     confidence: nu, using: &generator)
    }

    /// ``certifiedCoverage(lower:upper:labels:confidence:using:)`` from corrected bounds already computed.
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
                let held = predictor.score.binaryRange(label: b, over: interval, u: u.isEmpty ? 0 : u[i]).upperBound <= models[k].thresholds[0]
                if held { kept += 1 }
                // What the true class needs: its own variable keeps 1; every pruning concept keeps its truth.
                if !held && (!isClass || b == 1) { robust[i] = false }
            }
            tau.append(Double(kept) / Double(m))
        }
        let fraction = Double(robust.filter { $0 }.count) / Double(m)
        let slack = try ConcentrationBounds.hoeffdingRadius(sampleSize: m, failureProbability: nu, tails: .one)
        let sensors = Double(predictor.knowledge.variables.count)
        let bound = max(0, fraction - slack - sensors * predictor.smoothingFailure)
        return CertifiedCoverage(robustFraction: fraction, perVariable: tau, estimationSlack: slack, bound: bound, confidence: 1 - nu)
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
