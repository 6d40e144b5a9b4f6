import Conformal
import ProbabilisticCircuits
import SuretyNumerics

/// How the class variables' thresholds are calibrated, and so how the miscoverage `α` is
/// shared among the variables whose sets are used.
public enum COLEPCalibration: String, Sendable, Hashable, CaseIterable {
    /// Every used variable calibrated marginally at `α_j = (α − V·α_cert) / K`, a union bound
    /// over the `K` used variables (the official code's split, spec §2.4).
    case unionBound = "union"
    /// Each class variable's label-1 threshold calibrated on the samples of that class only
    /// (Mondrian), so that `P(class kept | Y = c) ≥ 1 − α_j` for every class and the classes
    /// share one term of the union bound: `α_j = α − V·α_cert` without concept pruning,
    /// `(α − V·α_cert) / (1 + L)` with it (spec §2.4: "max_j α_j if each class set is
    /// calibrated class-conditionally").
    case classConditional = "class-conditional"
}

/// COLEP (Kang, Gürel, Li, Li, ICLR 2024): knowledge-corrected sensor probabilities,
/// per-variable binary split conformal calibration, and class sets that can be certified
/// against ℓ2 attacks.
///
/// Configure, then ``calibrate(estimates:labels:using:)`` on held-out data with the same
/// smoothed (Monte-Carlo) sensor estimates that test time will use (spec §3.3: the official
/// code calibrates on unsmoothed outputs and certifies smoothed ones — two different
/// functions; not repeated here).
///
/// Guarantee (exchangeable calibration and test data): the class set contains the true class
/// with probability at least `1 − α + V·α_cert`, and the certified set at an attacked input
/// contains the true class with probability at least `1 − α`. Each used variable gets level
/// ``variableAlpha`` (see ``COLEPCalibration``) after reserving `α_cert` for each of the
/// `V` = ``sensorsPerDecision`` sensors whose smoothing boxes can change whether one class is
/// kept (spec §2.4 as corrected in review).
///
/// `smoothingFailure` (α_cert) is the one source of the boxes' failure probability: the
/// certification entry points (``CalibratedCOLEP/certify(observed:smoothing:using:)``,
/// ``CalibratedCOLEP/certifiedCoverage(clean:labels:smoothing:confidence:using:)``) size the
/// boxes with it, so the reservation and the boxes cannot disagree.
public struct COLEPPredictor: Sendable {
    public let correction: KnowledgeCorrection
    public let alpha: Double
    public let score: ClassificationScore
    /// α_cert: the failure probability of each sensor's smoothing box.
    public let smoothingFailure: Double
    /// Also calibrate every concept and prune classes that contradict a confident concept set.
    public let conceptPruning: Bool
    public let calibration: COLEPCalibration

    /// - Throws: `NumericsError.domain` for `α ∉ (0, 1)`, `α_cert ∉ (0, 1)`, a knowledge base
    ///   without classes, or an `α` too small for the reservation `V·α_cert`.
    public init(correction: KnowledgeCorrection, alpha: Double = 0.1, score: ClassificationScore = .aps(randomized: true),
                smoothingFailure: Double = 0.001, conceptPruning: Bool = false, calibration: COLEPCalibration = .unionBound) throws {
        guard alpha > 0, alpha < 1 else {
            throw NumericsError.domain(function: "COLEP", value: "α = \(alpha)", expected: "0 < α < 1")
        }
        guard smoothingFailure > 0, smoothingFailure < 1 else {
            throw NumericsError.domain(function: "COLEP", value: "α_cert = \(smoothingFailure)", expected: "0 < α_cert < 1")
        }
        guard !correction.knowledge.variables(withRole: .class).isEmpty else {
            throw NumericsError.domain(function: "COLEP", value: "a knowledge base without classes",
                                       expected: "variables declared on a 'classes:' line")
        }
        self.correction = correction
        self.alpha = alpha
        self.score = score
        self.smoothingFailure = smoothingFailure
        self.conceptPruning = conceptPruning
        self.calibration = calibration
        let knowledge = correction.knowledge
        let classes = knowledge.variables(withRole: .class)
        let concepts = knowledge.variables(withRole: .concept)
        self.classes = classes
        usedVariables = conceptPruning ? classes + concepts : classes
        // truthTable[c][v]: the binary truth of variable v for class c.
        truthTable = classes.map { classVariable in
            knowledge.variables.indices.map { v in
                if knowledge.variables[v].role == .class { return v == classVariable ? 1 : 0 }
                return knowledge.rules.contains { $0.antecedent == [Literal(classVariable)] && $0.consequent == [Literal(v)] } ? 1 : 0
            }
        }
        // Whether class c is kept depends on its own variable and, with pruning, on every concept.
        let pruningInputs = conceptPruning ? concepts.reduce(into: Set<Int>()) { $0.formUnion(correction.inputs(of: $1)) } : []
        sensorsPerDecision = classes.map { correction.inputs(of: $0).union(pruningInputs).count }.max() ?? 0
        unionTerms = switch calibration {
        case .unionBound: usedVariables.count
        case .classConditional: 1 + (conceptPruning ? concepts.count : 0)
        }
        guard variableAlpha > 0 else {
            throw NumericsError.domain(function: "COLEP", value: "α = \(alpha) with \(sensorsPerDecision) sensors per decision at α_cert = \(smoothingFailure)",
                                       expected: "α > sensors × α_cert (lower α_cert)")
        }
    }

