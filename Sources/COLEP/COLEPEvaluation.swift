import Certificates
import Conformal
import ProbabilisticCircuits
import SuretyNumerics

/// One split of sensor data: every sample's smoothing estimate per variable, and its class.
public struct SensorSplit: Sendable {
    /// Samples × variables (knowledge-base order).
    public var estimates: [[SmoothingEstimate]]
    /// Class labels, `0..<classes`.
    public var labels: [Int]

    public init(estimates: [[SmoothingEstimate]], labels: [Int]) {
        self.estimates = estimates
        self.labels = labels
    }

    /// The Monte-Carlo estimates as a samples × variables matrix.
    public func estimateMatrix() throws -> Matrix {
        try Matrix(estimates.map { $0.map(\.estimate) })
    }
}

/// COLEP beside its baselines on one calibration and one test split, with a certificate.
///
/// Every certified coverage in ``methods`` is the same kind of statement, made by one routine
/// (``CertifiedCoverage``): with probability at least ``confidence`` over the test sample, the
/// method's standard sets cover the true class under every ℓ2 perturbation within the radius
/// for at least that fraction of inputs — the robust fraction's exact one-sided
/// Clopper–Pearson lower bound, minus the failure probability of the boxes the decision rests
/// on. All methods use the same boxes (``RandomizedSmoothing/boxes(_:failureProbability:)``
/// at the predictor's α_cert).
public struct COLEPEvaluation: Sendable {
    /// In order: COLEP as configured, COLEP with the other α split, the main model (RSCP+ on
    /// the same boxes) at the nominal α, the main model at each COLEP variant's mean set size
    /// on the calibration split, and vanilla APS (no certification).
    public var methods: [MethodSummary]
    /// COLEP as configured.
    public var colep: MethodSummary { methods[0] }
    /// Per used variable: thresholds, certified per-variable coverage, exactness of its bounds.
    public var thresholds: [[Double]]
    public var perVariableCoverage: [Double]
    public var exactBounds: [Bool]
    public var variableAlpha: Double
    public var sensorsPerDecision: Int
    public var usedVariables: [String]
    public var calibrationCount: Int
    public var testCount: Int
    public var confidence: Double
    /// The calibrated predictor as configured, for further use (e.g. sets at attacked inputs).
    public var model: CalibratedCOLEP
    /// The two calibrated COLEP variants, in ``methods`` order.
    public var colepModels: [CalibratedCOLEP]
    /// The main-model methods, in ``methods`` order.
    public var mainModels: [MainModelConformal]
    public var vanillaModel: CalibratedConformalClassifier

