import Foundation
import SuretyNumerics

/// Maximum-likelihood estimation of a k-atomic mixing distribution from samples with known,
/// per-sample noise levels, `X_i ~ Γ * N(0, s_i² I)` (spec ambient-gmm.md §C.3, estimator 1).
///
/// E-step in log space, `r_ij ∝ π_j exp(−‖X_i − μ_j‖²/(2 s_i²))` (the `s_i^{−d}` factors cancel
/// within a row); M-step `π_j = mean_i r_ij`, `μ_j = Σ_i (r_ij/s_i²) X_i / Σ_i (r_ij/s_i²)` — a
/// precision-weighted mean. Distances and weighted sums are BLAS products. Initialization:
/// quantiles in 1-D; in higher dimension k-means++ seeds in the span of the top eigenvectors
/// of the precision-weighted covariance minus its noise part; several restarts, the best
/// log-likelihood wins.
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
    }

    /// Fits the mixture; the best of ``restarts`` runs.
    ///
    /// - Throws: `NumericsError.domain` when there are fewer samples than atoms.
    public func fit(_ sample: NoisySample, using rng: inout some RandomNumberGenerator) throws -> Fit {
        guard sample.count >= k else { throw NumericsError.domain(function: "EM", value: "\(sample.count) samples", expected: "at least k = \(k)") }
        let x = try Matrix(rows: sample.count, columns: sample.dimension, rowMajor: sample.values)
        let basis = sample.dimension > 1 ? try spectralBasis(sample) : nil
        var best: Fit?
        for r in 0..<max(1, restarts) {
            let start = initialAtoms(sample, basis: basis, restart: r, using: &rng)
            let fit = try run(sample, x: x, atoms: start, weights: Array(repeating: 1 / Double(k), count: k))
            if best == nil || fit.logLikelihood > best!.logLikelihood { best = fit }
        }
        return best!
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

    /// The top eigenvectors of `Σ_i s_i^{−2}(X_i − x̄)(X_i − x̄)ᵀ/Σ s_i^{−2} − (n/Σ s_i^{−2}) I`
    /// (up to `min(k, d)` of them), as rows.
    func spectralBasis(_ s: NoisySample) throws -> [[Double]] {
        let p = s.noiseLevels.map { 1 / ($0 * $0) }
        return try s.principalDirections(around: s.weightedMean(p), weights: p, count: k)
    }

    /// Quantiles (1-D, first run) or k-means++ seeds among the data points, compared in the
    /// spectral subspace (d > 1).
    func initialAtoms(_ s: NoisySample, basis: [[Double]]?, restart: Int, using rng: inout some RandomNumberGenerator) -> [[Double]] {
        let n = s.count, d = s.dimension
        if d == 1 && restart == 0 {
            let sorted = s.values.sorted()
            return (0..<k).map { [sorted[min(n - 1, Int((Double($0) + 0.5) / Double(k) * Double(n)))]] }
        }
        func embed(_ i: Int) -> [Double] {
            let x = Array(s.values[(i * d)..<((i + 1) * d)])
            guard let basis else { return x }
            return basis.map { b in zip(b, x).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        let candidates = (0..<min(n, 5000)).map { _ in Int(UInt64.random(in: 0..<UInt64(n), using: &rng)) }
        let embedded = candidates.map(embed)
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
        return seeds.map { Array(s.values[(candidates[$0] * d)..<((candidates[$0] + 1) * d)]) }
    }
}
