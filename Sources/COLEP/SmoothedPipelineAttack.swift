import Foundation
import SuretyNumerics

/// An ℓ2 PGD attack on the smoothed COLEP pipeline of ``NoisyLinearSensors``: it pushes the
/// true class's knowledge-corrected probability down, which is what removes the class from
/// the standard set (for LAC, class `y` leaves the set when `π_y < 1 − q̂_y`).
///
/// The objective is `π_y(x̃)`, the corrected probability computed from the sensors'
/// *smoothed* probabilities at the attacked input. Its gradient is taken through the
/// expectation over the smoothing noise and through the circuits:
/// - a concept sensor's hard-vote smoothing is exact for a linear model,
///   `g_l(x) = Φ((w_l·x + b_l)/(σ‖w_l‖))`, and so is its gradient;
/// - a class sensor's hard-vote smoothing (the main model's argmax) has no closed form; its
///   gradient is replaced by that of the soft smoothing `E[softmax(W(x + ε))_c]`, estimated on
///   `gradientDraws` noise draws (BPDA: a differentiable surrogate for the backward pass);
/// - the circuits' sensitivities `∂π_y/∂g_j` are central finite differences (the circuits are
///   smooth functions of their inputs).
/// Each step moves by `2r/steps` along the normalized gradient and projects back onto the
/// ℓ2 ball of radius `r` around the clean input (20 steps, as in the paper).
public struct SmoothedPipelineAttack: Sendable {
    public var radius: Double
    public var steps: Int
    public var gradientDraws: Int

    public init(radius: Double, steps: Int = 20, gradientDraws: Int = 64) {
        self.radius = radius
        self.steps = steps
        self.gradientDraws = gradientDraws
    }

    /// The attacked inputs (rows × d), each within `radius` of its clean row. `progress` is
    /// called after each input (for a progress bar).
    public func attack(_ features: Matrix, labels: [Int], sensors: NoisyLinearSensors, predictor: COLEPPredictor,
                       roles: [NoisyLinearSensors.SensorRole], progress: () -> Void = {},
                       using generator: inout some RandomNumberGenerator) throws -> Matrix {
        let d = features.columns, classes = sensors.classWeights.columns, concepts = sensors.conceptWeights.columns
        let sigma = sensors.sigma
        var attacked = features
        let conceptNorms = (0..<concepts).map { l in (0..<d).reduce(0.0) { $0 + pow(sensors.conceptWeights[$1, l], 2) }.squareRoot() }
        for i in 0..<features.rows {
            let y = predictor.classes[labels[i]]
            var x = (0..<d).map { features[i, $0] }
            let clean = x
            for _ in 0..<steps {
                // Smoothed sensor probabilities at x and their input gradients.
                var g = [Double](repeating: 0, count: roles.count)
                var grad = [[Double]](repeating: [Double](repeating: 0, count: d), count: roles.count)
                // Class sensors: soft smoothing by Monte-Carlo, with its gradient.
                var softmaxMean = [Double](repeating: 0, count: classes)
                var softmaxGrad = [[Double]](repeating: [Double](repeating: 0, count: d), count: classes)
                for _ in 0..<gradientDraws {
                    let noisy = x.map { $0 + sigma * Normal.standard.sample(using: &generator) }
                    var logits = (0..<classes).map { c in sensors.classWeights[d, c] + (0..<d).reduce(0.0) { $0 + noisy[$1] * sensors.classWeights[$1, c] } }
                    let m = logits.max()!
                    logits = logits.map { exp($0 - m) }
                    let total = logits.reduce(0, +)
                    let p = logits.map { $0 / total }
                    for c in 0..<classes {
                        softmaxMean[c] += p[c] / Double(gradientDraws)
                        // ∂p_c/∂x = p_c (w_c − Σ_k p_k w_k)
                        for j in 0..<d {
                            var mix = 0.0
                            for k in 0..<classes { mix += p[k] * sensors.classWeights[j, k] }
                            softmaxGrad[c][j] += p[c] * (sensors.classWeights[j, c] - mix) / Double(gradientDraws)
                        }
                    }
                }
                for (v, role) in roles.enumerated() {
                    switch role {
                    case .class(let c):
                        g[v] = softmaxMean[c]
                        grad[v] = softmaxGrad[c]
                    case .concept(let l):
                        let z = (sensors.conceptWeights[d, l] + (0..<d).reduce(0.0) { $0 + x[$1] * sensors.conceptWeights[$1, l] }) / (sigma * conceptNorms[l])
                        g[v] = Normal.standard.cdf(z)
                        let density = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
                        grad[v] = (0..<d).map { density * sensors.conceptWeights[$0, l] / (sigma * conceptNorms[l]) }
                    }
                }
                // ∂π_y/∂g_j through the correction, by central differences.
                let h = 1e-5
                var rowsPlus: [[Double]] = [], rowsMinus: [[Double]] = []
                for j in roles.indices {
                    var up = g, down = g
                    up[j] = min(1, g[j] + h)
                    down[j] = max(0, g[j] - h)
                    rowsPlus.append(up)
                    rowsMinus.append(down)
                }
                let plus = try predictor.correction.correct(Matrix(rowsPlus)), minus = try predictor.correction.correct(Matrix(rowsMinus))
                var direction = [Double](repeating: 0, count: d)
                for j in roles.indices {
                    let width = rowsPlus[j][j] - rowsMinus[j][j]
                    guard width > 0 else { continue }
                    let sensitivity = (plus[j, y] - minus[j, y]) / width
                    for k in 0..<d { direction[k] += sensitivity * grad[j][k] }
                }
                let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { break }
                // Descend on π_y, then project onto the ball around the clean input.
                let step = 2 * radius / Double(steps)
                for k in 0..<d { x[k] -= step * direction[k] / norm }
                let shift = (0..<d).map { x[$0] - clean[$0] }
                let length = shift.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if length > radius { for k in 0..<d { x[k] = clean[k] + shift[k] * radius / length } }
            }
            for k in 0..<d { attacked[i, k] = x[k] }
            progress()
        }
        return attacked
    }
}
