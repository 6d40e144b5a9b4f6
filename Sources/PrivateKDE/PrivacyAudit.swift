import Foundation
import SuretyNumerics

/// A black-box statistical audit of an ε-DP mechanism (spec dp-kde.md §6.3; the approach of
/// Jagielski, Ullman, Oprea 2020 and Nasr et al. 2021).
///
/// Run the mechanism many times on two neighbouring datasets, reduce each output to a
/// statistic, and for threshold events `S = {statistic ≥ k}` compare the two empirical
/// frequencies. ε-DP forces `P(S | D′) ≤ e^ε P(S | D)` for every event, so with
/// Clopper–Pearson bounds at confidence `1 − δ` (split over the thresholds tried),
/// `ln(lower P(S | D′) / upper P(S | D))` is a lower bound on the true ε that holds with
/// probability `≥ 1 − δ`. A correct mechanism's audit stays at or below its ε; one with too
/// little noise is caught once the trials suffice.
public enum PrivacyAudit {
    /// The empirical lower bound on ε and the event that gave it.
    public struct Result: Sendable {
        public var epsilonLowerBound: Double
        public var threshold: Double
        public var confidence: Double
    }

    /// - Parameters:
    ///   - statisticOnD, statisticOnNeighbour: one run of the mechanism on each dataset,
    ///     reduced to a number (larger should be more likely on the neighbour).
    ///   - thresholds: the events `{statistic ≥ k}` to try.
    public static func lowerBound(trials: Int, thresholds: [Double], failureProbability delta: Double = 1e-6,
                                  statisticOnD: () throws -> Double, statisticOnNeighbour: () throws -> Double) throws -> Result {
        let a = try (0..<trials).map { _ in try statisticOnD() }
        let b = try (0..<trials).map { _ in try statisticOnNeighbour() }
        var best = Result(epsilonLowerBound: 0, threshold: .nan, confidence: 1 - delta)
        // Each threshold uses two one-sided intervals: split δ over all of them.
        let perSide = delta / Double(2 * thresholds.count)
        for k in thresholds {
            let hitsA = a.filter { $0 >= k }.count, hitsB = b.filter { $0 >= k }.count
            let upperA = try ConcentrationBounds.clopperPearson(successes: hitsA, trials: trials, failureProbability: perSide, tails: .one).upperBound
            let lowerB = try ConcentrationBounds.clopperPearson(successes: hitsB, trials: trials, failureProbability: perSide, tails: .one).lowerBound
            guard lowerB > 0, upperA > 0 else { continue }
            let bound = log(lowerB / upperA)
            if bound > best.epsilonLowerBound { best = Result(epsilonLowerBound: bound, threshold: k, confidence: 1 - delta) }
        }
        return best
    }
}

extension PrivacyAudit {
    /// The audits the test suite and `dpkde audit` run: a structure built on two neighbouring
    /// datasets chosen to realize its worst case, reduced to one statistic.
    public enum Scenario: String, Sendable, CaseIterable {
        /// A count tree (L = 2, add/remove, pure ε) on ∅ and {0.1}; the statistic is the sum of
        /// the noisy counts of the two nodes holding 0.1.
        case countTree = "tree"
        /// Kernel sums (1 random feature, replace-one, pure ε) on {x₀} and {x₁}, where the
        /// feature is −√2 at x₀ and +√2 at x₁: the largest change one row can make.
        case kernelSums = "kernel"
    }

    /// Runs `scenario` `trials` times on each dataset with noise from `seed` and returns the
    /// empirical lower bound on ε (holding with probability `1 − failureProbability`).
    ///
    /// - Parameter noiseMultiplier: 1 audits the real mechanism; below 1 a deliberately broken
    ///   one with too little noise, which a sound audit should catch.
    public static func run(_ scenario: Scenario, epsilon: Double, trials: Int, noiseMultiplier: Double = 1, seed: UInt64,
                           failureProbability: Double = 1e-6) throws -> Result {
        guard trials >= 100 else { throw NumericsError.domain(function: "privacy audit", value: "\(trials) trials", expected: "at least 100") }
        guard noiseMultiplier > 0, noiseMultiplier.isFinite else {
            throw NumericsError.domain(function: "privacy audit", value: "noise multiplier \(noiseMultiplier)", expected: "a finite value > 0")
        }
        try ReleaseChecks.epsilon(epsilon, "privacy audit")
        var rng = RandomStream(seed: seed)
        switch scenario {
        case .countTree:
            let domain = try PublicInterval(0, 1)
            func statistic(_ values: [Double]) throws -> Double {
                let tree = try PrivateCountTree.build(values: values, domain: domain, levels: 2, budget: PrivacyBudget(epsilon: epsilon),
                                                      relation: .addRemove, noiseMultiplier: noiseMultiplier, using: &rng)
                return Double(tree.noisyCounts[0][0] + tree.noisyCounts[1][0])
            }
            let scale = 2 / epsilon
            return try lowerBound(trials: trials, thresholds: (1...20).map { 1 + Double($0) * scale / 3 },
                                  failureProbability: failureProbability,
                                  statisticOnD: { try statistic([]) }, statisticOnNeighbour: { try statistic([0.1]) })
        case .kernelSums:
            let features = try RandomFeatures(kernel: .gaussian, dimension: 1, bandwidth: 1, features: 1, seed: 1)
            let omega = features.frequencies[0, 0], beta = features.phases[0]
            func statistics(at angle: Double) throws -> KernelFeatureSums {
                var s = KernelFeatureSums(features: features)
                try s.add(Matrix([[(angle - beta) / omega]]))
                return s
            }
            let low = try statistics(at: Double.pi), high = try statistics(at: 2 * Double.pi)
            let budget = try PrivacyBudget(epsilon: epsilon)
            func statistic(_ s: KernelFeatureSums) throws -> Double {
                try PrivateKernelDensity.release(s, budget: budget, relation: .replaceOne, countShare: 0.1, allowEmpty: false,
                                                 noiseMultiplier: noiseMultiplier, noiseGenerator: &rng).noisySums[0]
            }
            let root2 = 2.0.squareRoot(), scale = 2 * root2 / epsilon
            return try lowerBound(trials: trials, thresholds: (0..<20).map { -root2 + Double($0) * scale / 3 },
                                  failureProbability: failureProbability,
                                  statisticOnD: { try statistic(low) }, statisticOnNeighbour: { try statistic(high) })
        }
    }
}
