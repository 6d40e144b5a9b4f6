import Foundation
import SuretyNumerics

extension PrivateKernelDensity {
    /// An interval that contains the **exact** kernel sum `Σ_x k(x, y)` (or the exact average
    /// similarity) at one query with probability at least `confidence`, over the draw of the
    /// random features and the privacy noise — unlike ``Estimate/noiseStandardDeviation``,
    /// which describes the privacy noise only.
    ///
    /// **What it covers.** For each query `y` fixed independently of the features' draw (the
    /// features come from a public seed chosen independently of the data and of the queries:
    /// `dpkde build` draws a fresh one by default), and for every dataset, the interval covers
    /// the exact value except with probability at most `1 − confidence`. The miss rate is split
    /// equally between the parts present, each bounded by a data-independent inequality:
    ///
    /// - *noise* (`noiseBound`, on the sum): the estimate's noise is `Σ_j a_j Z_j` with public
    ///   weights `a_j = √2·cos(ω_jᵀy + β_j)/(m·2^q)`. Discrete Laplace noise has a moment generating
    ///   function below the continuous Laplace's of the same scale (`(cosh c − 1)/(cosh c − cosh λ)
    ///   ≤ c²/(c² − λ²)`, `c = 1/b`, as `(cosh x − 1)/x²` increases), whose log is at most
    ///   `b²λ²a²/(1 − b²λ²A²)` for `|a| ≤ A`: a Chernoff bound on that gives the radius.
    ///   Discrete Gaussian noise is sub-Gaussian with proxy `σ²` (Canonne, Kamath and Steinke
    ///   2020): radius `σ·√(2·Σa_j²·ln(2/β))`. The fixed-point rounding (`√2·2^{−q−1}` when the sums
    ///   were rounded to `q < 20` bits) and the floating-point sum of the answer are added.
    /// - *features* (`featureBound`, per point): the noise-free estimate is `n·Ȳ` with
    ///   `Y_j = (1/n)·Σ_x φ_j(x)φ_j(y)`, i.i.d. over the `m` features, mean the kernel average,
    ///   `Y_j ∈ [−2, 2]` (`|φ| ≤ √2`), and variance at most `3/2` whatever the data
    ///   (`2cos a cos b = cos(a − b) + cos(a + b)`: the first term is in `[−1, 1]`, the second has
    ///   mean 0 and second moment ≤ ½ over the uniform phase, and they are uncorrelated).
    ///   Bernstein's inequality with range 3 gives `t = (L + √(L² + 3mL))/m`, `L = ln(2/β)`.
    ///   The 2⁻²¹ rounding of each point's fixed-point feature adds `√2·2⁻²¹` per point.
    /// - *projection* (`projectionBound`, per point; only with a JL projection `G`): for each
    ///   point `‖G(x − y)‖²/‖x − y‖² = V ~ χ²_k/k`, and every Euclidean kernel is `f(‖x − y‖²/h²)`
    ///   with `|f(tV) − f(t)| ≤ min(1, c_f·|ln V|)` (``SimilarityKernel/logScaleLipschitz``). The
    ///   points share `G`, so their errors do not average out: the bound is
    ///   `min_a (a + E(min(1, c_f|ln V|) − a)₊ / β)` (Jensen over the points, then Markov), a
    ///   data-independent integral of the χ² tails.
    /// - *count* (`countBound`; add/remove only, where `n` is private): `|ñ − n|` from the
    ///   exact discrete Laplace tail or the sub-Gaussian tail of the count's noise. The sum's
    ///   interval multiplies the per-point bounds by `ñ + countBound`; the average divides by
    ///   `n ∈ [max(1, ñ − countBound), ñ + countBound]`.
    ///
    /// The interval is clipped to what the target can be (`[0, n]` for sums, `[0, 1]` for
    /// averages). **Not covered:** a union over many queries (for `Q` queries at once ask for
    /// `1 − β/Q`); queries chosen after looking at the features; an empty dataset (averages
    /// assume `n ≥ 1`); the double-precision error of the angles `ωᵀx` (relative 10⁻¹⁶, which
    /// matters only for angles beyond about 10⁸ radians). With a public box the exact KDE is
    /// that of the clamped, rescaled points (what the structure estimates).
    ///
    /// All the bounds depend only on `m`, `k`, the kernel, the confidence, the query and the
    /// released values (noise variance, noisy count): nothing is read from the private data.
    public struct ExactInterval: Sendable, Hashable {
        /// Lower end for the exact value.
        public var lower: Double
        /// Upper end for the exact value.
        public var upper: Double
        /// The probability (per query) that `lower ≤ exact ≤ upper`.
        public var confidence: Double
        /// The bound on the privacy noise of the *sum* at this query (with rounding).
        public var noiseBound: Double
        /// The bound on the random features' error, per point (a share of the kernel average).
        public var featureBound: Double
        /// The bound on the JL projection's distortion, per point (0 without a projection).
        public var projectionBound: Double
        /// The bound on `|ñ − n|` (0 when `n` is public, under replace-one).
        public var countBound: Double
    }

