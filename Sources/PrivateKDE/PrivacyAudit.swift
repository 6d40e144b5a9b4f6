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
