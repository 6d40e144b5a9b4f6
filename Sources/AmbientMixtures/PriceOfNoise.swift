import Foundation
import SuretyNumerics

/// The price of a noisy sample (spec ambient-gmm.md §C.3, experiment 4): fits
/// `err ≈ A·(n_c + c·n_n)^{−α}` to errors measured on a grid of `(n_c, n_n)` by least squares on
/// `log err`, for each `c` on a fine grid of `(0, 1]`, refines `c` around the best grid point, and
/// returns the `c`, `α` and `A` of the best fit. `c` is what a noisy sample is worth in clean
/// samples.
///
/// DESIGN: the refinement bisects on the sign of `d RSS/dc` (by the envelope theorem
/// `−2b Σ rᵢ n_n,ᵢ/(n_c,ᵢ + c n_n,ᵢ)` at the inner least-squares optimum), not on comparisons of
/// `RSS` values. Near its minimum `RSS` is flat, so comparing values locates the minimiser only to
/// about the square root of the values' rounding: a last-bit change of the measured errors (another
/// CPU's BLAS kernels) moved `c` by 2·10⁻⁸ relative. The derivative's root is as well conditioned
/// as the data, so certificates reproduce across machines far inside their tolerance.
public enum PriceOfNoise {
    public struct Fit: Sendable, Equatable {
        public var price: Double
        public var exponent: Double
        public var scale: Double
        /// Residual sum of squares of `log err`.
        public var residual: Double
    }

    /// - Parameter points: `(n_clean, n_noisy, error)` with positive errors and `n_c + n_n > 0`.
    public static func fit(_ points: [(clean: Double, noisy: Double, error: Double)]) -> Fit {
        // The least-squares line of log err on log(n_c + c·n_n).
        func line(_ c: Double) -> (intercept: Double, slope: Double, rss: Double) {
            let xs = points.map { log($0.clean + c * $0.noisy) }, ys = points.map { log($0.error) }
            let n = Double(points.count)
            let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
            var sxy = 0.0, sxx = 0.0
            for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
            let slope = sxx > 0 ? sxy / sxx : 0
            let intercept = my - slope * mx
            let rss = zip(xs, ys).reduce(0.0) { $0 + pow($1.1 - intercept - slope * $1.0, 2) }
            return (intercept, slope, rss)
        }
        func regress(_ c: Double) -> Fit {
            let l = line(c)
            return Fit(price: c, exponent: -l.slope, scale: exp(l.intercept), residual: l.rss)
        }
        // Whether RSS decreases at c: d RSS/dc = −2b Σ rᵢ n_n,ᵢ/(n_c,ᵢ + c n_n,ᵢ) < 0 (envelope
        // theorem: the line's own parameters are at their optimum).
        func descending(_ c: Double) -> Bool {
            let l = line(c)
            var weighted = 0.0
            for p in points {
                let total = p.clean + c * p.noisy
                weighted += (log(p.error) - l.intercept - l.slope * log(total)) * p.noisy / total
            }
            return -l.slope * weighted < 0
        }
        // Coarse grid in log c over [1e-4, 1], then bisection on the sign of the derivative
        // within the best point's bracket.
        let grid = (0...80).map { pow(10, -4 + 4 * Double($0) / 80) }
        let fits = grid.map(regress)
        let best = fits.indices.min { fits[$0].residual < fits[$1].residual }!
        guard best > 0, best < grid.count - 1 else { return fits[best] }   // the optimum sits at an end of the range
        var lo = log10(grid[best - 1]), hi = log10(grid[best + 1])
        guard descending(pow(10, lo)), !descending(pow(10, hi)) else { return fits[best] }
        while true {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if descending(pow(10, mid)) { lo = mid } else { hi = mid }
        }
        let refined = regress(pow(10, (lo + hi) / 2))
        return refined.residual <= fits[best].residual ? refined : fits[best]
    }
}

/// The scaling sweeps of spec §C.3 (experiments 1, 2 and 4) for one mixture and one σ.
public struct AmbientSweep: Sendable {
    public var mixing: MixingDistribution
    public var sigma: Double
    public var repetitions: Int
    public var restarts = 2
    public var estimator: AmbientSimulation.Estimator = .em
    /// The clean noise level `s₀` (noisy samples have `√(s₀² + σ²)`).
    public var cleanNoise = 1.0
    /// Totals N for the error-vs-N curves.
    public var totals = [2_000, 5_000, 10_000, 20_000]
    /// The (n_clean, n_noisy) grid of the price fit.
    public var cleanCounts = [500, 1_000, 2_000, 4_000]
    public var noisyCounts = [0, 2_000, 8_000, 32_000]

    public init(mixing: MixingDistribution, sigma: Double, repetitions: Int) {
        self.mixing = mixing
        self.sigma = sigma
        self.repetitions = repetitions
    }

