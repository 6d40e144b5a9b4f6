import Conformal
import Foundation
import ProbabilisticCircuits
import SuretyNumerics
import Testing
@testable import COLEP

@Suite struct PipelineTests {
    static func predictor(alpha: Double = 0.1, pruning: Bool = false, score: ClassificationScore = .aps(randomized: true)) throws -> COLEPPredictor {
        let knowledge = try ReferenceKnowledge.gtsrb()
        return try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge, circuitShare: 0.5),
                                  alpha: alpha, score: score, smoothingFailure: 0.0005, conceptPruning: pruning)
    }

    /// λ = 0 leaves the sensors alone; with λ = 1 and one circuit the correction is the
    /// circuit's marginals; corrected bounds contain the corrected values inside the box and
    /// are exact for the GTSRB knowledge.
    @Test func knowledgeCorrection() throws {
        let knowledge = try ReferenceKnowledge.gtsrb()
        var rng = RandomStream(seed: 4)
        let p = try Matrix(rows: 30, columns: 25, columnMajor: (0..<750).map { _ in rng.nextUniform() })
        let none = try KnowledgeCorrection(knowledge: knowledge, circuitShare: 0).correct(p)
        #expect(none.storage == p.storage)
        let stop = try KnowledgeBase.parse("classes: stop\nconcepts: octagon\nstop => octagon  w=1.5  pc=shape")
        let full = try KnowledgeCorrection(knowledge: stop, circuitShare: 1).correct(Matrix([[0.9, 0.0]]))
        #expect(abs(full[0, 0] - 0.9 / (0.9 + 0.1 * exp(1.5))) < 1e-15)

        // β weights: a variable in two circuits gets their weighted mean.
        let two = try KnowledgeBase.parse("classes: a\nconcepts: b c\na => b  w=1  pc=one\na => c  w=2  pc=two")
        let q = try Matrix([[0.6, 0.3, 0.2]])
        let weighted = try KnowledgeCorrection(knowledge: two, circuitShare: 1, circuitWeights: ["one": 3, "two": 1]).correct(q)
        let single = try two.compile().map { try $0.marginals(probabilities: q).marginals[0, 0] }
        #expect(abs(weighted[0, 0] - (3 * single[0] + single[1]) / 4) < 1e-15)
        #expect(throws: NumericsError.self) { try KnowledgeCorrection(knowledge: two, circuitWeights: ["three": 1]) }
        #expect(throws: NumericsError.self) { try KnowledgeCorrection(knowledge: two, circuitWeights: ["one": 0]) }

        let correction = try KnowledgeCorrection(knowledge: knowledge, circuitShare: 0.5)
        let lower = try Matrix(rows: 30, columns: 25, columnMajor: p.storage.map { max(0, $0 - 0.1) })
        let upper = try Matrix(rows: 30, columns: 25, columnMajor: p.storage.map { min(1, $0 + 0.1) })
        let bounds = try correction.bounds(lower: lower, upper: upper)
        #expect(bounds.exact.allSatisfy { $0 })
        for _ in 0..<20 {
            let inside = try Matrix(rows: 30, columns: 25, columnMajor: (0..<750).map { lower.storage[$0] + (upper.storage[$0] - lower.storage[$0]) * rng.nextUniform() })
            let pi = try correction.correct(inside)
            for k in 0..<750 { #expect(pi.storage[k] >= bounds.lower.storage[k] - 1e-12 && pi.storage[k] <= bounds.upper.storage[k] + 1e-12) }
        }
        // Exact: the bounds are attained at the two monotone vertices.
        let atLower = try correction.correct(lower), atUpper = try correction.correct(upper)
        for k in 0..<750 {
            #expect(abs(atLower.storage[k] - bounds.lower.storage[k]) < 1e-12 && abs(atUpper.storage[k] - bounds.upper.storage[k]) < 1e-12)
        }
    }

    /// On exchangeable synthetic data with exact smoothing, the class sets cover at least
    /// 1 − α; certified sets at an attacked input contain the standard set at the clean input
    /// (same uniforms), and the certified coverage bound does not exceed the coverage of the
    /// standard set under the attack beyond its stated slack.
    @Test(arguments: [false, true])
    func coverageAndCertification(pruning: Bool) throws {
        let predictor = try Self.predictor(pruning: pruning)
        var rng = RandomStream(seed: pruning ? 31 : 30)
        let sigma = 0.5, radius = 0.1
        let calibration = try SyntheticKnowledgeData(predictor: predictor, count: 1200, using: &rng)
        let test = try SyntheticKnowledgeData(predictor: predictor, count: 2000, using: &rng)
        let model = try predictor.calibrate(estimates: SyntheticKnowledgeData.smoothed(calibration.inputs, sigma: sigma),
                                            labels: calibration.labels, using: &rng)
        var draw = RandomStream(seed: 77)
        let clean = try model.predict(estimates: SyntheticKnowledgeData.smoothed(test.inputs, sigma: sigma), using: &draw)
        // Coverage ≥ 1 − α. The 2000 test indicators are i.i.d. given the calibration set; the
        // conditional coverage itself varies with the calibration draw, so the check is on
        // the one-sided Hoeffding band at false-alarm rate 1e-6 plus the calibration-conditional
        // (DKW) slack at 1e-6.
        let band = (log(1e6) / (2 * 2000.0)).squareRoot() + (log(1e6) / (2 * 1200.0)).squareRoot()
        #expect(clean.coverage(labels: test.labels) >= 1 - predictor.alpha - band, "coverage \(clean.coverage(labels: test.labels))")
        #expect(clean.meanSize >= 1 && clean.meanSize < 12)

        // Certified sets at the attacked inputs contain the clean standard sets.
        let smoothing = try RandomizedSmoothing(sigma: sigma, radius: radius)
        let attacked = try SyntheticKnowledgeData.smoothed(test.attacked(radius: radius, predictor: predictor), sigma: sigma)
        func exactEstimates(_ m: Matrix) -> [[SmoothingEstimate]] { (0..<m.rows).map { i in (0..<m.columns).map { .exact(m[i, $0]) } } }
        var same = RandomStream(seed: 77)
        let (certified, exact) = try model.certify(observed: exactEstimates(attacked), smoothing: smoothing, using: &same)
        #expect(exact.allSatisfy { $0 })
        for i in 0..<test.labels.count {
            for c in 0..<12 where clean.contains(sample: i, class: c) { #expect(certified.contains(sample: i, class: c)) }
        }
        #expect(certified.meanSize >= clean.meanSize)
        #expect(certified.meanSize < 11)       // not vacuous: measured 7.07 (no pruning), 3.12 (pruning)

        // Certified coverage of the standard set under attack, from boxes around the clean inputs.
        let cleanSmoothed = try SyntheticKnowledgeData.smoothed(test.inputs, sigma: sigma)
        var third = RandomStream(seed: 78)
        let certifiedCoverage = try model.certifiedCoverage(clean: exactEstimates(cleanSmoothed), labels: test.labels, smoothing: smoothing,
                                                            confidence: 0.01, using: &third)
        var fourth = RandomStream(seed: 79)
        let underAttack = try model.predict(estimates: attacked, using: &fourth).coverage(labels: test.labels)
        #expect(certifiedCoverage.bound <= underAttack + (log(1e6) / (2 * 2000.0)).squareRoot(), "bound \(certifiedCoverage.bound) vs \(underAttack)")
        // Every variable's own worst-case coverage is high; the union bound over 12 (or 25)
        // variables with their estimation slack is what makes the overall bound small.
        #expect(certifiedCoverage.perVariable.allSatisfy { $0 > 0.9 }, "\(certifiedCoverage.perVariable)")
    }

    @Test func rejectsBadInput() throws {
        let predictor = try Self.predictor()
        var rng = RandomStream(seed: 1)
        let data = try SyntheticKnowledgeData(predictor: predictor, count: 50, using: &rng)
        let g = try SyntheticKnowledgeData.smoothed(data.inputs, sigma: 0.5)
        // A class decision of the GTSRB knowledge rests on at most V = 14 sensors (class 8 or 10:
        // 11 classes and 3 attributes share its components), so α_j = (0.1 − 14·0.0005)/12 =
        // 0.00775, which needs n ≥ 1/α_j − 1, i.e. 129 calibration points, not 50.
        #expect(predictor.sensorsPerDecision == 14)
        let error = #expect(throws: NumericsError.self) { try predictor.calibrate(estimates: g, labels: data.labels, using: &rng) }
        #expect(error?.description.contains("at least 129 samples") == true, "\(String(describing: error))")
        #expect(throws: NumericsError.self) { try predictor.calibrate(estimates: g, labels: Array(data.labels.dropFirst()), using: &rng) }
        #expect(throws: NumericsError.self) { try predictor.calibrate(estimates: g, labels: data.labels.map { _ in 12 }, using: &rng) }
        #expect(throws: NumericsError.self) {
            try COLEPPredictor(correction: predictor.correction, alpha: 0.01, smoothingFailure: 0.001)     // 14 sensors × 0.001 > 0.01
        }
        #expect(throws: NumericsError.self) { try COLEPPredictor(correction: predictor.correction, alpha: 1.5) }
    }
}

