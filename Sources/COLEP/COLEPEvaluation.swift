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
public struct COLEPEvaluation: Sendable {
    public var colep: MethodSummary
    public var baselines: [MethodSummary]
    /// Per used variable: threshold, certified per-variable coverage, exactness of its bounds.
    public var thresholds: [Double]
    public var perVariableCoverage: [Double]
    public var exactBounds: [Bool]
    public var variableAlpha: Double
    public var usedVariables: [String]
    public var calibrationCount: Int
    public var testCount: Int
    public var confidence: Double
    /// The calibrated predictor, for further use (e.g. sets at attacked inputs).
    public var model: CalibratedCOLEP

    /// Calibrates on `calibration` and evaluates on `test`: standard sets (clean coverage and
    /// size), certified sets (Thm 2) treating the test estimates as observed, and the
    /// certified worst-case coverage (Thm 3) from boxes around them; then vanilla APS, RSCP
    /// and RSCP+ on the same data. `confidence` is the `ν` of the coverage statements.
    public static func run(predictor: COLEPPredictor, smoothing: RandomizedSmoothing, calibration: SensorSplit, test: SensorSplit,
                           confidence nu: Double = 0.01, using generator: inout some RandomNumberGenerator) throws -> COLEPEvaluation {
        let cal = try calibration.estimateMatrix(), tst = try test.estimateMatrix()
        let model = try predictor.calibrate(estimates: cal, labels: calibration.labels, using: &generator)
        let standard = try model.predict(estimates: tst, using: &generator)
        let (lower, upper) = try smoothing.boxes(test.estimates)
        // The test points serve twice: as observed inputs (certified sets) and as clean inputs
        // (certified coverage); one set of corrected bounds serves both.
        let box = try predictor.correction.bounds(lower: lower, upper: upper)
        let (certified, exact) = model.certifiedPredict(box: box, using: &generator)
        let coverage = try model.certifiedCoverage(box: box, labels: test.labels, confidence: nu, using: &generator)
        let colep = MethodSummary(name: "COLEP", certifiedCoverage: coverage.bound, empiricalCoverageClean: standard.coverage(labels: test.labels),
                                  meanSetSize: standard.meanSize, meanCertifiedSetSize: certified.meanSize)
        let draws = test.estimates.first?.first?.draws
        let classes = predictor.classes
        let baselines = [
            try SmoothedConformalBaselines.vanilla(calibration: cal, calibrationLabels: calibration.labels, test: tst, testLabels: test.labels,
                                                   classes: classes, alpha: predictor.alpha, using: &generator),
            try SmoothedConformalBaselines.rscp(calibration: cal, calibrationLabels: calibration.labels, test: tst, testLabels: test.labels,
                                                classes: classes, alpha: predictor.alpha, smoothing: smoothing, confidence: nu),
            try SmoothedConformalBaselines.rscp(calibration: cal, calibrationLabels: calibration.labels, test: tst, testLabels: test.labels,
                                                classes: classes, alpha: predictor.alpha, smoothing: smoothing, draws: draws ?? Int.max,
                                                beta: predictor.smoothingFailure, confidence: nu),
        ]
        return COLEPEvaluation(colep: colep, baselines: baselines, thresholds: model.thresholds, perVariableCoverage: coverage.perVariable,
                               exactBounds: exact, variableAlpha: predictor.variableAlpha,
                               usedVariables: predictor.usedVariables.map { predictor.knowledge.variables[$0].name },
                               calibrationCount: cal.rows, testCount: tst.rows, confidence: 1 - nu, model: model)
    }

    /// The `colep.certified-coverage` certificate of this evaluation.
    public func certificate(predictor: COLEPPredictor, smoothing: RandomizedSmoothing, inputs: [InputDigest] = [], seed: UInt64? = nil) -> Certificate {
        func summary(_ s: MethodSummary) -> JSONValue {
            .object([
                "certified_coverage": s.certifiedCoverage.map(JSONValue.number) ?? .null,
                "empirical_coverage_clean": .number(s.empiricalCoverageClean),
                "mean_set_size": .number(s.meanSetSize),
                "mean_certified_set_size": s.meanCertifiedSetSize.map(JSONValue.number) ?? .null,
            ])
        }
        var results: [String: JSONValue] = summary(colep).objectValue!
        results["baselines"] = .object(Dictionary(uniqueKeysWithValues: baselines.map { ($0.name, summary($0)) }))
        let exactAll = exactBounds.allSatisfy { $0 }
        var certificate = Certificate(
            kind: "colep.certified-coverage",
            claim: "With probability at least \(confidence) over the test sample, COLEP's standard class sets contain the true class for at least "
                + "a fraction certified_coverage of inputs from this distribution under every ℓ2 perturbation of norm ≤ \(smoothing.radius); "
                + "its certified sets at an observed input contain the standard set of every input within that radius (sensor boxes fail with probability ≤ \(smoothing.failureProbability) each, already subtracted).",
            assumptions: [
                "calibration and test samples are exchangeable draws of the same distribution",
                "sensor estimates are randomized-smoothing estimates under N(0, σ²I) noise with σ = \(smoothing.sigma), with independent noise per estimate",
                exactAll ? "bounds through the circuits are exact (monotone knowledge)" : "bounds through some circuits are sound relaxations (see evidence.exact_bounds)",
            ],
            parameters: [
                "alpha": .number(predictor.alpha), "epsilon": .number(smoothing.radius), "sigma": .number(smoothing.sigma),
                "alpha_cert": .number(smoothing.failureProbability), "score": .string("\(predictor.score)"),
                "circuit_share": .number(predictor.correction.circuitShare), "concept_pruning": .bool(predictor.conceptPruning),
                "circuit_weights": .object(Dictionary(uniqueKeysWithValues: zip(predictor.knowledge.circuitNames,
                                                                                predictor.correction.circuitWeights.map(JSONValue.number)))),
                "confidence": .number(confidence),
            ],
            results: results,
            evidence: [
                "alpha_per_variable": .number(variableAlpha),
                "variables": .array(usedVariables.map(JSONValue.string)),
                "thresholds": JSONValue(thresholds),
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
