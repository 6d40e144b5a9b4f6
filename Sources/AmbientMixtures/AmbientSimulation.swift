import Dispatch
import Foundation
import Synchronization
import SuretyNumerics

/// The simulation of spec ambient-gmm.md §C.3: the same mixture learned from all-clean,
/// all-noisy, p-clean-only and p-clean-plus-noisy samples of equal total size `N`, with the
/// estimator that uses each sample's known noise level, and the baselines.
///
/// Clean samples have noise `s₀`, noisy ones `√(s₀² + σ²)`. Repetitions run in parallel, each
/// on its own seeded stream (`RandomStream.streams`), so results do not depend on the number
/// of cores.
public struct AmbientSimulation: Sendable {
    public var mixing: MixingDistribution
    public var cleanNoise = 1.0
    public var sigma: Double
    public var total: Int
    public var cleanFraction = 0.1
    public var repetitions: Int
    public var restarts = 3
    /// The estimator that uses the noise levels.
    public var estimator: Estimator = .em

    public enum Estimator: String, Sendable, CaseIterable {
        /// ``HeteroscedasticEM``.
        case em
        /// ``MomentEstimator`` (any dimension); how often its moment estimates had to be
        /// projected onto the moment space is ``Row/projectedShare``.
        case moments
    }

    public init(mixing: MixingDistribution, sigma: Double, total: Int, repetitions: Int) throws {
        guard sigma >= 0, sigma.isFinite else { throw NumericsError.domain(function: "simulation", value: "σ = \(sigma)", expected: "σ ≥ 0") }
        guard total >= 1, repetitions >= 1 else {
            throw NumericsError.domain(function: "simulation", value: "N = \(total), \(repetitions) repetitions", expected: "N ≥ 1 and at least one repetition")
        }
        self.mixing = mixing
        self.sigma = sigma
        self.total = total
        self.repetitions = repetitions
    }

    /// One condition of the comparison: how many clean and noisy samples, and which estimator.
    public struct Condition: Sendable, Hashable {
        public var name: String
        public var clean: Int
        public var noisy: Int
        /// Treat every sample as clean (the biased baseline).
        public var ignoreNoiseLevels = false
    }

    /// The four conditions of the spec, plus the noise-ignoring baseline on the mix.
    public var conditions: [Condition] {
        let pc = Int((Double(total) * cleanFraction).rounded())
        return [
            Condition(name: "all clean", clean: total, noisy: 0),
            Condition(name: "all noisy", clean: 0, noisy: total),
            Condition(name: "\(Int(cleanFraction * 100))% clean only", clean: pc, noisy: 0),
            Condition(name: "\(Int(cleanFraction * 100))% clean + \(100 - Int(cleanFraction * 100))% noisy", clean: pc, noisy: total - pc),
            Condition(name: "mix, noise levels ignored", clean: pc, noisy: total - pc, ignoreNoiseLevels: true),
        ]
    }

    public struct Row: Sendable {
        public var condition: Condition
        public var meanW1: Double
        /// W1 of each repetition, in repetition order.
        public var w1Values: [Double]
        public var standardErrorW1: Double
        public var medianAtomError: Double
        /// The share of one-dimensional moment problems whose estimates lay outside the moment
        /// space and were projected (moment estimator only, else NaN).
        public var projectedShare = Double.nan
        /// Mean total variation between the clean densities (quadrature in 1-D; in d dimensions
        /// Monte Carlo with 4 000 draws per repetition, averaged over the repetitions).
        public var meanTotalVariation = Double.nan
        /// EM with more than one restart: the repetitions in which the restart of largest
        /// log-likelihood (the one EM returns) is not the restart closest to the truth in W1
        /// (``HeteroscedasticEM/Fit/restartChoice(against:)``). Else nil.
        public var likelihoodW1Disagreements: Int?
        /// EM with more than one restart: the mean over repetitions of the smallest W1 among the
        /// restarts (an oracle that knows the truth; what choosing by W1 would give). Else NaN.
        public var meanBestRestartW1 = Double.nan
    }

