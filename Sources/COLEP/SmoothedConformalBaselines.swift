import Conformal
import SuretyNumerics

/// The numbers every method reports (spec §4.4; issue #4): clean coverage and set size of the
/// standard sets, mean size of the certified sets, and the certified worst-case coverage.
/// `nil` where a method certifies nothing.
public struct MethodSummary: Sendable, Hashable {
    public var name: String
    public var certifiedCoverage: Double?
    public var empiricalCoverageClean: Double
    public var meanSetSize: Double
    public var meanCertifiedSetSize: Double?
}

/// Baselines computed from the main model's smoothed class probabilities `ĝ_y(x)` (the class
/// columns of the sensor estimates), with the LAC base score `1 − g_y`, whose smoothing is
/// exact from smoothed probabilities (`E[1 − f_y(x + ε)] = 1 − g_y(x)`).
///
/// * **Vanilla split conformal**: randomized APS on the normalized class probabilities; no
///   robustness claim.
/// * **RSCP** (Gendler, Weng, Daniel, Romano, ICLR 2022): `S̃ = Φ⁻¹(1 − ĝ_y)`, threshold the
///   `⌈(n+1)(1−α)⌉`-th smallest calibration `S̃`, certified set `{y : S̃(x̃, y) − r/σ ≤ τ}`.
///   Treats the Monte-Carlo estimate as exact, so its guarantee is only nominal.
/// * **RSCP+** (Yan, Romano, Weng, ICLR 2024): the Monte-Carlo-corrected version: calibrate
///   `Ŝ = 1 − ĝ_y` at level `α − 2β`, include `y` when
///   `Φ⁻¹(Ŝ(x̃, y) − b) − r/σ ≤ Φ⁻¹(τ + b)` with the one-sided Hoeffding radius `b` of `N`
///   draws at `β`; coverage `≥ 1 − α`.
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
                               using generator: inout some RandomNumberGenerator) throws -> MethodSummary {
        let model = try SplitConformalClassifier(score: .aps(randomized: true), alpha: alpha)
            .calibrate(probabilities: normalized(classBlock(calibration, classes: classes)), labels: calibrationLabels, using: &generator)
        let sets = try model.predict(probabilities: normalized(classBlock(test, classes: classes)), using: &generator)
        let metrics = CoverageMetrics(sets: sets, labels: testLabels, alpha: alpha)
        return MethodSummary(name: "vanilla APS", certifiedCoverage: nil, empiricalCoverageClean: metrics.coverage,
                             meanSetSize: metrics.meanSetSize, meanCertifiedSetSize: nil)
    }

    /// RSCP (`draws == nil`) or RSCP+ (`draws` = the Monte-Carlo sample size `N`, with
    /// `beta` its failure probability).
    ///
    /// The certified coverage reported is the fraction of test points whose true class stays
    /// in the standard set under every attack within the radius (from their clean estimates),
    /// minus a one-sided Hoeffding term at confidence `1 − confidence` — the same kind of
    /// statement as COLEP's ``CertifiedCoverage``.
    public static func rscp(calibration: Matrix, calibrationLabels: [Int], test: Matrix, testLabels: [Int], classes: [Int], alpha: Double,
                            smoothing: RandomizedSmoothing, draws: Int? = nil, beta: Double = 0.001,
                            confidence: Double = 0.01) throws -> MethodSummary {
        let normal = Normal.standard
        let cal = try classBlock(calibration, classes: classes), tst = try classBlock(test, classes: classes)
        let shift = smoothing.radius / smoothing.sigma
        let b = try draws.map { try ConcentrationBounds.hoeffdingRadius(sampleSize: $0, failureProbability: beta, tails: .one) } ?? 0
        let level = draws == nil ? alpha : alpha - 2 * beta
        guard level > 0 else {
            throw NumericsError.domain(function: "RSCP+", value: "α = \(alpha), β = \(beta)", expected: "α > 2β")
        }
        // Scores in probability space; RSCP compares in probit space, which is monotone, so the
        // threshold is the same order statistic either way.
        let calibrationScores = calibrationLabels.indices.map { 1 - cal[$0, calibrationLabels[$0]] }
        let tau = try ConformalThreshold.threshold(scores: calibrationScores, alpha: level)
        let probitTau = normal.quantile(min(1, tau + b))
        var covered = 0, size = 0, certifiedSize = 0, worstCovered = 0
        for i in 0..<tst.rows {
            for c in 0..<classes.count {
                let s = 1 - tst[i, c]
                let kept = s <= tau
                let certified = normal.quantile(max(0, s - b)) - shift <= probitTau
                if kept { size += 1 }
                if certified { certifiedSize += 1 }
                if c == testLabels[i] {
                    if kept { covered += 1 }
                    // Worst case within the radius: the score's probit can rise by r/σ (plus b for
                    // the Monte-Carlo error), and the true class must still be kept.
                    if normal.quantile(min(1, s + b)) + shift <= normal.quantile(tau) { worstCovered += 1 }
                }
            }
        }
        let m = Double(tst.rows)
        let slack = try ConcentrationBounds.hoeffdingRadius(sampleSize: tst.rows, failureProbability: confidence, tails: .one)
        return MethodSummary(name: draws == nil ? "RSCP" : "RSCP+", certifiedCoverage: max(0, Double(worstCovered) / m - slack),
                             empiricalCoverageClean: Double(covered) / m, meanSetSize: Double(size) / m,
                             meanCertifiedSetSize: Double(certifiedSize) / m)
    }
}
