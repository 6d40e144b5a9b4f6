import Foundation

/// Distances between mixing distributions (spec ambient-gmm.md §C.3, metrics).
public enum MixtureMetrics {
    /// `W1(Γ̂, Γ)`: exact in 1-D (`∫|F̂ − F|`); in `d` dimensions the optimal transport between
    /// the two atomic distributions with Euclidean cost, solved exactly as a min-cost flow
    /// (successive shortest paths on the `k × k'` bipartite graph).
    public static func wasserstein1(_ a: MixingDistribution, _ b: MixingDistribution) -> Double {
        if a.dimension == 1 {
            var fa = 0.0, fb = 0.0, total = 0.0
            var mass: [Double: (Double, Double)] = [:]
            for (j, x) in a.atoms.enumerated() { mass[x[0], default: (0, 0)].0 += a.weights[j] }
            for (j, x) in b.atoms.enumerated() { mass[x[0], default: (0, 0)].1 += b.weights[j] }
            let xs = mass.keys.sorted()
            for (index, x) in xs.enumerated() {
                fa += mass[x]?.0 ?? 0
                fb += mass[x]?.1 ?? 0
                if index + 1 < xs.count { total += abs(fa - fb) * (xs[index + 1] - x) }
            }
            return total
        }
        return transport(a, b)
    }

