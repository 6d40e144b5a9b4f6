import CGSL
import Foundation

// Samplers take their generator as an `inout` parameter and never hold one. Each uses only
// `next()` of the generator, so for a `RandomStream` the draws depend only on the seed and
// on the platform's `log` and `pow` (`sqrt` is exactly rounded by IEEE 754): the same C library
// gives the same draws.
//
// Quantile functions follow the IEEE convention for their edges: `quantile(0)` and
// `quantile(1)` are the ends of the support (possibly ±∞) and a probability outside [0, 1]
// (or NaN) gives NaN.

/// The continuous uniform distribution on `[lower, upper)`.
public struct Uniform: Sendable, Hashable {
    public let lower: Double, upper: Double

    /// - Precondition: `lower < upper`, both finite.
    public init(lower: Double = 0, upper: Double = 1) {
        precondition(lower < upper && lower.isFinite && upper.isFinite, "Uniform needs finite lower < upper")
        self.lower = lower; self.upper = upper
    }

    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        lower + (upper - lower) * generator.nextUniform()
    }
}

/// The normal distribution `N(mean, standardDeviation²)`.
public struct Normal: Sendable, Hashable {
    public let mean: Double, standardDeviation: Double

    /// The standard normal `N(0, 1)`.
    public static let standard = Normal(mean: 0, standardDeviation: 1)

    /// - Precondition: `standardDeviation > 0`, both finite.
    public init(mean: Double = 0, standardDeviation: Double = 1) {
        precondition(standardDeviation > 0 && standardDeviation.isFinite && mean.isFinite,
                     "Normal needs a finite mean and a positive finite standard deviation")
        self.mean = mean; self.standardDeviation = standardDeviation
        _ = GSL.ready
    }

    /// One draw (Marsaglia's polar method; exact in distribution).
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        mean + standardDeviation * Normal.standardPair(using: &generator).0
    }

    /// `count` independent draws, using both values of each polar pair.
    public func samples(count: Int, using generator: inout some RandomNumberGenerator) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(count)
        while out.count < count {
            let (z1, z2) = Normal.standardPair(using: &generator)
            out.append(mean + standardDeviation * z1)
            if out.count < count { out.append(mean + standardDeviation * z2) }
        }
        return out
    }

    /// Two independent standard normal draws.
    static func standardPair(using generator: inout some RandomNumberGenerator) -> (Double, Double) {
        while true {
            let u = 2 * generator.nextUniform() - 1
            let v = 2 * generator.nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                return (u * f, v * f)
            }
        }
    }

    /// `P(X ≤ x)`, accurate to full relative precision in both tails.
    public func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P((x - mean) / standardDeviation) }

    /// `P(X > x)`, accurate in the upper tail.
    public func survival(_ x: Double) -> Double { gsl_cdf_ugaussian_Q((x - mean) / standardDeviation) }

    /// The `p`-quantile Φ⁻¹(p) (Wichura's AS 241, about 1e-16 relative accuracy).
    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        return mean + standardDeviation * gsl_cdf_ugaussian_Pinv(p)
    }

    /// The log density at `x`.
    public func logDensity(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return -0.5 * z * z - log(standardDeviation) - 0.5 * log(2 * Double.pi)
    }
}

/// The exponential distribution with the given rate (mean `1/rate`).
public struct Exponential: Sendable, Hashable {
    public let rate: Double

    /// - Precondition: `rate > 0`, finite.
    public init(rate: Double = 1) {
        precondition(rate > 0 && rate.isFinite, "Exponential needs a positive finite rate")
        self.rate = rate
    }

    /// One draw by inversion: `−log(U) / rate` with `U` in (0, 1).
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        -log(generator.nextOpenUniform()) / rate
    }

    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : -expm1(-rate * x) }

    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        return -log1p(-p) / rate
    }
}

/// The Laplace (double-exponential) distribution with density `exp(−|x − location|/scale) / (2·scale)`.
///
/// This is the continuous distribution for simulation. Differential-privacy noise must use
/// the exact discrete samplers of `PrivateKDE`, never this floating-point sampler.
public struct Laplace: Sendable, Hashable {
    public let location: Double, scale: Double

    /// - Precondition: `scale > 0`, both finite.
    public init(location: Double = 0, scale: Double = 1) {
        precondition(scale > 0 && scale.isFinite && location.isFinite, "Laplace needs a finite location and a positive finite scale")
        self.location = location; self.scale = scale
    }

    /// One draw: a random sign times an exponential draw.
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        let bits = generator.next()
        let magnitude = -log((Double(bits >> 11) + 0.5) * 0x1.0p-53) * scale
        return bits & 1 == 0 ? location + magnitude : location - magnitude
    }

    public func cdf(_ x: Double) -> Double {
        let z = (x - location) / scale
        return z < 0 ? 0.5 * exp(z) : 1 - 0.5 * exp(-z)
    }

    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        return p < 0.5 ? location + scale * log(2 * p) : location - scale * log(2 * (1 - p))
    }
}

/// The gamma distribution with density proportional to `x^{shape−1} e^{−x/scale}`.
public struct Gamma: Sendable, Hashable {
    public let shape: Double, scale: Double