    /// Runs every condition `repetitions` times.
    ///
    /// - Parameter progress: called after each repetition of each condition, from any thread.
    public func run(seed: UInt64, progress: (@Sendable () -> Void)? = nil) throws -> [Row] {
        try run(conditions: conditions, seed: seed, progress: progress)
    }

    /// Runs the given conditions `repetitions` times each.
    public func run(conditions: [Condition], seed: UInt64, progress: (@Sendable () -> Void)? = nil) throws -> [Row] {
        let streams = RandomStream.streams(seed: seed, count: repetitions)
        let noisyLevel = (cleanNoise * cleanNoise + sigma * sigma).squareRoot()
        return try conditions.map { condition in
            guard condition.clean + condition.noisy > 0 else {
                throw NumericsError.domain(function: "simulation", value: "a condition with no samples", expected: "at least one sample")
            }
            let results = Mutex<[(repetition: Int, w1: Double, atoms: Double, tv: Double, projected: Double, bestRestartW1: Double, disagree: Bool)]>([])
            let failure = Mutex<(any Error)?>(nil)
            DispatchQueue.concurrentPerform(iterations: repetitions) { r in
                do {
                    var rng = streams[r]
                    let levels = Array(repeating: cleanNoise, count: condition.clean) + Array(repeating: noisyLevel, count: condition.noisy)
                    var sample = try mixing.sample(noiseLevels: levels, using: &rng)
                    if condition.ignoreNoiseLevels {
                        sample = try NoisySample(dimension: sample.dimension, values: sample.values, noiseLevels: Array(repeating: cleanNoise, count: levels.count))
                    }
                    let estimate: MixingDistribution
                    var projected = Double.nan, bestRestartW1 = Double.nan, disagree = false
                    switch estimator {
                    case .em:
                        var em = try HeteroscedasticEM(k: mixing.k)
                        em.restarts = restarts
                        let fit = try em.fit(sample, using: &rng)
                        estimate = fit.mixing
                        if let choice = fit.restartChoice(against: mixing) { (bestRestartW1, disagree) = choice }
                    case .moments:
                        let fit = try MomentEstimator.estimate(sample, k: mixing.k)
                        estimate = fit.mixing
                        projected = Double(fit.projections) / Double(fit.directions)
                    }
                    let w1 = MixtureMetrics.wasserstein1(estimate, mixing)
                    let tv = mixing.dimension == 1 ? MixtureMetrics.cleanDensityDistances(estimate, mixing, cleanNoise: cleanNoise).totalVariation
                        : try MixtureMetrics.cleanDensityDistances(truth: mixing, estimate: estimate, cleanNoise: cleanNoise, samples: 4_000, using: &rng).totalVariation
                    results.withLock { $0.append((r, w1, MixtureMetrics.matchedError(estimate, mixing).atoms, tv, projected, bestRestartW1, disagree)) }
                    progress?()
                } catch {
                    failure.withLock { $0 = error }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
            // In repetition order, so that the sums (and the certificate) do not depend on which
            // thread finished first.
            let all = results.withLock { $0 }.sorted { $0.repetition < $1.repetition }
            let w1 = all.map(\.w1)
            // The matched atom error needs k atoms; an estimate with fewer (a boundary point of
            // the moment space) has none, and the median is over the others.
            let atoms = all.map(\.atoms).filter { !$0.isNaN }.sorted()
            let mean = w1.reduce(0, +) / Double(w1.count)
            let restartsCompared = estimator == .em && restarts > 1
            let sd = w1.count > 1 ? (w1.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w1.count - 1)).squareRoot() : 0
            return Row(condition: condition, meanW1: mean, w1Values: w1, standardErrorW1: sd / Double(w1.count).squareRoot(),
                       medianAtomError: atoms.isEmpty ? .nan : atoms[atoms.count / 2],
                       projectedShare: all.map(\.projected).reduce(0, +) / Double(all.count),
                       meanTotalVariation: all.map(\.tv).reduce(0, +) / Double(all.count),
                       likelihoodW1Disagreements: restartsCompared ? all.filter(\.disagree).count : nil,
                       meanBestRestartW1: restartsCompared ? all.map(\.bestRestartW1).reduce(0, +) / Double(all.count) : .nan)
        }
    }
}
