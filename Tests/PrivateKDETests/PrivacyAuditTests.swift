import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

/// The black-box audit on neighbouring datasets: each correct mechanism stays within its ε,
/// and the same mechanism with half the noise is caught. Each audit holds at failure
/// probability 1e-6 (Clopper–Pearson, split over its thresholds).
@Suite struct PrivacyAuditTests {
    @Test(arguments: PrivacyAudit.Scenario.allCases) func correctMechanismStaysWithinEpsilon(scenario: PrivacyAudit.Scenario) throws {
        let result = try PrivacyAudit.run(scenario, epsilon: 1, trials: 100_000, seed: 1)
        #expect(result.epsilonLowerBound <= 1, "\(scenario): audit found ε ≥ \(result.epsilonLowerBound) at threshold \(result.threshold)")
        #expect(result.epsilonLowerBound > 0.5)           // the audit has power: it gets near the true ε = 1
    }

    @Test(arguments: PrivacyAudit.Scenario.allCases) func halfTheNoiseIsCaught(scenario: PrivacyAudit.Scenario) throws {
        let result = try PrivacyAudit.run(scenario, epsilon: 1, trials: 100_000, noiseMultiplier: 0.5, seed: 2)
        #expect(result.epsilonLowerBound > 1, "\(scenario): audit found only ε ≥ \(result.epsilonLowerBound)")
    }
}