    /// The query-independent parts of the exact-KDE intervals at one confidence.
    struct IntervalBudget {
        let confidence: Double
        /// `ln(2/β)` of the noise's share.
        let noiseLog: Double
        /// Per point: features, rounding and projection.
        let featureBound: Double
        let projectionBound: Double
        let countBound: Double
        /// Laplace scale `b` (pure ε) or Gaussian `σ²` of the sums' noise, in integer units.
        let noiseParameter: Double
        let pure: Bool
        /// Rounding to fewer than 20 bits, on the sum.
        let sumRounding: Double

        /// The number of points bounded: `[n_lo, n_hi]`.
        let countRange: ClosedRange<Double>
    }

    func intervalBudget(confidence: Double) throws -> IntervalBudget {
        guard confidence > 0, confidence < 1 else {
            throw NumericsError.domain(function: "exact-KDE interval", value: "confidence \(confidence)", expected: "0 < confidence < 1")
        }
        let privateCount = countNoiseVariance > 0
        let parts = 2 + (features.projection == nil ? 0 : 1) + (privateCount ? 1 : 0)
        let share = (1 - confidence) / Double(parts)
        let m = Double(features.count)
        let featureLog = log(2 / share)
        let bernstein = min(3, (featureLog + (featureLog * featureLog + 3 * m * featureLog).squareRoot()) / m)
        let pointRounding = 2.0.squareRoot() * pow(2, -Double(KernelFeatureSums.fractionBits + 1))
        var projection = 0.0
        if let g = features.projection {
            guard let lipschitz = features.kernel.logScaleLipschitz else {
                throw NumericsError.domain(function: "exact-KDE interval", value: "a projection with the \(features.kernel.rawValue) kernel",
                                           expected: "a Euclidean kernel")
            }
            projection = ExactIntervalBounds.projection(dimension: g.columns, lipschitz: lipschitz, failureProbability: share)
        }
        let pure = privacy.budget.isPure
        let unit = pow(2, Double(fractionBits))
        let integerVariance = sumNoiseVariance * unit * unit
        var countBound = 0.0
        if privateCount {
            countBound = ExactIntervalBounds.countRadius(variance: countNoiseVariance, pure: pure, failureProbability: share)
        }
        let low = max(1, count - countBound)
        return IntervalBudget(
            confidence: confidence, noiseLog: log(2 / share), featureBound: bernstein + pointRounding, projectionBound: projection,
            countBound: countBound,
            noiseParameter: integerVariance > 0 ? ExactIntervalBounds.noiseParameter(variance: integerVariance, pure: pure) : 0, pure: pure,
            sumRounding: fractionBits < KernelFeatureSums.fractionBits ? 2.0.squareRoot() / (2 * unit) : 0,
            countRange: low...max(low, count + countBound))
    }

    /// The interval of a sum (`average == false`) or average at one query, from the estimate
    /// `value` of the sum and the query's features: `Σ_j cos²`, `max_j |cos|` and the sum of
    /// the absolute terms of the estimate (for its floating-point error).
    func exactInterval(sum value: Double, cosineSquares: Double, largestCosine: Double, absoluteTerms: Double,
                       budget: IntervalBudget, average: Bool) -> ExactInterval {
        let m = Double(features.count), unit = pow(2, Double(fractionBits))
        let radius: Double
        if budget.noiseParameter == 0 || largestCosine == 0 {
            radius = 0
        } else if budget.pure {
            let a = 2.0.squareRoot() * largestCosine / (m * unit)
            radius = budget.noiseParameter * a * ExactIntervalBounds.laplaceChernoff(ratio: cosineSquares / (largestCosine * largestCosine),
                                                                                    logTerm: budget.noiseLog)
        } else {
            radius = (2 * budget.noiseParameter * (2 * cosineSquares / (m * m * unit * unit)) * budget.noiseLog).squareRoot()
        }
        let roundoff = Double(features.count + 4) * Double.ulpOfOne * absoluteTerms
        let noise = radius + budget.sumRounding + roundoff
        let perPoint = budget.featureBound + budget.projectionBound
        let (nLow, nHigh) = (budget.countRange.lowerBound, budget.countRange.upperBound)
        var lower: Double, upper: Double
        let ceiling: Double
        if average {
            lower = (value - noise >= 0 ? (value - noise) / nHigh : (value - noise) / nLow) - perPoint
            upper = (value + noise >= 0 ? (value + noise) / nLow : (value + noise) / nHigh) + perPoint
            ceiling = 1
        } else {
            lower = value - noise - nHigh * perPoint
            upper = value + noise + nHigh * perPoint
            ceiling = nHigh
        }
        // The exact value lies in [0, ceiling] on the bounds' event; clip unless that event
        // visibly failed (the clipped interval would be empty).
        if max(lower, 0) <= min(upper, ceiling) {
            lower = max(lower, 0)
            upper = min(upper, ceiling)
        }
        return ExactInterval(lower: lower, upper: upper, confidence: budget.confidence, noiseBound: noise,
                             featureBound: budget.featureBound, projectionBound: budget.projectionBound, countBound: budget.countBound)
    }
}