    public struct Cell: Sendable {
        public var clean: Int
        public var noisy: Int
        public var meanW1: Double
        /// W1 of each repetition (for resampling).
        public var w1Values: [Double] = []
        /// EM with several restarts: repetitions whose likelihood-best restart is not the
        /// W1-best (``AmbientSimulation/Row/likelihoodW1Disagreements``); else nil.
        public var likelihoodW1Disagreements: Int? = nil
    }

    /// Mean W1 for every `(n_clean, n_noisy)` asked for (repetitions in parallel, seeded).
    public func measure(_ cells: [(clean: Int, noisy: Int)], seed: UInt64, progress: (@Sendable () -> Void)? = nil) throws -> [Cell] {
        try cells.enumerated().map { index, cell in
            var simulation = try AmbientSimulation(mixing: mixing, sigma: sigma, total: cell.clean + cell.noisy, repetitions: repetitions)
            simulation.restarts = restarts
            simulation.estimator = estimator
            simulation.cleanNoise = cleanNoise
            let condition = AmbientSimulation.Condition(name: "\(cell.clean)+\(cell.noisy)", clean: cell.clean, noisy: cell.noisy)
            let row = try simulation.run(conditions: [condition], seed: seed &+ UInt64(index) &* 7919, progress: progress)[0]
            return Cell(clean: cell.clean, noisy: cell.noisy, meanW1: row.meanW1, w1Values: row.w1Values,
                        likelihoodW1Disagreements: row.likelihoodW1Disagreements)
        }
    }

    /// A measured iso-error curve (spec §C.3, experiment 3): for each clean count of the grid,
    /// the number of noisy samples at which the measured mean W1 reaches `target`, by linear
    /// interpolation of `log W1` against `log(n_clean + n_noisy)` between the two grid cells that
    /// bracket the first crossing (exact for a power law in the total count; on the law
    /// `(n_c + n_n/4)^{−½}` of the tests the default grid gives ≤ 3.3 %, where `log(1 + n_noisy)`
    /// gave 50 % on the first segment) — `0` when the clean samples alone reach it, nil when the
    /// largest noisy count of the grid does not. Measured errors are Monte Carlo means, so a
    /// row need not be monotone; the first crossing is taken.
    ///
    /// - Parameter cells: the grid as ``measure(_:seed:progress:)`` returns it.
    public static func isoErrorCurve(_ cells: [Cell], target: Double) -> [(clean: Int, noisy: Double?)] {
        let cleanCounts = Array(Set(cells.map(\.clean))).sorted()
        return cleanCounts.map { c in
            let row = cells.filter { $0.clean == c }.sorted { $0.noisy < $1.noisy }
            guard let first = row.first else { return (c, nil) }
            if first.meanW1 <= target { return (c, first.noisy == 0 ? 0 : Double(first.noisy)) }
            for (a, b) in zip(row, row.dropFirst()) where b.meanW1 <= target {
                let xa = log(Double(max(1, c + a.noisy))), xb = log(Double(c + b.noisy))
                let t = (log(target) - log(a.meanW1)) / (log(b.meanW1) - log(a.meanW1))
                return (c, exp(xa + t * (xb - xa)) - Double(c))
            }
            return (c, nil)
        }
    }

    /// A percentile bootstrap interval for the price `c` (Efron & Tibshirani 1993, ch. 13):
    /// the repetitions of every cell are resampled with replacement, the price refitted, and
    /// the `(1 ± level)/2` quantiles of the `resamples` refits returned. It measures the Monte
    /// Carlo uncertainty of the fit on this grid, not a model error.
    ///
    /// - Parameter cells: the grid with its per-repetition values.
    public static func priceInterval(_ cells: [Cell], level: Double = 0.9, resamples: Int = 400, seed: UInt64) -> (lower: Double, upper: Double)? {
        guard cells.allSatisfy({ !$0.w1Values.isEmpty }), resamples >= 2, level > 0, level < 1 else { return nil }
        var rng = RandomStream(seed: seed)
        var prices: [Double] = []
        prices.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let points = cells.map { cell -> (clean: Double, noisy: Double, error: Double) in
                let n = cell.w1Values.count
                var total = 0.0
                for _ in 0..<n { total += cell.w1Values[Int(UInt64.random(in: 0..<UInt64(n), using: &rng))] }
                return (Double(cell.clean), Double(cell.noisy), total / Double(n))
            }
            prices.append(PriceOfNoise.fit(points).price)
        }
        prices.sort()
        func quantile(_ p: Double) -> Double { prices[min(prices.count - 1, max(0, Int((p * Double(prices.count)).rounded(.down))))] }
        return (quantile((1 - level) / 2), quantile((1 + level) / 2))
    }

    /// The noisy level `s/s₀` and the three reference prices `(s₀/s)²`, `(s₀/s)⁴`, `(s₀/s)^{4k−2}`.
    public var referencePrices: (parametric: Double, subspace: Double, fineGrained: Double) {
        let r = cleanNoise * cleanNoise / (cleanNoise * cleanNoise + sigma * sigma)       // (s₀/s)²
        return (r, r * r, pow(r, Double(2 * mixing.k - 1)))
    }
}
