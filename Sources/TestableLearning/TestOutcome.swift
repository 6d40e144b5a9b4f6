import Certificates

/// One statistical test's result: its statistic, the acceptance region derived from its share
/// of the failure probability, and the verdict.
public struct TestOutcome: Sendable, Hashable {
    public var name: String
    public var statistic: Double
    /// Accept iff `lower ≤ statistic ≤ upper`.
    public var lower: Double
    public var upper: Double
    /// The failure probability this test was given (false rejection under the null).
    public var failureProbability: Double

    public var passed: Bool { statistic >= lower && statistic <= upper }

    public init(name: String, statistic: Double, lower: Double = -.infinity, upper: Double, failureProbability: Double) {
        self.name = name
        self.statistic = statistic
        self.lower = lower
        self.upper = upper
        self.failureProbability = failureProbability
    }

    public var json: JSONValue {
        .object([
            "name": .string(name), "statistic": .number(statistic),
            "lower": lower.isFinite ? .number(lower) : .null, "threshold": .number(upper),
            "failure_probability": .number(failureProbability), "passed": .bool(passed),
        ])
    }
}
