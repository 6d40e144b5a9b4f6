import Foundation
import SuretyNumerics

/// Maximum-likelihood estimation of a k-atomic mixing distribution from samples with known,
/// per-sample noise levels, `X_i ~ Γ * N(0, s_i² I)` (spec ambient-gmm.md §C.3, estimator 1).
///
/// E-step in log space, `r_ij ∝ π_j exp(−‖X_i − μ_j‖²/(2 s_i²))` (the `s_i^{−d}` factors cancel
/// within a row); M-step `π_j = mean_i r_ij`, `μ_j = Σ_i (r_ij/s_i²) X_i / Σ_i (r_ij/s_i²)` — a
/// precision-weighted mean. Distances and weighted sums are BLAS products.
///
/// Initialization: quantiles in 1-D; in higher dimension every start lies in the estimated
/// signal subspace `x̄ + range V` (``SignalSubspace``, the moment estimator's): the first at the
/// quantiles of the samples' coordinates along the top direction, the others at k-means++
/// seeds among the samples' coordinates `Vᵀ(X_i − x̄)`, lifted back. A raw sample point as a
/// start carries noise of norm ≈ `s√d` off the subspace (22 at d = 100, s = √5, against
/// atoms 1.6 apart), from which EM on overlapping atoms crawled to a worse fit (issue #19).
/// Several restarts; the one with the largest heteroscedastic log-likelihood (each sample with
/// its own `s_i`) wins, and every restart is kept in ``Fit/restarts`` so a caller that knows
/// the truth can see whether likelihood and its own metric pick the same one.
public struct HeteroscedasticEM: Sendable {
    public var k: Int
    public var restarts = 5
    public var maxIterations = 500
    /// Stop when the relative change of the log-likelihood falls below this (0: run all iterations).
    public var tolerance = 1e-9

    public init(k: Int) throws {
        guard k >= 1 else { throw NumericsError.domain(function: "EM", value: "k = \(k)", expected: "k ≥ 1") }
        self.k = k
    }

    public struct Fit: Sendable {
        public var mixing: MixingDistribution
        /// Mean log-likelihood per sample.
        public var logLikelihood: Double
        public var iterations: Int
        /// Every restart's result in the order run (the chosen one among them); empty for a
        /// single ``HeteroscedasticEM/run(_:atoms:weights:)``.
        public var restarts: [Restart] = []
        /// The index of the chosen restart in ``restarts`` (the largest log-likelihood; the
        /// first on a tie).
        public var chosenRestart = 0

        /// Compares the likelihood's choice of restart with a known `truth`: the smallest W1
        /// to the truth among the restarts, and whether the chosen restart's W1 exceeds it by
        /// more than ``HeteroscedasticEM/restartTieW1`` (likelihood and W1 disagree). Nil
        /// without restarts to compare.
        public func restartChoice(against truth: MixingDistribution) -> (bestW1: Double, disagrees: Bool)? {
            guard restarts.count > 1, restarts.indices.contains(chosenRestart) else { return nil }
            let distances = restarts.map { MixtureMetrics.wasserstein1($0.mixing, truth) }
            let best = distances.min()!
            return (best, distances[chosenRestart] > best + HeteroscedasticEM.restartTieW1)
        }
    }

    /// Restarts whose W1 to a known truth differ by at most this are counted as the same
    /// solution (by the triangle inequality, two end points whose W1 to the truth differ by
    /// more are at least that far apart themselves). It does not separate distinct optima from
    /// one optimum approached from two sides: EM stops on a relative log-likelihood change of
    /// 10⁻⁹, and on overlapping atoms in d = 100 restarts stopped that way ended up to 0.01
    /// apart in W1 even on all-clean data (`ambient simulate --dim 100`, 2026-12-07), so a
    /// disagreement counts end points that differ, not necessarily different optima.
    public static let restartTieW1 = 1e-3

    /// One restart's end point.
    public struct Restart: Sendable {
        public var mixing: MixingDistribution
        public var logLikelihood: Double
        public var iterations: Int
    }

    /// Fits the mixture; the best of ``restarts`` runs by log-likelihood.
    ///
    /// - Throws: `NumericsError.domain` when there are fewer samples than atoms.
    public func fit(_ sample: NoisySample, using rng: inout some RandomNumberGenerator) throws -> Fit {
        guard sample.count >= k else { throw NumericsError.domain(function: "EM", value: "\(sample.count) samples", expected: "at least k = \(k)") }
        let x = try Matrix(rows: sample.count, columns: sample.dimension, rowMajor: sample.values)
        let signal = sample.dimension > 1 ? try SignalSubspace(sample, k: k) : nil
        var runs: [Restart] = []
        var chosen = 0
        for r in 0..<max(1, restarts) {
            let start = try initialAtoms(sample, subspace: signal, restart: r, using: &rng)
            let fit = try run(sample, x: x, atoms: start, weights: Array(repeating: 1 / Double(k), count: k))
            runs.append(Restart(mixing: fit.mixing, logLikelihood: fit.logLikelihood, iterations: fit.iterations))
            if fit.logLikelihood > runs[chosen].logLikelihood { chosen = r }
        }
        let best = runs[chosen]
        return Fit(mixing: best.mixing, logLikelihood: best.logLikelihood, iterations: best.iterations, restarts: runs, chosenRestart: chosen)
    }

    /// EM from given atoms and weights.
    public func run(_ sample: NoisySample, atoms: [[Double]], weights: [Double]) throws -> Fit {
        try run(sample, x: Matrix(rows: sample.count, columns: sample.dimension, rowMajor: sample.values), atoms: atoms, weights: weights)
    }

