import Certificates
import Foundation
import SuretyNumerics

/// The privacy a release is asked to satisfy: pure `ε`-DP (`δ = 0`, the default, answered with
/// discrete Laplace noise) or `(ε, δ)`-DP through zero-concentrated DP (`δ > 0`, answered with
/// discrete Gaussian noise).
///
/// For `δ > 0` the release is `ρ`-zCDP with the largest `ρ` for which Bun and Steinke's
/// conversion (TCC 2016, Prop. 1.3) gives `(ρ + 2√(ρ·ln(1/δ)), δ)`-DP within the target:
/// `ρ = (√(ln(1/δ) + ε) − √(ln(1/δ)))²`. zCDP composes by adding `ρ`, so a release made of
/// several Gaussian parts splits `ρ`, not `ε`. (Tighter conversions exist, e.g. Canonne, Kamath
/// and Steinke 2020, Prop. 1.3; this one is the simple sound choice.)
public struct PrivacyBudget: Sendable, Hashable {
    public let epsilon: Double
    public let delta: Double

    /// - Throws: `NumericsError.domain` unless `ε` is finite and positive and `0 ≤ δ < 1`.
    public init(epsilon: Double, delta: Double = 0) throws {
        try ReleaseChecks.epsilon(epsilon, "privacy budget")
        guard delta >= 0, delta < 1 else {
            throw NumericsError.domain(function: "privacy budget", value: "δ = \(delta)", expected: "0 ≤ δ < 1")
        }
        self.epsilon = epsilon
        self.delta = delta
    }

    /// A budget whose values were checked when the structure was built.
    init(checkedEpsilon epsilon: Double, delta: Double = 0) {
        self.epsilon = epsilon
        self.delta = delta
    }

    /// Whether the budget is pure `ε`-DP (discrete Laplace noise).
    public var isPure: Bool { delta == 0 }

    /// `ρ` of the zCDP release, `nil` for pure ε.
    public var rho: Double? {
        guard delta > 0 else { return nil }
        let l = log(1 / delta)
        let root = (l + epsilon).squareRoot() - l.squareRoot()
        return root * root
    }

    /// The mechanism's name, for headers and certificates.
    public var mechanism: String { isPure ? "discrete Laplace (Canonne–Kamath–Steinke sampler)" : "discrete Gaussian (Canonne–Kamath–Steinke sampler)" }

    /// The guarantee in words.
    public var guarantee: String {
        if let rho { return "\(rho)-zCDP, hence (\(epsilon), \(delta))-DP (Bun–Steinke 2016, Prop. 1.3)" }
        return "\(epsilon)-DP (pure)"
    }
}

/// Adds exact integer noise to an integer vector of known sensitivity, for the share of a
/// ``PrivacyBudget`` given to it (a share of `ε` for Laplace, of `ρ` for Gaussian).
enum IntegerRelease {
    /// The noisy vector, the variance of the noise on each entry, and the noise parameter
    /// (the Laplace scale `b`, or the Gaussian `σ²`).
    struct Output {
        var values: [Int64]
        var variance: Double
        var parameter: Double
    }

    /// The noise parameter a release would use, without drawing (to choose a discretization).
    static func parameter(budget: PrivacyBudget, share: Double, l1Sensitivity: Double, l2Sensitivity: Double) -> Double {
        if let rho = budget.rho { return l2Sensitivity * l2Sensitivity / (2 * rho * share) }
        return l1Sensitivity / (budget.epsilon * share)
    }

    /// - Throws: `NumericsError.domain` for a noise parameter outside the samplers' exact range,
    ///   or a noisy value beyond 64 bits (callers keep `|values| ≤ 2⁶²`, so that needs noise
    ///   beyond 2⁶², which the samplers' ranges make practically impossible: e^{−2²²} and less).
    static func release(_ values: [Int64], budget: PrivacyBudget, share: Double, l1Sensitivity: Double, l2Sensitivity: Double,
                        using generator: inout some RandomNumberGenerator) throws -> Output {
        let p = parameter(budget: budget, share: share, l1Sensitivity: l1Sensitivity, l2Sensitivity: l2Sensitivity)
        func noisy(_ value: Int64, _ noise: Int64) throws -> Int64 {
            let (sum, overflow) = value.addingReportingOverflow(noise)
            if overflow { throw NumericsError.domain(function: "integer release", value: "a noisy value beyond 64 bits", expected: "|value + noise| < 2^63") }
            return sum
        }
        if budget.isPure {
            let (t, s) = try ExactNoise.rationalScale(p)
            return Output(values: try values.map { try noisy($0, ExactNoise.discreteLaplace(scale: t, over: s, using: &generator)) },
                          variance: ExactNoise.discreteLaplaceVariance(scale: t, over: s), parameter: Double(t) / Double(s))
        }
        let (n, d) = try ExactNoise.rationalVariance(p)
        let variance = Double(n) / Double(d)
        return Output(values: try values.map { try noisy($0, ExactNoise.discreteGaussian(varianceNumerator: n, denominator: d, using: &generator)) },
                      variance: ExactNoise.discreteGaussianVariance(variance), parameter: variance)
    }
}

/// What the header of a released structure and its certificate say about its privacy.
public struct PrivacyStatement: Sendable, Hashable {
    public var budget: PrivacyBudget
    public var relation: NeighbourRelation
    /// Whether the noise came from the operating system's secure generator.
    public var securelyGenerated: Bool
    /// How the budget was spent, in words (which parts, which shares).
    public var accounting: String

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "epsilon": .number(budget.epsilon),
            "delta": .number(budget.delta),
            "mechanism": .string(budget.mechanism),
            "guarantee": .string(securelyGenerated ? budget.guarantee : "NONE: seeded noise, for tests only"),
            "neighbours": .string(relation.rawValue),
            "noise": .string(securelyGenerated ? PrivacyStatement.secure : PrivacyStatement.seeded),
            "accounting": .string(accounting),
        ]
        if let rho = budget.rho { fields["rho"] = .number(rho) }
        return .object(fields)
    }

    static let secure = "system secure generator"
    static let seeded = "seeded generator: NOT PRIVATE, for tests only"

    /// Reads the statement back from a file header's `privacy` object.
    init?(json: JSONValue?) {
        guard case .object(let fields)? = json, let epsilon = fields["epsilon"]?.doubleValue, let delta = fields["delta"]?.doubleValue,
              let budget = try? PrivacyBudget(epsilon: epsilon, delta: delta),
              let relation = fields["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let noise = fields["noise"]?.stringValue, let accounting = fields["accounting"]?.stringValue else { return nil }
        self.init(budget: budget, relation: relation, securelyGenerated: noise == PrivacyStatement.secure, accounting: accounting)
    }

    public init(budget: PrivacyBudget, relation: NeighbourRelation, securelyGenerated: Bool, accounting: String) {
        self.budget = budget
        self.relation = relation
        self.securelyGenerated = securelyGenerated
        self.accounting = accounting
    }
}
