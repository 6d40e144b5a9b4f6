import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivatePrefixL1DistanceTests {
    /// Without noise the estimate is within the leaf snapping (n·w per coordinate), inside and
    /// outside the domain; with noise, over 300 builds, the error has mean ≈ that bias and the
    /// predicted spread (bands at false-alarm 1e-6).
    @Test func snappingBoundAndNoiseSpread() throws {
        var rng = RandomStream(seed: 4)
        let n = 1000
        let points = try Matrix(rows: n, columns: 2, columnMajor: (0..<(2 * n)).map { _ in 3 * rng.nextUniform() - 1 })
        let domains = try [PublicInterval(-1, 2), PublicInterval(-1, 2)]
        let quiet = try PrivatePrefixL1Distance.build(points: points, domains: domains, levels: 10, epsilon: 1e9, using: &rng)
        let w = 3.0 / 1024
        for y in [[0.0, 0.0], [1.7, -0.4], [-3, 5], [2, 2]] {
            var truth = 0.0
            for i in 0..<n { truth += abs(points[i, 0] - y[0]) + abs(points[i, 1] - y[1]) }
            let answer = try quiet.sum(at: y)
            #expect(abs(answer.estimate - truth) <= 2 * Double(n) * w, "y \(y): \(answer.estimate) vs \(truth)")
        }
        let y = [0.4, 1.1]
        let reference = try quiet.sum(at: y).estimate
        var errors: [Double] = [], predicted = 0.0
        for _ in 0..<300 {
            let noisy = try PrivatePrefixL1Distance.build(points: points, domains: domains, levels: 10, epsilon: 1, using: &rng)
            let answer = try noisy.sum(at: y)
            errors.append(answer.estimate - reference)
            predicted = answer.noiseStandardDeviation
        }
        let mean = errors.reduce(0, +) / 300
        let sd = (errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 299).squareRoot()
        #expect(abs(mean) < 4.89 * predicted / (300.0).squareRoot() + 1e-6 * abs(reference))
        #expect(abs(sd / predicted - 1) < 4.89 * (5.0 / 1200).squareRoot(), "sd \(sd) vs predicted \(predicted)")
    }
}
