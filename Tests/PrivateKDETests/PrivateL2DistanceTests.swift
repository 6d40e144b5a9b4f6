import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateL2DistanceTests {
    /// Without noise the embedded estimate is within the ring bias (α), the embedding's error
    /// and the leaf snapping of the true Euclidean sum.
    @Test func embeddingEstimate() throws {
        var data = RandomStream(seed: 11), projection = RandomStream(seed: 12), noise = RandomStream(seed: 13)
        let n = 300, d = 5, k = 128
        let points = try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in Normal.standard.sample(using: &data) })
        let bound = PrivateL2Distance.coordinateBound(radius: 6, maxPoints: 1000, projectionDimension: k, failureProbability: 1e-3)
        let structure = try PrivateL2Distance.build(points: points, projectionDimension: k, coordinateBound: bound, levels: 10, epsilon: 1e9,
                                                    alpha: 0.05, projectionGenerator: &projection, noiseGenerator: &noise)
        for y in [[0.0, 0, 0, 0, 0], [1, -2, 0.5, 0, 3]] {
            var truth = 0.0
            for i in 0..<n { truth += (0..<d).reduce(0.0) { $0 + pow(points[i, $1] - y[$1], 2) }.squareRoot() }
            let estimate = try structure.sum(at: y).estimate
            // Rings under-estimate by ≤ α = 0.05; the embedding's relative error per distance has
            // sd ≈ 0.76/√k (z = 4.89, false alarm 1e-6, ignoring averaging over points — conservative);
            // snapping ≤ n·(2B/2^L)·√(π/2).
            let slack = 0.05 * truth + 4.89 * 0.76 / (Double(k)).squareRoot() * truth + Double(n) * 2 * bound / 1024 * (Double.pi / 2).squareRoot()
            #expect(abs(estimate - truth) < slack, "\(estimate) vs \(truth)")
        }
        #expect(throws: Error.self) { try structure.sum(at: [1, 2]) }
    }
}
