import ProbabilisticCircuits
import SuretyNumerics

/// Synthetic COLEP data with exact smoothing in closed form (spec §7), for tests and
/// experiments.
///
/// Every variable `j` of the knowledge base (class or concept) has its own input coordinate:
/// `x_j = (t_j ? +margin : −margin) + noise·z_j`, `z_j ~ N(0, 1)`, where `t_j` is the variable's
/// truth for the sample's class (concept truths follow the `class ⇒ concept` rules). Sensor
/// `j` is the linear threshold `f_j(x) = 𝟙[x_j > 0]`, so under smoothing noise `N(0, σ²I)`
/// its smoothed probability is exactly `g_j(x) = Φ(x_j / σ)`, and the worst ℓ2 attack of
/// radius `r` moves it to `Φ((x_j ∓ r)/σ)` — the randomized-smoothing bound is tight. Classes
/// are drawn uniformly; `classNoise` and `conceptNoise` set how often the class and concept
/// sensors err (a weak main model beside strong concept sensors is where knowledge helps).
public struct SyntheticKnowledgeData: Sendable {
    /// Class labels, `0..<classes`.
    public var labels: [Int]
    /// Samples × variables inputs.
    public var inputs: Matrix

    public init(predictor: COLEPPredictor, count: Int, margin: Double = 1, classNoise: Double = 0.8, conceptNoise: Double = 0.8,
                using generator: inout some RandomNumberGenerator) throws {
        let variables = predictor.knowledge.variables.count, classes = predictor.classes.count
        labels = (0..<count).map { _ in Int(generator.next() % UInt64(classes)) }
        var x = [Double](repeating: 0, count: count * variables)
        for v in 0..<variables {
            let noise = predictor.knowledge.variables[v].role == .class ? classNoise : conceptNoise
            for i in 0..<count {
                let truth = predictor.truth(of: v, forClass: labels[i]) == 1
                x[v * count + i] = (truth ? margin : -margin) + noise * Normal.standard.sample(using: &generator)
            }
        }
        inputs = try Matrix(rows: count, columns: variables, columnMajor: x)
    }

    /// The exact smoothed probabilities `Φ(x_j/σ)` of (possibly shifted) inputs.
    public static func smoothed(_ inputs: Matrix, sigma: Double) throws -> Matrix {
        try Matrix(rows: inputs.rows, columns: inputs.columns, columnMajor: inputs.storage.map { Normal.standard.cdf($0 / sigma) })
    }

    /// Monte-Carlo votes: for each sample and sensor, the count of `draws` noisy copies on
    /// which the sensor says yes (`Binomial(draws, g_j(x))`, sampled exactly).
    public static func votes(_ inputs: Matrix, sigma: Double, draws: Int,
                             using generator: inout some RandomNumberGenerator) throws -> [[SmoothingEstimate]] {
        guard draws >= 1 else {
            throw NumericsError.domain(function: "synthetic votes", value: "\(draws) draws", expected: "N ≥ 1")
        }
        let g = try smoothed(inputs, sigma: sigma)
        return (0..<inputs.rows).map { i in
            (0..<inputs.columns).map { v in
                .votes(count: Binomial(trials: draws, probability: g[i, v]).sample(using: &generator), draws: draws)
            }
        }
    }

    /// An adversarial copy: every sample moved by `radius` in ℓ2 against its true class —
    /// the direction that lowers the true class's and its concepts' coordinates and raises the
    /// others' (a unit vector `−sign(t)·1/√V` scaled by the radius). Not the worst case: with
    /// `λ = 0` the worst attack puts the whole radius on the true class's own coordinate, and
    /// with `λ > 0` raising the other classes can raise the true class's corrected probability;
    /// coverage measured under it can overstate the worst-case coverage.
    public func attacked(radius: Double, predictor: COLEPPredictor) throws -> Matrix {
        let variables = inputs.columns, n = inputs.rows
        let step = radius / Double(variables).squareRoot()
        var x = inputs.storage
        for v in 0..<variables {
            for i in 0..<n { x[v * n + i] += predictor.truth(of: v, forClass: labels[i]) == 1 ? -step : step }
        }
        return try Matrix(rows: n, columns: variables, columnMajor: x)
    }
}
