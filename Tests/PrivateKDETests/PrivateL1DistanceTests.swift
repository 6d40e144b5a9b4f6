import Foundation
import SuretyData
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateL1DistanceTests {
    /// The spec's worked setting (§2.10): n = 10 000 uniform points in [0, 1]^10, ε = 1,
    /// α = 0.1, L = 14: node scale 140, at most 102 rings per side, and an exact per-query noise
    /// standard deviation of about 900 (y = ½) to 1 300 (y = 0) per coordinate, ≈ 3 400 in
    /// total — about 10 % of Σ‖x − y‖₁ ≈ 33 300 (spec figures, rounded: ±10 % allowed).
    @Test func specWorkedNumbers() throws {
        var rng = RandomStream(seed: 5)
        let n = 10_000, d = 10
        let points = try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in rng.nextUniform() })
        let domains = try [PublicInterval](repeating: PublicInterval(0, 1), count: d)
        let structure = try PrivateL1Distance.build(points: points, domains: domains, levels: 14, epsilon: 1, alpha: 0.1, using: &rng)
        #expect(abs(structure.trees[0].noiseScale - 140) < 1e-5)
        let rings = PrivateL1Distance.rings(of: structure.trees[0], at: 0, alpha: 0.1)
        // J = ⌈log_{1.1} 2^14⌉ = 102 radii; rings narrower than a leaf snap to nothing and are dropped.
        #expect(Int((log(Double(1 << 14)) / log(1.1)).rounded(.up)) == 102)
        #expect(rings.count - 1 <= 102, "\(rings.count - 1) rings from y = 0")
        let oneCoordinate = { (y: Double) in try PrivateL1Distance(trees: [structure.trees[0]], alpha: 0.1, budget: structure.budget, securelyGenerated: false).noiseStandardDeviation(at: [y]) }
        let middle = try oneCoordinate(0.5), edge = try oneCoordinate(0)
        #expect(abs(middle / 900 - 1) < 0.1, "\(middle)")
        #expect(abs(edge / 1300 - 1) < 0.1, "\(edge)")

        // The estimate against the truth: within the noise (z = 4.89, false alarm 1e-6) plus
        // the deterministic bias (rings under-estimate by at most α, snapping by n·r₀ per coordinate).
        let y = (0..<d).map { _ in rng.nextUniform() }
        var truth = 0.0
        for i in 0..<n { for j in 0..<d { truth += abs(points[i, j] - y[j]) } }
        let estimate = try structure.sum(at: y), sd = try structure.noiseStandardDeviation(at: y)
        let bias = 0.1 * truth + Double(n * d) / Double(1 << 14)
        #expect(estimate > truth - bias - 4.89 * sd && estimate < truth + 4.89 * sd + Double(n * d) / Double(1 << 14), "\(estimate) vs \(truth) ± \(sd)")
    }

    /// The spec's Gaussian variant of the same setting (§2.10): (ε = 1, δ = 10⁻⁶) ⇒ ρ ≈ 0.0175,
    /// node σ = √(Δ·d·L/(2ρ)) ≈ 63, total per-query std ≈ 1 100 (≈ 3 % of the sum) — about a
    /// third of the Laplace version's. Figures rounded in the spec: ±10 % allowed.
    @Test func specWorkedNumbersZCDP() throws {
        var rng = RandomStream(seed: 6)
        let n = 10_000, d = 10
        let points = try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in rng.nextUniform() })
        let domains = try [PublicInterval](repeating: PublicInterval(0, 1), count: d)
        let structure = try PrivateL1Distance.build(points: points, domains: domains, levels: 14, budget: PrivacyBudget(epsilon: 1, delta: 1e-6),
                                                    alpha: 0.1, using: &rng)
        #expect(structure.trees[0].gaussianNoise)
        #expect(abs(structure.trees[0].noiseScale.squareRoot() / 63 - 1) < 0.1, "σ = \(structure.trees[0].noiseScale.squareRoot())")
        var total = 0.0
        for _ in 0..<20 { total += try structure.noiseStandardDeviation(at: (0..<d).map { _ in rng.nextUniform() }) }
        #expect(abs(total / 20 / 1100 - 1) < 0.1, "mean per-query std \(total / 20)")
        #expect(structure.privacy.accounting.contains("discrete Gaussian"))
    }

    /// Without noise (ε huge) the ring estimate is within the deterministic bounds, also for
    /// queries outside the domain.
    @Test func ringEstimateBias() throws {
        var rng = RandomStream(seed: 6)
        let n = 2000
        let points = try Matrix(rows: n, columns: 1, columnMajor: (0..<n).map { _ in 4 * rng.nextUniform() - 2 })
        let structure = try PrivateL1Distance.build(points: points, domains: [PublicInterval(-2, 2)], levels: 12, epsilon: 1e8,
                                                    alpha: 0.05, using: &rng)
        for y in [-3.0, -2, -0.7, 0, 1.3, 2, 5] {
            let truth = (0..<n).reduce(0.0) { $0 + abs(points[$1, 0] - y) }
            let estimate = try structure.sum(at: [y])
            let snapping = 2 * Double(n) * 4 / Double(1 << 12)
            #expect(estimate <= truth + snapping && estimate >= truth / 1.05 - snapping, "y \(y): \(estimate) vs \(truth)")
        }
        #expect(throws: NumericsError.self) { try structure.sum(at: [0, 1]) }
        #expect(throws: NumericsError.self) { try structure.sum(at: [.nan]) }
    }

    /// The file round-trips and refuses truncation, tampering, another version and another kind.
    @Test func fileFormat() throws {
        var rng = RandomStream(seed: 8)
        let points = try Matrix(rows: 50, columns: 2, columnMajor: (0..<100).map { _ in rng.nextUniform() })
        let structure = try PrivateL1Distance.build(points: points, domains: [PublicInterval(0, 1), PublicInterval(-1, 2)],
                                                    levels: 4, epsilon: 1, using: &rng)
        let bytes = try structure.fileBytes()
        #expect(String(decoding: bytes, as: UTF8.self).contains("NOT PRIVATE"))
        let back = try PrivateL1Distance(fileBytes: bytes, name: "s.dpkde")
        #expect(back.trees.map(\.noisyCounts) == structure.trees.map(\.noisyCounts))
        #expect(try back.sum(at: [0.3, 0.4]) == structure.sum(at: [0.3, 0.4]))
        #expect(!back.securelyGenerated)
        let secure = try PrivateL1Distance.build(points: points, domains: [PublicInterval(0, 1), PublicInterval(-1, 2)], levels: 4, epsilon: 1)
        #expect(try PrivateL1Distance(fileBytes: secure.fileBytes(), name: "s.dpkde").securelyGenerated)

        for cut in [0, 7, 12, 40, bytes.count - 1] {
            #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: Array(bytes.prefix(cut)), name: "s.dpkde") }
        }
        var tampered = bytes
        tampered[bytes.count - 100] ^= 1
        let error = #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: tampered, name: "s.dpkde") }
        #expect(error?.seen.contains("checksum") == true)
        var version = bytes
        version[8] = 2
        let versionError = #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: version, name: "s.dpkde") }
        #expect(versionError?.seen.contains("version 2") == true)
        let other = try PrivateStructureFile.encode(header: ["kind": "dpkde.other"], body: [])
        #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: other, name: "s.dpkde") }
    }
}
