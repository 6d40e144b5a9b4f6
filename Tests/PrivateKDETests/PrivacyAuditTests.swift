import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

/// The black-box audit on neighbouring datasets: a correct count tree stays within its ε,
/// one with half the noise is caught. Each audit holds at failure probability 1e-6.
@Suite struct PrivacyAuditTests {
    static func audit(noiseMultiplier: Double, seed: UInt64) throws -> PrivacyAudit.Result {
        let domain = try PublicInterval(0, 1)
        var rng = RandomStream(seed: seed)
        // The statistic: the noisy counts of the two nodes (levels 1 and 2) that hold 0.1.
        func statistic(_ values: [Double]) throws -> Double {
            let tree = try PrivateCountTree.build(values: values, domain: domain, levels: 2, epsilon: 1, relation: .addRemove,
                                                  noiseMultiplier: noiseMultiplier, using: &rng)
            return Double(tree.noisyCounts[0][0] + tree.noisyCounts[1][0])
        }
        return try PrivacyAudit.lowerBound(trials: 100_000, thresholds: (1...14).map(Double.init),
                                           statisticOnD: { try statistic([]) }, statisticOnNeighbour: { try statistic([0.1]) })
    }

    @Test func correctTreeStaysWithinEpsilon() throws {
        let result = try Self.audit(noiseMultiplier: 1, seed: 1)
        #expect(result.epsilonLowerBound <= 1, "audit found ε ≥ \(result.epsilonLowerBound) at threshold \(result.threshold)")
        #expect(result.epsilonLowerBound > 0.5)           // the audit has power: it gets near the true ε = 1
    }

    @Test func halfTheNoiseIsCaught() throws {
        let result = try Self.audit(noiseMultiplier: 0.5, seed: 2)
        #expect(result.epsilonLowerBound > 1, "audit found only ε ≥ \(result.epsilonLowerBound)")
    }
}