    var knowledge: KnowledgeBase { correction.knowledge }
    /// Variable indices of the classes, in class-label order.
    public let classes: [Int]
    /// The variables whose conformal sets are used: the classes, plus the concepts when pruning.
    public let usedVariables: [Int]
    private let truthTable: [[Int]]
    /// `V`: the largest number of sensors whose boxes can change whether one class is kept (its
    /// own variable's inputs, plus every concept's inputs when pruning). Only the true class's
    /// decision matters for coverage, so `V·α_cert` bounds the probability that a box it
    /// depends on fails.
    public let sensorsPerDecision: Int
    /// The number of terms of the union bound over the used variables' miscoverages.
    public let unionTerms: Int
    /// `α_j = (α − V·α_cert) / terms`.
    public var variableAlpha: Double {
        (alpha - Double(sensorsPerDecision) * smoothingFailure) / Double(unionTerms)
    }

    /// Whether class `c` (a class label) has concept variable `v`: a rule `class ⇒ concept`
    /// between the two, in any circuit.
    func classHasConcept(_ c: Int, _ v: Int) -> Bool { truthTable[c][v] == 1 }

    /// The binary truth of variable `v` for class `c` (a class label): 1 for the class's own
    /// variable and for the concepts a `class ⇒ concept` rule gives it, else 0.
    public func truth(of v: Int, forClass c: Int) -> Int { truthTable[c][v] }

    /// Calibrates on held-out samples.
    ///
    /// - Parameters:
    ///   - estimates: samples × variables smoothed sensor estimates `ĝ` (knowledge-base order).
    ///   - labels: each sample's class, `0..<classes.count` in declaration order.
    /// - Throws: `NumericsError` for mismatched shapes, labels out of range, estimates outside
    ///   [0, 1], or too few samples for `α_j` (the message says how many are needed).
    public func calibrate(estimates: Matrix, labels: [Int], using generator: inout some RandomNumberGenerator) throws -> CalibratedCOLEP {
        let n = estimates.rows
        guard estimates.columns == knowledge.variables.count else {
            throw NumericsError.dimensionMismatch(operation: "COLEP calibration", seen: "\(estimates.columns) sensor columns",
                                                  expected: "one per variable (\(knowledge.variables.count))")
        }
        guard labels.count == n else {
            throw NumericsError.dimensionMismatch(operation: "COLEP calibration", seen: "\(labels.count) labels for \(n) samples",
                                                  expected: "one label per sample")
        }
        if let k = labels.firstIndex(where: { !(0..<classes.count).contains($0) }) {
            throw NumericsError.domain(function: "COLEP calibration", value: "label \(labels[k]) of sample \(k)",
                                       expected: "a class in 0..<\(classes.count)")
        }
        let alphaJ = variableAlpha
        if ConformalThreshold.rank(count: n, alpha: alphaJ) == nil {
            let needed = (n...).first { ConformalThreshold.rank(count: $0, alpha: alphaJ) != nil }!
            throw NumericsError.domain(function: "COLEP calibration", value: "\(n) calibration samples for α_j = \(alphaJ)",
                                       expected: "at least \(needed) samples (or a larger α, fewer variables, or a smaller α_cert)")
        }
        let corrected = try correction.correct(estimates)
        var models: [CalibratedConformalClassifier] = []
        for v in usedVariables {
            let binary = try Self.binaryMatrix(corrected, variable: v)
            let truths = labels.map { truth(of: v, forClass: $0) }
            let mode: SplitConformalClassifier.Mode = calibration == .classConditional && knowledge.variables[v].role == .class
                ? .classConditional : .marginal
            let classifier = SplitConformalClassifier(score: score, alpha: alphaJ, mode: mode, allowEmpty: false)
            models.append(try classifier.calibrate(probabilities: binary, labels: truths, using: &generator))
        }
        return CalibratedCOLEP(predictor: self, models: models, calibrationCount: n)
    }

    /// The `rows × 2` matrix `[1 − π_v, π_v]` of one variable.
    static func binaryMatrix(_ corrected: Matrix, variable v: Int) throws -> Matrix {
        let rows = corrected.rows
        var storage = [Double](repeating: 0, count: 2 * rows)
        for i in 0..<rows {
            storage[i] = 1 - corrected[i, v]
            storage[rows + i] = corrected[i, v]
        }
        return try Matrix(rows: rows, columns: 2, columnMajor: storage)
    }
}
