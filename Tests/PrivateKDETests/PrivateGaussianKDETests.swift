import Foundation
import SuretyData
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateGaussianKDETests {
    static func data(_ n: Int, _ d: Int, seed: UInt64) throws -> Matrix {
        var rng = RandomStream(seed: seed)
        return try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in Normal.standard.sample(using: &rng) })
    }

    /// The spec's worked number (§2.10): m = 1000, ε = 1, n = 10 000 — the noise on the
    /// average is at most 2b/√m/n ≈ 0.0089 with b = √2·m/ε (|φ| ≤ √2), about 0.0063 for a
    /// typical query (E φ² = 1); the count share moves it slightly.
    @Test func specNoiseLevel() throws {
        let points = try Self.data(10_000, 3, seed: 1)
        var parameters = RandomStream(seed: 2), noise = RandomStream(seed: 3)
        let kde = try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 1000, epsilon: 1, relation: .replaceOne,
                                               parameterGenerator: &parameters, noiseGenerator: &noise)
        let answers = try kde.sums(at: Self.data(20, 3, seed: 4))
        for answer in answers {
            let onAverage = answer.noiseStandardDeviation / 10_000
            // replace-one doubles the sensitivity: twice the add/remove figures.
            #expect(onAverage <= 2 * 0.0089 * 1.001, "\(onAverage)")
            #expect(onAverage > 2 * 0.0045)
        }
    }

    /// Without noise (ε huge) the estimate approaches the exact kernel sum up to the random
    /// features' error (≈ n/√m); the privacy noise has the predicted spread over repeated builds.
    @Test func accuracyAndNoiseSpread() throws {
        let points = try Self.data(400, 2, seed: 5), queries = try Self.data(5, 2, seed: 6)
        var exact = [Double](repeating: 0, count: 5)
        for q in 0..<5 { for i in 0..<400 { exact[q] += exp(-(pow(points[i, 0] - queries[q, 0], 2) + pow(points[i, 1] - queries[q, 1], 2))) } }
        var parameters = RandomStream(seed: 7), noise = RandomStream(seed: 8)
        let quiet = try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 4000, epsilon: 1e9,
                                                 parameterGenerator: &parameters, noiseGenerator: &noise)
        for (answer, truth) in zip(try quiet.sums(at: queries), exact) {
            // RFF error: std ≤ √2·n/√m per query; z = 4.89 (false alarm 1e-6).
            #expect(abs(answer.estimate - truth) < 4.89 * 2.0.squareRoot() * 400 / (4000.0).squareRoot(), "\(answer.estimate) vs \(truth)")
        }
        // Noise spread: same public features (same parameter seed), fresh noise, 400 builds.
        var errors: [Double] = [], predicted = 0.0
        for k in 0..<400 {
            var p = RandomStream(seed: 9), z = RandomStream(seed: 100 + UInt64(k))
            let kde = try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 50, epsilon: 1,
                                                   parameterGenerator: &p, noiseGenerator: &z)
            let answer = try kde.sums(at: queries)[0]
            errors.append(answer.estimate)
            predicted = answer.noiseStandardDeviation
        }
        let mean = errors.reduce(0, +) / 400
        let sd = (errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 399).squareRoot()
        // Relative standard error of a sample sd with n = 400 is about √(1/(2n))·(1 + κ/2)…; allow
        // z = 4.89 times √(5/(4n)) (Laplace-like kurtosis).
        #expect(abs(sd / predicted - 1) < 4.89 * (5.0 / 1600).squareRoot(), "sd \(sd) vs predicted \(predicted)")
    }

    @Test func rejectsBadInput() throws {
        var a = RandomStream(seed: 1), b = RandomStream(seed: 2)
        let points = try Self.data(10, 2, seed: 1)
        #expect(throws: NumericsError.self) { try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 10, epsilon: 0, parameterGenerator: &a, noiseGenerator: &b) }
        #expect(throws: NumericsError.self) { try PrivateGaussianKDE.build(points: points, bandwidth: 0, features: 10, epsilon: 1, parameterGenerator: &a, noiseGenerator: &b) }
        #expect(throws: NumericsError.self) { try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 0, epsilon: 1, parameterGenerator: &a, noiseGenerator: &b) }
        let kde = try PrivateGaussianKDE.build(points: points, bandwidth: 1, features: 10, epsilon: 1, parameterGenerator: &a, noiseGenerator: &b)
        #expect(throws: NumericsError.self) { try kde.sums(at: Matrix([[1, 2, 3]])) }
    }

    @Test func fileRoundTrip() throws {
        var a = RandomStream(seed: 1), b = RandomStream(seed: 2)
        let points = try Self.data(30, 3, seed: 3)
        let kde = try PrivateGaussianKDE.build(points: points, bandwidth: 0.7, features: 16, epsilon: 2, parameterGenerator: &a, noiseGenerator: &b)
        let bytes = try kde.fileBytes()
        let back = try PrivateGaussianKDE(fileBytes: bytes, name: "k.dpkde")
        let queries = try Self.data(4, 3, seed: 9)
        #expect(try back.sums(at: queries).map(\.estimate) == kde.sums(at: queries).map(\.estimate))
        #expect(back.count == kde.count && !back.securelyGenerated)
        #expect(throws: DataError.self) { try PrivateGaussianKDE(fileBytes: Array(bytes.dropLast(3)), name: "k.dpkde") }
        #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: bytes, name: "k.dpkde") }
    }
}
