import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateSquaredL2DistanceTests {
    /// Exact without noise (up to the 2⁻²⁰ rounding); with noise, unbiased with the predicted
    /// spread over 2000 releases (bands at false-alarm 1e-6).
    @Test func exactAndUnbiased() throws {
        var rng = RandomStream(seed: 21)
        let n = 200, d = 3
        let points = try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in 2 * rng.nextUniform() - 1 })
        let domains = try [PublicInterval](repeating: PublicInterval(-1, 1), count: d)
        let y = [0.3, -0.2, 0.9]
        var truth = 0.0
        for i in 0..<n { truth += (0..<d).reduce(0.0) { $0 + pow(points[i, $1] - y[$1], 2) } }
        let quiet = try PrivateSquaredL2Distance.build(points: points, domains: domains, epsilon: 1e9, using: &rng)
        #expect(abs(try quiet.sum(at: y).estimate - truth) < 1e-3)
        var errors: [Double] = [], predicted = 0.0
        for _ in 0..<2000 {
            let release = try PrivateSquaredL2Distance.build(points: points, domains: domains, epsilon: 1, using: &rng)
            let answer = try release.sum(at: y)
            errors.append(answer.estimate - truth)
            predicted = answer.noiseStandardDeviation
        }
        let mean = errors.reduce(0, +) / 2000
        let sd = (errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1999).squareRoot()
        #expect(abs(mean) < 4.89 * predicted / (2000.0).squareRoot() + 1e-3)
        #expect(abs(sd / predicted - 1) < 4.89 * (5.0 / 8000).squareRoot(), "sd \(sd) vs predicted \(predicted)")
        #expect(throws: NumericsError.self) { try PrivateSquaredL2Distance.build(points: points, domains: domains, epsilon: 0, using: &rng) }
        #expect(throws: NumericsError.self) { try quiet.sum(at: [1, 2]) }
    }
}