    /// - Precondition: `shape > 0`, `scale > 0`, both finite.
    public init(shape: Double, scale: Double = 1) {
        precondition(shape > 0 && scale > 0 && shape.isFinite && scale.isFinite, "Gamma needs positive finite shape and scale")
        self.shape = shape; self.scale = scale
        _ = GSL.ready
    }

    /// One draw (Marsaglia & Tsang 2000; for `shape < 1` the boost `G(shape+1)·U^{1/shape}`).
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        scale * Gamma.standard(shape: shape, using: &generator)
    }

    static func standard(shape: Double, using generator: inout some RandomNumberGenerator) -> Double {
        if shape < 1 {
            let g = standard(shape: shape + 1, using: &generator)
            return g * pow(generator.nextOpenUniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = Normal.standardPair(using: &generator).0
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = generator.nextOpenUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_gamma_P(x, shape, scale) }

    /// `P(X > x)`, accurate in the upper tail.
    public func survival(_ x: Double) -> Double { x <= 0 ? 1 : gsl_cdf_gamma_Q(x, shape, scale) }

    /// The smallest `x` with `P(X ≤ x) ≥ p`, to within adjacent doubles (bisection over bit patterns).
    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        return invertNondecreasing(lower: 0, upper: .greatestFiniteMagnitude, target: p, cdf)
    }

    /// The `x` with `P(X > x) = q`, accurate for tiny `q` (e.g. chi-squared critical values).
    public func upperQuantile(_ q: Double) -> Double {
        guard q >= 0 && q <= 1 else { return .nan }
        if q == 0 { return .infinity }
        if q == 1 { return 0 }
        return invertNondecreasing(lower: 0, upper: .greatestFiniteMagnitude, target: -q) { -survival($0) }
    }

    /// The chi-squared distribution with `k` degrees of freedom, `Gamma(k/2, scale: 2)`.
    public static func chiSquared(degreesOfFreedom k: Double) -> Gamma { Gamma(shape: k / 2, scale: 2) }
}

/// The beta distribution on [0, 1] with shape parameters `alpha`, `beta`.
public struct Beta: Sendable, Hashable {
    public let alpha: Double, beta: Double

    /// - Precondition: `alpha > 0`, `beta > 0`, both finite.
    public init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0 && alpha.isFinite && beta.isFinite, "Beta needs positive finite shapes")
        self.alpha = alpha; self.beta = beta
        _ = GSL.ready
    }

    /// One draw as `X / (X + Y)` with independent gamma draws.
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        let x = Gamma.standard(shape: alpha, using: &generator)
        let y = Gamma.standard(shape: beta, using: &generator)
        return x / (x + y)
    }

    /// `P(X ≤ x)` (the regularized incomplete beta function).
    public func cdf(_ x: Double) -> Double {
        x <= 0 ? 0 : (x >= 1 ? 1 : gsl_cdf_beta_P(x, alpha, beta))
    }

    /// `P(X > x)`, accurate in the upper tail.
    public func survival(_ x: Double) -> Double {
        x <= 0 ? 1 : (x >= 1 ? 0 : gsl_cdf_beta_Q(x, alpha, beta))
    }

    /// The smallest `x` with `P(X ≤ x) ≥ p`, to within adjacent doubles of the exact
    /// quantile of GSL's CDF (bisection over bit patterns; never fails to converge).
    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        _ = GSL.ready
        return invertNondecreasing(lower: 0, upper: 1, target: p, cdf)
    }

    /// The `x` with `P(X > x) = q`: the upper quantile, accurate when `q` is tiny (where
    /// `quantile(1 − q)` would lose the digits of `q` to rounding).
    public func upperQuantile(_ q: Double) -> Double {
        guard q >= 0 && q <= 1 else { return .nan }
        if q == 0 { return 1 }
        if q == 1 { return 0 }
        _ = GSL.ready
        return invertNondecreasing(lower: 0, upper: 1, target: -q) { -survival($0) }
    }
}

/// Student's t distribution with `degreesOfFreedom` ν.
public struct StudentT: Sendable, Hashable {
    public let degreesOfFreedom: Double

    /// - Precondition: `degreesOfFreedom > 0`, finite.
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0 && degreesOfFreedom.isFinite, "StudentT needs positive finite degrees of freedom")
        self.degreesOfFreedom = degreesOfFreedom
        _ = GSL.ready
    }

    /// One draw `Z / √(χ²_ν / ν)`.
    public func sample(using generator: inout some RandomNumberGenerator) -> Double {
        let z = Normal.standardPair(using: &generator).0
        let chi2 = 2 * Gamma.standard(shape: degreesOfFreedom / 2, using: &generator)
        return z / (chi2 / degreesOfFreedom).squareRoot()
    }

    public func cdf(_ x: Double) -> Double { gsl_cdf_tdist_P(x, degreesOfFreedom) }

    /// `P(X > x)`, accurate in the upper tail.
    public func survival(_ x: Double) -> Double { gsl_cdf_tdist_Q(x, degreesOfFreedom) }

    /// The `p`-quantile (GSL's inverse; agrees with SciPy to 1e-12 at ν = 10 in the tests).
    public func quantile(_ p: Double) -> Double {
        guard p >= 0 && p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        return gsl_cdf_tdist_Pinv(p, degreesOfFreedom)
    }
}