    /// Calibrates on `calibration` and evaluates on `test`: standard sets (clean coverage and
    /// size), certified sets (Thm 2) treating the test estimates as observed, and the
    /// certified worst-case coverage (Thm 3) from boxes around them, for both COLEP α splits
    /// and the main model; then vanilla APS. `confidence` is the `ν` of the coverage statements.
    public static func run(predictor: COLEPPredictor, smoothing: RandomizedSmoothing, calibration: SensorSplit, test: SensorSplit,
                           confidence nu: Double = 0.01, using generator: inout some RandomNumberGenerator) throws -> COLEPEvaluation {
        let cal = try calibration.estimateMatrix(), tst = try test.estimateMatrix()
        let (lower, upper) = try smoothing.boxes(test.estimates, failureProbability: predictor.smoothingFailure)
        // The test points serve twice: as observed inputs (certified sets) and as clean inputs
        // (certified coverage); one set of corrected bounds serves both.
        let box = try predictor.correction.bounds(lower: lower, upper: upper)
        let other: COLEPCalibration = predictor.calibration == .unionBound ? .classConditional : .unionBound
        let variants = [predictor, try COLEPPredictor(correction: predictor.correction, alpha: predictor.alpha, score: predictor.score,
                                                      smoothingFailure: predictor.smoothingFailure, conceptPruning: predictor.conceptPruning,
                                                      calibration: other)]
        var methods: [MethodSummary] = [], colepModels: [CalibratedCOLEP] = [], calibrationSizes: [Double] = []
        var configured: (coverage: CertifiedCoverage, exact: [Bool])?
        for variant in variants {
            let model = try variant.calibrate(estimates: cal, labels: calibration.labels, using: &generator)
            let standard = try model.predict(estimates: tst, using: &generator)
            let (certified, exact) = model.certifiedPredict(box: box, using: &generator)
            let coverage = try model.certifiedCoverage(box: box, labels: test.labels, confidence: nu, using: &generator)
            calibrationSizes.append(try model.predict(estimates: cal, using: &generator).meanSize)
            if configured == nil { configured = (coverage, exact) }
            colepModels.append(model)
            methods.append(MethodSummary(name: "COLEP (\(variant.calibration.rawValue))", certifiedCoverage: coverage.bound,
                                         empiricalCoverageClean: standard.coverage(labels: test.labels), meanSetSize: standard.meanSize,
                                         meanCertifiedSetSize: certified.meanSize, alpha: variant.alpha))
        }
        let classes = predictor.classes
        let main = try MainModelConformal(calibration: cal, labels: calibration.labels, classes: classes, alpha: predictor.alpha,
                                          smoothingFailure: predictor.smoothingFailure)
        let mainModels = [main] + calibrationSizes.map { main.matched(toMeanSetSize: $0, calibration: cal, labels: calibration.labels) }
        let mainNames = ["RSCP+ (main model)"] + variants.map { "RSCP+ at COLEP (\($0.calibration.rawValue)) size" }
        for (method, name) in zip(mainModels, mainNames) {
            let standard = method.predict(estimates: tst)
            methods.append(MethodSummary(name: name, certifiedCoverage: try method.certifiedCoverage(lower: lower, labels: test.labels, confidence: nu).bound,
                                         empiricalCoverageClean: standard.coverage(labels: test.labels), meanSetSize: standard.meanSize,
                                         meanCertifiedSetSize: method.certifiedPredict(lower: lower, upper: upper).meanSize, alpha: method.alpha))
        }
        let (vanilla, vanillaModel) = try SmoothedConformalBaselines.vanilla(calibration: cal, calibrationLabels: calibration.labels, test: tst,
                                                                             testLabels: test.labels, classes: classes, alpha: predictor.alpha,
                                                                             using: &generator)
        methods.append(vanilla)
        return COLEPEvaluation(methods: methods, thresholds: colepModels[0].thresholds, perVariableCoverage: configured!.coverage.perVariable,
                               exactBounds: configured!.exact, variableAlpha: predictor.variableAlpha, sensorsPerDecision: predictor.sensorsPerDecision,
                               usedVariables: predictor.usedVariables.map { predictor.knowledge.variables[$0].name },
                               calibrationCount: cal.rows, testCount: tst.rows, confidence: 1 - nu, model: colepModels[0],
                               colepModels: colepModels, mainModels: mainModels, vanillaModel: vanillaModel)
    }

    /// Records every method's coverage and mean set size at attacked inputs: `knowledgeAttacked`
    /// holds estimates at inputs attacked through the knowledge-corrected pipeline (used for the
    /// COLEP variants), `mainAttacked` at inputs attacked through the main model alone (used for
    /// the others).
    public mutating func recordAttack(knowledgeAttacked: Matrix, mainAttacked: Matrix, labels: [Int],
                                      using generator: inout some RandomNumberGenerator) throws {
        var sets = try colepModels.map { try $0.predict(estimates: knowledgeAttacked, using: &generator) }
        sets += mainModels.map { $0.predict(estimates: mainAttacked) }
        let classes = model.predictor.classes
        let vanilla = try vanillaModel.predict(probabilities: SmoothedConformalBaselines.normalized(
            SmoothedConformalBaselines.classBlock(mainAttacked, classes: classes)), using: &generator)
        var last = ClassSets(count: labels.count, classes: classes.count)
        for i in 0..<labels.count { for c in classes.indices { last.member[i * classes.count + c] = vanilla.contains(sample: i, label: c) } }
        sets.append(last)
        for (k, s) in sets.enumerated() {
            methods[k].coverageUnderAttack = s.coverage(labels: labels)
            methods[k].meanSetSizeUnderAttack = s.meanSize
        }
    }

