import CGSL
import Foundation

/// The Bernoulli distribution: `true` with probability `probability`.
public struct Bernoulli: Sendable, Hashable {
    public let probability: Double

    /// - Precondition: `0 ≤ probability ≤ 1`.
    public init(probability: Double) {
        precondition(probability >= 0 && probability <= 1, "Bernoulli needs 0 ≤ p ≤ 1")
        self.probability = probability
    }

    /// One draw: `U < p` for `U` uniform on the grid `k · 2⁻⁵³`, so the success probability
    /// is `p` rounded up to a multiple of 2⁻⁵³.
    public func sample(using generator: inout some RandomNumberGenerator) -> Bool {
        generator.nextUniform() < probability
    }
}

/// The binomial distribution: the number of successes in `trials` Bernoulli(`probability`) trials.
public struct Binomial: Sendable, Hashable {
    public let trials: Int, probability: Double

    /// - Precondition: `trials ≥ 0`, `0 ≤ probability ≤ 1`.
    public init(trials: Int, probability: Double) {
        precondition(trials >= 0, "Binomial needs trials ≥ 0")
        precondition(probability >= 0 && probability <= 1, "Binomial needs 0 ≤ p ≤ 1")
        self.trials = trials; self.probability = probability
        _ = GSL.ready
    }

    /// One draw, exact in distribution for every `trials` (no normal or Poisson approximation).
    ///
    /// Large counts are split with the order-statistic identity (Knuth, TAOCP vol. 2,
    /// §3.4.1): the `a`-th smallest of `n` uniforms is Beta(`a`, `n + 1 − a`); the successes
    /// below it are binomial on a rescaled probability with half as many trials. Once at most
    /// 40 trials remain they are drawn one by one.
    ///
    /// - Complexity: O(log n) beta draws plus at most 40 uniforms.
    public func sample(using generator: inout some RandomNumberGenerator) -> Int {
        var n = trials, p = probability, count = 0
        if p == 0 { return 0 }
        if p == 1 { return n }
        while n > 40 {
            let a = 1 + n / 2, b = n + 1 - a
            let x = Beta(alpha: Double(a), beta: Double(b)).sample(using: &generator)
            if x >= p {
                n = a - 1
                p /= x
            } else {
                count += a
                n = b - 1
                p = (p - x) / (1 - x)
            }
        }
        for _ in 0..<n where generator.nextUniform() < p { count += 1 }
        return count
    }

    /// `P(X ≤ k)`.
    public func cdf(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= trials { return 1 }
        return gsl_cdf_binomial_P(UInt32(k), probability, UInt32(trials))
    }

    /// The smallest `k` with `P(X ≤ k) ≥ p` (the binomial quantile), by bisection on `k`.
    ///
    /// - Precondition: `0 ≤ p ≤ 1`.
    public func quantile(_ p: Double) -> Int {
        precondition(p >= 0 && p <= 1, "Binomial quantile needs 0 ≤ p ≤ 1")
        var lo = -1, hi = trials  // cdf(lo) < p ≤ cdf(hi)
        if p == 0 { return 0 }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if cdf(mid) >= p { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// `P(X = k)`.
    public func probability(of k: Int) -> Double {
        guard k >= 0 && k <= trials else { return 0 }
        return gsl_ran_binomial_pdf(UInt32(k), probability, UInt32(trials))
    }
}

/// A categorical distribution over `0..<weights.count`, sampled in O(1) per draw by
/// Walker's alias method (Vose's stable construction).
public struct Categorical: Sendable, Hashable {
    /// The normalized probabilities.
    public let probabilities: [Double]
    private let cutoff: [Double]
    private let alias: [Int]

    /// Builds the distribution from non-negative weights (normalized here).
    ///
    /// - Throws: `NumericsError.domain` for an empty list, a negative or non-finite weight,
    ///   or weights that sum to zero.
    public init(weights: [Double]) throws {
        guard !weights.isEmpty else {
            throw NumericsError.domain(function: "Categorical", value: "no weights", expected: "at least one weight")
        }
        if let k = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw NumericsError.domain(function: "Categorical", value: "weight[\(k)] = \(weights[k])", expected: "finite weights ≥ 0")
        }
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else {
            throw NumericsError.domain(function: "Categorical", value: "total weight \(total)", expected: "a positive finite total")
        }
        let n = weights.count
        probabilities = weights.map { $0 / total }
        var scaled = probabilities.map { $0 * Double(n) }
        var cutoff = [Double](repeating: 1, count: n)
        var alias = Array(0..<n)
        var small = [Int](), large = [Int]()
        for (i, s) in scaled.enumerated() { if s < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            cutoff[s] = scaled[s]
            alias[s] = l
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever remains has probability 1 up to rounding.
        for i in small + large { cutoff[i] = 1 }
        self.cutoff = cutoff
        self.alias = alias
    }

    /// One draw: an index in `0..<probabilities.count`.
    public func sample(using generator: inout some RandomNumberGenerator) -> Int {
        let i = generator.nextInt(below: cutoff.count)
        return generator.nextUniform() < cutoff[i] ? i : alias[i]
    }
}