/// The data-independent inequalities behind ``PrivateKernelDensity/ExactInterval``.
enum ExactIntervalBounds {
    /// `min_{0<u<1} (u·r/(1 − u²) + L/u)`: the Chernoff radius, in units of `b·A`, of
    /// `Σ a_j Z_j` with `Z_j` (discrete) Laplace of scale `b`, `|a_j| ≤ A` and `Σ a_j² = r·A²`,
    /// at two-sided failure probability `2e^{−L}`.
    ///
    /// The function is convex on `(0, 1)`; its derivative `r(1 + u²)/(1 − u²)² − L/u²` is found
    /// to vanish by bisection. Any `u` gives a valid bound, so imprecision only loosens it.
    static func laplaceChernoff(ratio r: Double, logTerm L: Double) -> Double {
        var low = 0.0, high = 1.0
        for _ in 0..<200 {
            let u = (low + high) / 2
            let slope = r * (1 + u * u) / ((1 - u * u) * (1 - u * u)) - L / (u * u)
            if slope > 0 { high = u } else { low = u }
        }
        let u = (low + high) / 2
        return u * r / (1 - u * u) + L / u
    }

    /// The noise parameter of one integer coordinate, from the variance stored in the file:
    /// the discrete Laplace scale `b` (variance `1/(2·sinh²(1/(2b)))`) or the discrete Gaussian
    /// `σ²` (the variance is `σ²` above 100 and slightly less below, CKS20 Prop. 19).
    ///
    /// Both are rounded up: `b` by a relative 10⁻³, which exceeds the floating-point error of a
    /// stored Laplace variance (at most about 2.5·10⁻⁴, at the largest scale 2⁴⁰, where
    /// `1 − e^{−1/b}` loses digits); `σ²` by inverting the (increasing) variance by bisection.
    static func noiseParameter(variance v: Double, pure: Bool) -> Double {
        if pure { return (1 + 1e-3) / (2 * asinh(1 / (2 * v).squareRoot())) }
        guard v <= 101 else { return v }
        var low = 0.0, high = v + 1
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if ExactNoise.discreteGaussianVariance(mid) >= v { high = mid } else { low = mid }
        }
        return high * (1 + 1e-9)
    }

    /// A bound `t` with `P(|Z| > t) ≤ β` for the count's integer noise `Z` of variance `v`:
    /// the exact discrete Laplace tail `P(|Z| ≥ k) = 2q^k/(1 + q)`, `q = e^{−1/b}`, or the
    /// sub-Gaussian tail `2e^{−t²/(2σ²)}`.
    static func countRadius(variance v: Double, pure: Bool, failureProbability beta: Double) -> Double {
        let parameter = noiseParameter(variance: v, pure: pure)
        if pure {
            let q = exp(-1 / parameter)
            let k = max(1, (log(beta * (1 + q) / 2) / log(q)).rounded(.up))
            return k - 1
        }
        return (2 * parameter * log(2 / beta)).squareRoot().rounded(.down)
    }

    /// `min_a (a + E(g(V) − a)₊/β)` for `g(V) = min(1, c·|ln V|)`, `V ~ χ²_k/k`: a bound, exceeded
    /// with probability at most `β`, on the average over any points of a kernel's JL distortion
    /// `|f(tV) − f(t)| ≤ g(V)` (one shared projection: Jensen, then Markov on `(· − a)₊`).
    ///
    /// `E(g − a)₊ = ∫_a^1 P(g > w) dw` with `P(g > w) = P(V > e^{w/c}) + P(V < e^{−w/c})`,
    /// decreasing in `w`: left Riemann sums on 4 000 steps bound it from above.
    static func projection(dimension k: Int, lipschitz c: Double, failureProbability beta: Double) -> Double {
        let chi = Gamma.chiSquared(degreesOfFreedom: Double(k)), steps = 4000
        let tails = (0..<steps).map { i -> Double in
            let w = Double(i) / Double(steps)
            return min(1, chi.survival(Double(k) * exp(w / c)) + chi.cdf(Double(k) * exp(-w / c)))
        }
        var best = 1.0, above = 0.0
        for i in stride(from: steps - 1, through: 0, by: -1) {
            above += tails[i] / Double(steps)
            best = min(best, Double(i) / Double(steps) + above / beta)
        }
        return best
    }
}