@Suite struct EvaluationTests {
    /// End to end on synthetic votes: both COLEP variants, the main model (nominal and at each
    /// COLEP variant's set size) and vanilla APS report their numbers, the certificate carries
    /// them, and the methods calibrated at α cover at least 1 − α (up to the stated sampling band).
    @Test func evaluationAndCertificate() throws {
        let predictor = try PipelineTests.predictor()
        let smoothing = try RandomizedSmoothing(sigma: 0.5, radius: 0.1)
        var rng = RandomStream(seed: 40)
        func split(_ count: Int) throws -> SensorSplit {
            let data = try SyntheticKnowledgeData(predictor: predictor, count: count, using: &rng)
            return SensorSplit(estimates: try SyntheticKnowledgeData.votes(data.inputs, sigma: 0.5, draws: 200, using: &rng), labels: data.labels)
        }
        let test = try split(1000)
        let evaluation = try COLEPEvaluation.run(predictor: predictor, smoothing: smoothing, calibration: split(800), test: test, using: &rng)
        // The public entry points size their boxes at the method's own α_cert and give the table's numbers.
        let main = evaluation.mainModels[0]
        #expect(main.smoothingFailure == predictor.smoothingFailure)
        #expect(try main.certifiedCoverage(clean: test.estimates, labels: test.labels, smoothing: smoothing).bound == evaluation.methods[2].certifiedCoverage)
        #expect(try main.certify(observed: test.estimates, smoothing: smoothing).meanSize == evaluation.methods[2].meanCertifiedSetSize)
        #expect(evaluation.methods.map(\.name) == ["COLEP (union)", "COLEP (class-conditional)", "RSCP+ (main model)",
                                                    "RSCP+ at COLEP (union) size", "RSCP+ at COLEP (class-conditional) size", "vanilla APS"])
        let band = (log(1e6) / 2000.0).squareRoot() + (log(1e6) / 1600.0).squareRoot()
        for method in evaluation.methods {
            if method.alpha == predictor.alpha { #expect(method.empiricalCoverageClean >= 0.9 - band, "\(method)") }
            if let size = method.meanCertifiedSetSize { #expect(size >= method.meanSetSize - 1e-12, "\(method)") }
        }
        #expect(evaluation.methods.last?.certifiedCoverage == nil)
        let certificate = evaluation.certificate(predictor: predictor, smoothing: smoothing, seed: 40)
        #expect(certificate.kind == "colep.certified-coverage")
        for key in ["certified_coverage", "empirical_coverage_clean", "mean_set_size", "mean_certified_set_size"] {
            #expect(certificate.results[key] != nil)
            #expect(certificate.results["methods"]?.objectValue?["RSCP+ (main model)"]?.objectValue?[key] != nil)
        }
        #expect(certificate.results["certified_coverage"]?.doubleValue == evaluation.colep.certifiedCoverage)
    }
}