    /// The `colep.certified-coverage` certificate of this evaluation.
    public func certificate(predictor: COLEPPredictor, smoothing: RandomizedSmoothing, inputs: [InputDigest] = [], seed: UInt64? = nil) -> Certificate {
        func summary(_ s: MethodSummary) -> JSONValue {
            var fields: [String: JSONValue] = [
                "certified_coverage": s.certifiedCoverage.map(JSONValue.number) ?? .null,
                "empirical_coverage_clean": .number(s.empiricalCoverageClean),
                "mean_set_size": .number(s.meanSetSize),
                "mean_certified_set_size": s.meanCertifiedSetSize.map(JSONValue.number) ?? .null,
                "alpha": .number(s.alpha),
            ]
            if let c = s.coverageUnderAttack, let m = s.meanSetSizeUnderAttack {
                fields["coverage_under_attack"] = .number(c)
                fields["mean_set_size_under_attack"] = .number(m)
            }
            return .object(fields)
        }
        var results: [String: JSONValue] = summary(colep).objectValue!
        results["methods"] = .object(Dictionary(uniqueKeysWithValues: methods.dropFirst().map { ($0.name, summary($0)) }))
        let exactAll = exactBounds.allSatisfy { $0 }
        let reserved = Double(sensorsPerDecision) * predictor.smoothingFailure
        var certificate = Certificate(
            kind: "colep.certified-coverage",
            claim: "With probability at least \(confidence) over the test sample, COLEP's standard class sets contain the true class for at least "
                + "a fraction certified_coverage of inputs from this distribution under every ℓ2 perturbation of norm ≤ \(smoothing.radius) "
                + "(each method's certified_coverage under results.methods is the same statement for that method); "
                + "its certified sets at an observed input contain the standard set of every input within that radius whenever the sensor boxes hold "
                + "(each fails with probability ≤ \(predictor.smoothingFailure); \(sensorsPerDecision) boxes decide one class, and \(reserved) is already subtracted).",
            assumptions: [
                "calibration and test samples are exchangeable draws of the same distribution, and the test sample is independent of the calibration sample",
                "sensor estimates are randomized-smoothing estimates under N(0, σ²I) noise with σ = \(smoothing.sigma), with independent noise per estimate",
                exactAll ? "bounds through the circuits are exact (monotone knowledge)" : "bounds through some circuits are sound relaxations (see evidence.exact_bounds)",
            ],
            parameters: [
                "alpha": .number(predictor.alpha), "epsilon": .number(smoothing.radius), "sigma": .number(smoothing.sigma),
                "alpha_cert": .number(predictor.smoothingFailure), "score": .string("\(predictor.score)"),
                "alpha_split": .string(predictor.calibration.rawValue),
                "circuit_share": .number(predictor.correction.circuitShare), "concept_pruning": .bool(predictor.conceptPruning),
                "circuit_weights": .object(Dictionary(uniqueKeysWithValues: zip(predictor.knowledge.circuitNames,
                                                                                predictor.correction.circuitWeights.map(JSONValue.number)))),
                "confidence": .number(confidence),
            ],
            results: results,
            evidence: [
                "alpha_per_variable": .number(variableAlpha),
                "sensors_per_decision": .integer(sensorsPerDecision),
                "variables": .array(usedVariables.map(JSONValue.string)),
                "thresholds": .array(thresholds.map { JSONValue($0) }),
                "per_variable_certified_coverage": JSONValue(perVariableCoverage),
                "exact_bounds": .array(exactBounds.map(JSONValue.bool)),
                "calibration_count": .integer(calibrationCount),
                "test_count": .integer(testCount),
            ],
            inputs: inputs, seed: seed)
        // Tolerances (Certificates/README.md): the thresholds are order statistics of scores
        // computed in floating point (roundoff); every other number is a rate over test points,
        // or a bound or mean of such counts, whose decisions a last-bit change of a score (or of
        // a sensor trained on BLAS) can flip only at a near-tie: three flips are allowed.
        certificate.tolerate(.roundoff, at: "evidence.thresholds")
        certificate.tolerate(.decisions(flips: 3, outOf: testCount)) { $0.hasPrefix("results.") || $0 == "evidence.per_variable_certified_coverage" }
        return certificate
    }
}
