import Foundation
import SuretyNumerics

/// The comparison of spec dpp-least-squares.md §B.6–B.7: i.i.d. optimal sampling, repeated
/// projection DPPs and volume-rescaled sampling, for `n = m, 2m, …`, on a target with a known
/// projection. Errors are exact: `‖f − f̂‖² = e_m² + ‖c − ĉ‖²` (Pythagoras), with the
/// projection coefficients `c` and `e_m² = ‖f‖² − ‖c‖²` computed once by Gauss quadrature.
public struct LeastSquaresExperiment: Sendable {
    public let space: PolynomialSpace
    public let target: @Sendable ([Double]) -> Double
    /// `c_j = ⟨f, φ_j⟩`.
    public let projection: [Double]
    /// `e_m(f)²`.
    public let bestError2: Double

    /// - Parameter quadraturePoints: Gauss points per coordinate for `c` and `‖f‖`.
    public init(space: PolynomialSpace, quadraturePoints: Int = 400, target: @escaping @Sendable ([Double]) -> Double) throws {
        self.space = space
        self.target = target
        // Gauss–Legendre weights sum to 2: halve them for the probability measure dx/2.
        let rule = space.family == .legendre ? try GaussLegendre.rule(points: quadraturePoints)
                                             : try OrthogonalPolynomialFamily.hermite.gaussQuadrature(points: min(quadraturePoints, 150))
        let scale = space.family == .legendre ? 0.5 : 1.0
        var c = [Double](repeating: 0, count: space.count), norm2 = 0.0
        var index = [Int](repeating: 0, count: space.dimension)
        let q = rule.nodes.count
        while true {
            let x = index.map { rule.nodes[$0] }, w = index.reduce(1.0) { $0 * rule.weights[$1] * scale }
            let f = target(x), phi = space.features(x)
            norm2 += w * f * f
            for j in c.indices { c[j] += w * f * phi[j] }
            var k = 0
            while k < index.count {
                index[k] += 1
                if index[k] < q { break }
                index[k] = 0
                k += 1
            }
            if k == index.count { break }
        }
        projection = c
        bestError2 = max(0, norm2 - c.reduce(0) { $0 + $1 * $1 })
    }

    /// One row of the comparison: for a design, over `trials` draws.
    public struct Row: Sendable {
        public var design: String
        public var n: Int
        /// P(‖G − I‖ ≤ ½).
        public var stableFraction: Double
        /// Quantiles of `‖f − f̂‖/e_m` and the mean of `‖f − f̂‖²/e_m²`.
        public var medianRatio: Double
        public var q90Ratio: Double
        public var meanSquaredRatio: Double
    }

    /// Runs `design` `trials` times.
    public func run(_ design: SamplingDesign, trials: Int, using rng: inout some RandomNumberGenerator) throws -> Row {
        var ratios: [Double] = [], stable = 0
        for _ in 0..<trials {
            let points = try design.draw(space, using: &rng)
            let fit = try WeightedLeastSquares.fit(space: space, points: points, values: points.map(target))
            if fit.gramDeviation <= 0.5 { stable += 1 }
            let error2 = bestError2 + zip(fit.coefficients, projection).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            ratios.append(error2 / bestError2)
        }
        let sorted = ratios.sorted()
        let name: String
        switch design {
        case .iid: name = "i.i.d. ρ_m"
        case .dpp, .dppRepeat: name = "DPP repetitions"
        case .volumeRescaled: name = "volume-rescaled"
        }
        return Row(design: name, n: design.size(m: space.count), stableFraction: Double(stable) / Double(trials),
                   medianRatio: sorted[sorted.count / 2].squareRoot(), q90Ratio: sorted[Int(0.9 * Double(sorted.count - 1))].squareRoot(),
                   meanSquaredRatio: ratios.reduce(0, +) / Double(trials))
    }
}