    /// `max_j ‖μ̂_{π(j)} − μ_j‖` over the best matching `π` of the atoms (k ≤ 8: all
    /// permutations), and the matched `max_j |π̂ − π|`.
    public static func matchedError(_ estimate: MixingDistribution, _ truth: MixingDistribution) -> (atoms: Double, weights: Double) {
        let k = truth.k
        guard estimate.k == k, k <= 8 else { return (.nan, .nan) }
        var best = (Double.infinity, Double.infinity)
        func permute(_ p: [Int], _ rest: [Int]) {
            if rest.isEmpty {
                let atom = (0..<k).map { j in zip(estimate.atoms[p[j]], truth.atoms[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }.max()!
                if atom < best.0 { best = (atom, (0..<k).map { abs(estimate.weights[p[$0]] - truth.weights[$0]) }.max()!) }
                return
            }
            for (i, r) in rest.enumerated() { var q = rest; q.remove(at: i); permute(p + [r], q) }
        }
        permute([], Array(0..<k))
        return best
    }

    /// Total variation and Hellinger distances between the clean densities `Γ̂ * N(0, s₀²)` and
    /// `Γ * N(0, s₀²)` in one dimension, by the trapezoidal rule on a grid of step `s₀/200`
    /// covering every atom ± 12 s₀ (the tails beyond carry less than 10⁻³²); accurate to about
    /// 10⁻⁶ (the kinks of |p − q| limit the rule to O(h²)).
    public static func cleanDensityDistances(_ a: MixingDistribution, _ b: MixingDistribution, cleanNoise s0: Double = 1) -> (totalVariation: Double, hellinger: Double) {
        precondition(a.dimension == 1 && b.dimension == 1, "clean-density distances are one-dimensional")
        let all = (a.atoms + b.atoms).map { $0[0] }
        let lo = all.min()! - 12 * s0, hi = all.max()! + 12 * s0, h = s0 / 200
        func density(_ m: MixingDistribution, _ x: Double) -> Double {
            zip(m.atoms, m.weights).reduce(0) { $0 + $1.1 * exp(-pow(x - $1.0[0], 2) / (2 * s0 * s0)) } / (s0 * (2 * Double.pi).squareRoot())
        }
        var tv = 0.0, affinity = 0.0, x = lo
        var index = 0
        while x <= hi {
            let p = density(a, x), q = density(b, x)
            let w = (index == 0 || x + h > hi) ? h / 2 : h
            tv += w * abs(p - q) / 2
            affinity += w * (p * q).squareRoot()
            x += h
            index += 1
        }
        return (tv, max(0, 1 - affinity).squareRoot())
    }

    /// Total variation and Hellinger distances between the clean densities `p = Γ * N(0, s₀² I)`
    /// and `q = Γ̂ * N(0, s₀² I)` in any dimension, by Monte Carlo under `p` (spec §C.3):
    /// `TV = E_p|1 − q/p|/2` and `H² = 1 − E_p √(q/p)`, from `samples` draws of `p`, the
    /// density ratio computed in log space. Returns the estimates with their standard errors
    /// (Hellinger's by the delta method, `se(E√(q/p))/(2H)`).
    public static func cleanDensityDistances(truth p: MixingDistribution, estimate q: MixingDistribution, cleanNoise s0: Double = 1,
                                             samples: Int = 20_000, using rng: inout some RandomNumberGenerator) throws
        -> (totalVariation: Double, hellinger: Double, totalVariationError: Double, hellingerError: Double) {
        precondition(p.dimension == q.dimension, "dimensions differ")
        precondition(samples >= 2, "at least two samples")
        let draws = try p.sample(noiseLevels: Array(repeating: s0, count: samples), using: &rng)
        let d = p.dimension
        func logDensity(_ m: MixingDistribution, _ i: Int) -> Double {             // up to the common (2πs₀²)^{−d/2}
            logMixtureKernel(m, draws.values[(i * d)..<((i + 1) * d)], level: s0)
        }
        var tv = 0.0, tvSquares = 0.0, affinity = 0.0, affinitySquares = 0.0
        for i in 0..<samples {
            let ratio = exp(logDensity(q, i) - logDensity(p, i))
            let t = abs(1 - ratio) / 2
            tv += t; tvSquares += t * t
            affinity += ratio.squareRoot(); affinitySquares += ratio
        }
        let n = Double(samples), mean = tv / n, bc = affinity / n
        let tvVariance = max(0, tvSquares / n - mean * mean) * n / (n - 1)
        let bcVariance = max(0, affinitySquares / n - bc * bc) * n / (n - 1)
        let h = max(0, 1 - bc).squareRoot()
        return (mean, h, (tvVariance / n).squareRoot(), h > 0 ? (bcVariance / n).squareRoot() / (2 * h) : 0)
    }

    /// The mean log-likelihood of clean samples (rows of `values`, dimension `m.dimension`)
    /// under `Γ̂ * N(0, s₀² I)` — the held-out likelihood of the spec's metrics.
    public static func meanLogLikelihood(_ m: MixingDistribution, values: [Double], cleanNoise s0: Double = 1) -> Double {
        meanLogLikelihood(m, values: values) { _ in s0 }
    }

    /// The mean log-likelihood of `sample` under `Γ̂ * N(0, s_i² I)`, each row with its own
    /// noise level (what EM maximizes).
    public static func meanLogLikelihood(_ m: MixingDistribution, sample: NoisySample) -> Double {
        precondition(sample.dimension == m.dimension, "dimensions differ")
        return meanLogLikelihood(m, values: sample.values) { sample.noiseLevels[$0] }
    }

    /// `log Σ_j π_j exp(−‖x − μ_j‖²/(2s²))` for one point, by log-sum-exp: the log-density of
    /// `Γ * N(0, s² I)` at `x` without its normalizer `−(d/2) log(2πs²)`.
    static func logMixtureKernel(_ m: MixingDistribution, _ x: ArraySlice<Double>, level s: Double) -> Double {
        let terms = zip(m.atoms, m.weights).map { atom, w in
            log(w) - zip(atom, x).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * s * s)
        }
        let top = terms.max()!
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    static func meanLogLikelihood(_ m: MixingDistribution, values: [Double], level: (Int) -> Double) -> Double {
        let d = m.dimension, n = values.count / d
        var total = 0.0
        for i in 0..<n {
            let s = level(i)
            total += logMixtureKernel(m, values[(i * d)..<((i + 1) * d)], level: s) - Double(d) * log(2 * Double.pi * s * s) / 2
        }
        return total / Double(max(n, 1))
    }

    /// Exact OT between atomic distributions by successive shortest augmenting paths
    /// (Bellman–Ford on the residual graph; sizes are tiny).
    static func transport(_ a: MixingDistribution, _ b: MixingDistribution) -> Double {
        let ka = a.k, kb = b.k
        let cost = a.atoms.map { x in b.atoms.map { y in zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() } }
        var flow = [[Double]](repeating: [Double](repeating: 0, count: kb), count: ka)
        var supply = a.weights, demand = b.weights
        var total = 0.0
        // Nodes: sources 0..<ka, sinks ka..<ka+kb. Forward arcs i→j (cost c), backward j→i (cost −c) when flow > 0.
        while supply.contains(where: { $0 > 1e-15 }) && demand.contains(where: { $0 > 1e-15 }) {
            var distance = [Double](repeating: .infinity, count: ka + kb), previous = [Int](repeating: -1, count: ka + kb)
            for i in 0..<ka where supply[i] > 1e-15 { distance[i] = 0 }
            for _ in 0..<(ka + kb) {
                var changed = false
                for i in 0..<ka where distance[i] < .infinity {
                    for j in 0..<kb where distance[i] + cost[i][j] < distance[ka + j] - 1e-15 {
                        distance[ka + j] = distance[i] + cost[i][j]; previous[ka + j] = i; changed = true
                    }
                }
                for j in 0..<kb where distance[ka + j] < .infinity {
                    for i in 0..<ka where flow[i][j] > 1e-15 && distance[ka + j] - cost[i][j] < distance[i] - 1e-15 {
                        distance[i] = distance[ka + j] - cost[i][j]; previous[i] = ka + j; changed = true
                    }
                }
                if !changed { break }
            }
            guard let sink = (0..<kb).filter({ demand[$0] > 1e-15 && distance[ka + $0] < .infinity }).min(by: { distance[ka + $0] < distance[ka + $1] }) else { break }
            // Trace the path back and find its capacity.
            var path: [(Int, Int, Bool)] = [], node = ka + sink                 // (i, j, forward)
            while previous[node] >= 0 {
                let p = previous[node]
                if node >= ka { path.append((p, node - ka, true)) } else { path.append((node, p - ka, false)) }
                node = p
            }
            let source = node
            var amount = min(supply[source], demand[sink])
            for (i, j, forward) in path where !forward { amount = min(amount, flow[i][j]) }
            for (i, j, forward) in path {
                if forward { flow[i][j] += amount; total += amount * cost[i][j] } else { flow[i][j] -= amount; total -= amount * cost[i][j] }
            }
            supply[source] -= amount
            demand[sink] -= amount
        }
        return total
    }
}
