import Conformal
import Foundation
import ProbabilisticCircuits
import SuretyNumerics
import Testing
@testable import COLEP

/// Falsification of the certified-coverage numbers of every method in the comparison
/// (CLAIMS.md, `colep.certified-coverage`): "with probability ≥ 1 − ν over the test sample, the
/// method's standard sets cover the true class under every ℓ2 attack within ε for at least a
/// fraction `certified_coverage` of inputs".
///
/// The case is built so that the true worst-case coverage is known exactly: synthetic data with
/// linear threshold sensors (smoothing in closed form, `g_j = Φ(x_j/σ)`), knowledge share λ = 0
/// and no pruning, so that whether class y is kept depends on its own sensor only and grows with
/// its vote count; the worst attack then moves `x_y` by the full radius, and the class is kept
/// with probability `Σ_k Binom(k; N, Φ((x_y − ε)/σ))·kept_y(k/N)`. Averaged over the input
/// distribution by quadrature (no sampling error), that is each method's true coverage under
/// the worst attack. The hard parts of the assumptions are pushed: N = 30 votes (Monte-Carlo
/// error dominates), α_cert = 0.02 (a wrong reservation shows), a large radius (ε/σ = 0.5), a
/// small test split (m = 150) and ν = 0.2, so a valid bound may exceed the truth in at most a
/// fifth of the runs. Each method's exceedances over independent runs are checked by an exact
/// one-sided binomial test at false-alarm rate 10⁻⁶ per method.
@Suite struct CertifiedCoverageFalsificationTests {
    static let runs = 30, draws = 300, sigma = 0.5, radius = 0.25, margin = 1.0, classNoise = 0.8, nu = 0.2

    /// `p̄[k] = E_z Binom(k; N, Φ((margin + noise·z − ε)/σ))`: the vote distribution of a true
    /// class's sensor at the worst attacked input, averaged over the data (midpoint rule on
    /// z ∈ [−9, 9], 36 000 cells).
    static func attackedVoteDistribution() -> [Double] {
        let cells = 36_000, width = 18.0 / Double(cells)
        var p = [Double](repeating: 0, count: draws + 1)
        for cell in 0..<cells {
            let z = -9 + (Double(cell) + 0.5) * width
            let weight = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() * width
            let g = Normal.standard.cdf((margin + classNoise * z - radius) / sigma)
            for k in 0...draws {
                let logPmf = lgamma(Double(draws + 1)) - lgamma(Double(k + 1)) - lgamma(Double(draws - k + 1))
                    + (k == 0 ? 0 : Double(k) * log(g)) + (k == draws ? 0 : Double(draws - k) * log1p(-g))
                p[k] += weight * exp(logPmf)
            }
        }
        return p
    }

    @Test func everyMethodsCertifiedCoverageIsALowerBound() throws {
        let knowledge = try ReferenceKnowledge.gtsrb()
        let predictor = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge, circuitShare: 0), alpha: 0.2, score: .lac,
                                           smoothingFailure: 0.02)
        #expect(predictor.sensorsPerDecision == 1)
        let smoothing = try RandomizedSmoothing(sigma: Self.sigma, radius: Self.radius)
        let p = Self.attackedVoteDistribution()
        #expect(abs(p.reduce(0, +) - 1) < 1e-9)
        let classes = predictor.classes.count, variables = knowledge.variables.count
        // Row k: every sensor at k/N votes; at λ = 0 without pruning class c's membership in row k
        // is kept_c(k/N).
        let grid = try Matrix((0...Self.draws).map { k in [Double](repeating: Double(k) / Double(Self.draws), count: variables) })
        var rng = RandomStream(seed: 29)
        func split(_ count: Int) throws -> SensorSplit {
            let data = try SyntheticKnowledgeData(predictor: predictor, count: count, margin: Self.margin, classNoise: Self.classNoise, using: &rng)
            return SensorSplit(estimates: try SyntheticKnowledgeData.votes(data.inputs, sigma: Self.sigma, draws: Self.draws, using: &rng), labels: data.labels)
        }
        var exceedances: [String: Int] = [:], bounds: [String: Double] = [:], truths: [String: Double] = [:]
        for _ in 0..<Self.runs {
            let evaluation = try COLEPEvaluation.run(predictor: predictor, smoothing: smoothing, calibration: split(400), test: split(150),
                                                     confidence: Self.nu, using: &rng)
            var keptSets = try evaluation.colepModels.map { try $0.predict(estimates: grid, using: &rng) }
            keptSets += evaluation.mainModels.map { $0.predict(estimates: grid) }
            let certified = evaluation.methods.filter { $0.certifiedCoverage != nil }
            #expect(certified.count == keptSets.count)
            for (method, kept) in zip(certified, keptSets) {
                var truth = 0.0
                for c in 0..<classes {
                    for k in 0...Self.draws where kept.contains(sample: k, class: c) { truth += p[k] / Double(classes) }
                }
                let bound = method.certifiedCoverage!
                if bound > truth { exceedances[method.name, default: 0] += 1 }
                bounds[method.name, default: 0] += bound / Double(Self.runs)
                truths[method.name, default: 0] += truth / Double(Self.runs)
            }
        }
        for name in bounds.keys.sorted() {
            let k = exceedances[name] ?? 0
            #expect(try !ExactBinomialTest.refutesAtMost(rate: Self.nu, events: k, trials: Self.runs, falseAlarm: 1e-6),
                    "\(name): certified coverage above the true worst-case coverage in \(k) of \(Self.runs) runs")
            // Not vacuous: the mean bound must carry information (measured values in the message).
            #expect(bounds[name]! > 0.3, "\(name): mean bound \(bounds[name]!) vs mean truth \(truths[name]!)")
            print("\(name): mean certified \(bounds[name]!), mean true worst-case coverage \(truths[name]!), exceedances \(k) of \(Self.runs)")
        }
    }
}