    func run(_ sample: NoisySample, x: Matrix, atoms start: [[Double]], weights start2: [Double]) throws -> Fit {
        let n = sample.count, d = sample.dimension
        var atoms = start, weights = start2
        let precision = sample.noiseLevels.map { 1 / ($0 * $0) }
        var rowNorms = [Double](repeating: 0, count: n)
        for i in 0..<n { for c in 0..<d { rowNorms[i] += sample.values[i * d + c] * sample.values[i * d + c] } }
        let logNormalizer = sample.noiseLevels.reduce(0) { $0 + Double(d) * log(2 * Double.pi * $1 * $1) / 2 }
        var previous = -Double.infinity, logLikelihood = -Double.infinity, iterations = 0
        var responsibilities = [Double](repeating: 0, count: n * k)            // column-major n × k
        for iteration in 1...maxIterations {
            iterations = iteration
            // E-step.
            let m = try Matrix(rows: d, columns: k, columnMajor: atoms.flatMap { $0 })
            let cross = try x.multiplied(by: m).storage                        // n × k
            let atomNorms = atoms.map { $0.reduce(0) { $0 + $1 * $1 } }
            let logWeights = weights.map { log(max($0, 1e-300)) }
            var total = 0.0
            for i in 0..<n {
                var top = -Double.infinity
                for j in 0..<k {
                    let v = logWeights[j] - 0.5 * precision[i] * (rowNorms[i] - 2 * cross[j * n + i] + atomNorms[j])
                    responsibilities[j * n + i] = v
                    top = max(top, v)
                }
                var sum = 0.0
                for j in 0..<k {
                    let e = exp(responsibilities[j * n + i] - top)
                    responsibilities[j * n + i] = e
                    sum += e
                }
                for j in 0..<k { responsibilities[j * n + i] /= sum }
                total += top + log(sum)
            }
            logLikelihood = (total - logNormalizer) / Double(n)
            // M-step: precision-weighted means.
            var a = responsibilities
            var mass = [Double](repeating: 0, count: k), precisionMass = [Double](repeating: 0, count: k)
            for j in 0..<k {
                for i in 0..<n {
                    mass[j] += responsibilities[j * n + i]
                    a[j * n + i] *= precision[i]
                    precisionMass[j] += a[j * n + i]
                }
            }
            let sums = try x.multiplied(by: Matrix(rows: n, columns: k, columnMajor: a), transposeSelf: .transposed).storage   // d × k
            for j in 0..<k where precisionMass[j] > 0 {
                atoms[j] = (0..<d).map { sums[j * d + $0] / precisionMass[j] }
            }
            weights = mass.map { max($0 / Double(n), 1e-12) }
            let wsum = weights.reduce(0, +)
            weights = weights.map { $0 / wsum }
            if tolerance > 0, abs(logLikelihood - previous) <= tolerance * abs(logLikelihood) { break }
            previous = logLikelihood
        }
        return Fit(mixing: try MixingDistribution(atoms: atoms, weights: weights), logLikelihood: logLikelihood, iterations: iterations)
    }

    /// The start of restart `restart`. In 1-D: quantiles (first run) or k-means++ seeds among
    /// the data points. In d > 1: points of the signal subspace — the quantiles of the top
    /// coordinate (first run; k = 1: the mean) or k-means++ seeds among the coordinates of up
    /// to 5 000 random samples — lifted to `R^d`.
    func initialAtoms(_ s: NoisySample, subspace: SignalSubspace?, restart: Int, using rng: inout some RandomNumberGenerator) throws -> [[Double]] {
        let n = s.count, d = s.dimension
        if let subspace, subspace.rank == 0 { return [subspace.mean] }            // k = 1
        func quantiles(_ values: [Double]) -> [Double] {
            let sorted = values.sorted()
            return (0..<k).map { sorted[min(sorted.count - 1, Int((Double($0) + 0.5) / Double(k) * Double(sorted.count)))] }
        }
        if restart == 0 {
            if d == 1 { return quantiles(s.values).map { [$0] } }
            if let subspace {
                let top = subspace.coordinates(of: s).map { $0[0] }
                return quantiles(top).map { q in subspace.lift((0..<subspace.rank).map { $0 == 0 ? q : 0 }) }
            }
        }
        let candidates = (0..<min(n, 5000)).map { _ in Int(UInt64.random(in: 0..<UInt64(n), using: &rng)) }
        let embedded: [[Double]]
        if let subspace {
            let picked = try NoisySample(dimension: d, values: candidates.flatMap { s.values[($0 * d)..<(($0 + 1) * d)] },
                                         noiseLevels: candidates.map { s.noiseLevels[$0] })
            embedded = subspace.coordinates(of: picked)
        } else {
            embedded = candidates.map { Array(s.values[($0 * d)..<(($0 + 1) * d)]) }
        }
        var seeds = [Int(UInt64.random(in: 0..<UInt64(candidates.count), using: &rng))]
        var distance = embedded.map { e in zip(e, embedded[seeds[0]]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        while seeds.count < k {
            let total = distance.reduce(0, +)
            var u = rng.nextUniform() * total, pick = 0
            for (c, v) in distance.enumerated() { u -= v; if u <= 0 { pick = c; break } }
            seeds.append(pick)
            for c in embedded.indices {
                distance[c] = min(distance[c], zip(embedded[c], embedded[pick]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
            }
        }
        if let subspace { return seeds.map { subspace.lift(embedded[$0]) } }
        return seeds.map { embedded[$0] }
    }
}
