import Foundation
import SuretyNumerics

/// Linear sensors trained with Gaussian noise augmentation, and their Monte-Carlo smoothing:
/// the learning component of a COLEP example, small enough to train in seconds on BLAS.
///
/// The main model is a softmax regression over the classes; each concept has a logistic
/// regression. Training is full-batch gradient descent on the cross-entropy (plus a small
/// ℓ2 penalty), every epoch on a fresh noisy copy `x + N(0, σ²I)` of the training inputs, so
/// that the smoothed sensors are accurate (Cohen et al. 2019; the COLEP code trains its
/// sensors the same way). The step is `1/L` with `L` the loss's smoothness constant from the
/// largest singular value of the inputs.
public struct NoisyLinearSensors: Sendable {
    /// `(d + 1) × classes` (last row: bias).
    public let classWeights: Matrix
    /// `(d + 1) × concepts`.
    public let conceptWeights: Matrix
    /// The noise level the sensors were trained for (and are smoothed with).
    public let sigma: Double

    /// Trains the sensors.
    ///
    /// - Parameters:
    ///   - features: `n × d` inputs.
    ///   - labels: classes `0..<classes`.
    ///   - conceptTruth: `classes × concepts` table: 1 when the class has the concept.
    /// - Throws: `NumericsError` for mismatched sizes or `σ < 0`.
    public static func train(features: Matrix, labels: [Int], classes: Int, conceptTruth: [[Int]], sigma: Double,
                             epochs: Int = 300, l2: Double = 1e-4, using generator: inout some RandomNumberGenerator) throws -> NoisyLinearSensors {
        let n = features.rows, d = features.columns
        guard labels.count == n, n > 0 else {
            throw NumericsError.dimensionMismatch(operation: "sensor training", seen: "\(labels.count) labels for \(n) samples", expected: "one per sample")
        }
        guard sigma >= 0, sigma.isFinite else {
            throw NumericsError.domain(function: "sensor training", value: "σ = \(sigma)", expected: "σ ≥ 0")
        }
        let concepts = conceptTruth.first?.count ?? 0
        var oneHot = Matrix(rows: n, columns: classes), conceptTargets = Matrix(rows: n, columns: concepts)
        for i in 0..<n {
            oneHot[i, labels[i]] = 1
            for l in 0..<concepts { conceptTargets[i, l] = Double(conceptTruth[labels[i]][l]) }
        }
        // Smoothness: cross-entropy Hessians are at most ½ (softmax) and ¼ (logistic) times
        // E[x xᵀ] ≤ ‖X‖²/n + σ², with the bias column included.
        let clean = try withBias(features)
        let spread = pow(try clean.operatorNorm(), 2) / Double(n) + sigma * sigma
        var wc = Matrix(rows: d + 1, columns: classes), wl = Matrix(rows: d + 1, columns: concepts)
        for _ in 0..<epochs {
            let x = try withBias(features, noise: sigma, using: &generator)
            let pc = softmaxRows(x * wc)
            let gc = try x.multiplied(by: pc - oneHot, transposeSelf: .transposed, alpha: 1 / Double(n))
            wc = wc - (1 / (0.5 * spread + l2)) * (gc + l2 * wc)
            if concepts > 0 {
                let pl = try Self.sigmoid(x * wl)
                let gl = try x.multiplied(by: pl - conceptTargets, transposeSelf: .transposed, alpha: 1 / Double(n))
                wl = wl - (1 / (0.25 * spread + l2)) * (gl + l2 * wl)
            }
        }
        return NoisyLinearSensors(classWeights: wc, conceptWeights: wl, sigma: sigma)
    }

    /// The class probabilities (softmax) and concept probabilities of clean inputs.
    public func probabilities(_ features: Matrix) throws -> (classes: Matrix, concepts: Matrix) {
        let x = try Self.withBias(features)
        return (Self.softmaxRows(x * classWeights), try Self.sigmoid(x * conceptWeights))
    }

    /// Hard-vote smoothing: for every input, `draws` noisy copies `x + N(0, σ²I)`; class
    /// sensor `c` counts the copies the main model assigns to `c` (ties to the lower index),
    /// concept sensor `l` the copies its logistic model calls positive.
    ///
    /// - Returns: per input, one `.votes` estimate per variable, in the order `variables`
    ///   gives: `.class(c)` or `.concept(l)` for each knowledge-base variable.
    public func votes(_ features: Matrix, draws: Int, variables: [SensorRole],
                      using generator: inout some RandomNumberGenerator) throws -> [[SmoothingEstimate]] {
        guard draws >= 1 else {
            throw NumericsError.domain(function: "sensor smoothing", value: "\(draws) draws", expected: "N ≥ 1")
        }
        let d = features.columns, classes = classWeights.columns, concepts = conceptWeights.columns
        let weights = try Matrix(rows: d + 1, columns: classes + concepts, columnMajor: classWeights.storage + conceptWeights.storage)
        var out: [[SmoothingEstimate]] = []
        out.reserveCapacity(features.rows)
        var copies = Matrix(rows: draws, columns: d + 1)
        for i in 0..<features.rows {
            for j in 0..<d {
                let x = features[i, j]
                for r in 0..<draws { copies[r, j] = x + sigma * Normal.standard.sample(using: &generator) }
            }
            for r in 0..<draws { copies[r, d] = 1 }
            let logits = copies * weights
            var classVotes = [Int](repeating: 0, count: classes), conceptVotes = [Int](repeating: 0, count: concepts)
            for r in 0..<draws {
                var best = 0
                for c in 1..<classes where logits[r, c] > logits[r, best] { best = c }
                classVotes[best] += 1
                for l in 0..<concepts where logits[r, classes + l] > 0 { conceptVotes[l] += 1 }
            }
            out.append(variables.map { role in
                switch role {
                case .class(let c): return .votes(count: classVotes[c], draws: draws)
                case .concept(let l): return .votes(count: conceptVotes[l], draws: draws)
                }
            })
        }
        return out
    }

    /// Which sensor feeds a knowledge-base variable.
    public enum SensorRole: Sendable, Hashable {
        case `class`(Int)
        case concept(Int)
    }

    /// `[X, 1]`, with `N(0, σ²)` noise added to `X` when `noise > 0`.
    static func withBias(_ x: Matrix, noise: Double = 0, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        var out = Matrix(rows: x.rows, columns: x.columns + 1, repeating: 1)
        for j in 0..<x.columns {
            for i in 0..<x.rows { out[i, j] = x[i, j] + (noise > 0 ? noise * Normal.standard.sample(using: &generator) : 0) }
        }
        return out
    }

    static func withBias(_ x: Matrix) throws -> Matrix {
        var none = RandomStream(seed: 0)
        return try withBias(x, noise: 0, using: &none)
    }

    static func sigmoid(_ logits: Matrix) throws -> Matrix {
        try Matrix(rows: logits.rows, columns: logits.columns, columnMajor: logits.storage.map { 1 / (1 + exp(-$0)) })
    }

    static func softmaxRows(_ logits: Matrix) -> Matrix {
        var p = logits
        for i in 0..<logits.rows {
            var m = -Double.infinity
            for c in 0..<logits.columns { m = max(m, logits[i, c]) }
            var total = 0.0
            for c in 0..<logits.columns {
                let e = exp(logits[i, c] - m)
                p[i, c] = e
                total += e
            }
            for c in 0..<logits.columns { p[i, c] /= total }
        }
        return p
    }
}
