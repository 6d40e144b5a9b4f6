import Foundation
import SuretyNumerics

/// The label-free tests of the marginal against `N(0, I_d)` that `halfspace test` and the
/// tester-learner's first step run: mean, covariance, degree-4 moments along axes and random
/// directions, and the full moment-matching tester when it is affordable.
///
/// Full moment matching checks `C(d + k, k) − 1` monomials; above ``limit`` it is skipped and
/// ``skipNote`` says so (how many monomials, the limit, and the largest degree that fits). On
/// whitened data (``slack`` set) it is skipped too: its limits are for exact `N(0, I)` and are not
/// widened (the other three are, see ``WhiteningSlack``).
public struct LabelFreeBattery: Sendable {
    public var dimension: Int
    public var degree: Int
    public var limit: Int
    public var randomDirections: Int
    public var slack: WhiteningSlack?

    public init(dimension: Int, degree: Int = 4, limit: Int = 12_000, randomDirections: Int = 20, slack: WhiteningSlack? = nil) {
        self.dimension = dimension
        self.degree = degree
        self.limit = limit
        self.randomDirections = randomDirections
        self.slack = slack
    }

    /// The monomials full moment matching would check.
    public var monomials: Int { MarginalTests.momentMatchingCount(dimension: dimension, degree: degree) }
    public var runsMomentMatching: Bool { degree >= 1 && monomials <= limit && slack == nil }
    /// How many tests share the failure probability.
    public var testCount: Int { runsMomentMatching ? 4 : 3 }

    /// Why full moment matching is not run, or `nil` when it is.
    public var skipNote: String? {
        guard !runsMomentMatching else { return nil }
        if slack != nil {
            return "full moment matching skipped on whitened data: its limits are for exact N(0, I) and are not widened (mean and covariance are; the kurtosis test needs no widening)"
        }
        var fitting = degree
        while fitting > 1 && MarginalTests.momentMatchingCount(dimension: dimension, degree: fitting) > limit { fitting -= 1 }
        let lower = MarginalTests.momentMatchingCount(dimension: dimension, degree: fitting)
        return "full moment matching skipped: \(monomials) monomials at degree \(degree) (d = \(dimension)) exceed the limit \(limit); "
            + (lower <= limit ? "--degree \(fitting) checks \(lower)" : "no degree fits")
    }

    /// Runs the tests on `s`, each at `share`.
    public func run(_ s: LabeledSample, failureProbability share: Double, using rng: inout some RandomNumberGenerator) throws -> [TestOutcome] {
        var tests = [MarginalTests.mean(s, failureProbability: share, slack: slack),
                     try MarginalTests.covariance(s, failureProbability: share, slack: slack),
                     MarginalTests.fourthMoments(s, randomDirections: randomDirections, failureProbability: share, slack: slack, using: &rng)]
        if runsMomentMatching { tests.append(try MarginalTests.momentMatching(s, degree: degree, failureProbability: share)) }
        return tests
    }
}
