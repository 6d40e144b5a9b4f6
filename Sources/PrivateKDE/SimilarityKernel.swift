import Foundation
import SuretyNumerics

/// The shift-invariant similarity kernels the private kernel-density structure answers, each
/// with its spectral measure for random Fourier features (Rahimi and Recht, NeurIPS 2007;
/// spec dp-kde.md §2.7–2.8). All have `k(0) = 1` and `0 < k ≤ 1`; `h` is the bandwidth.
///
/// | kernel | `k(x, y)` | frequencies `ω` |
/// |---|---|---|
/// | `gaussian` | `exp(−‖x−y‖₂²/h²)` | `N(0, (2/h²)·I)` |
/// | `exponential` | `exp(−‖x−y‖₂/h)` | multivariate Cauchy of scale `1/h`: `g/(h·|u|)`, `g ~ N(0, I)`, `u ~ N(0, 1)` |
/// | `laplace` | `exp(−‖x−y‖₁/h)` | independent Cauchy(0, 1/h) coordinates |
/// | `cauchy` | `1/(1 + ‖x−y‖₂²/h²)` | `t ~ Exp(1)`, then `N(0, (2t/h²)·I)` |
/// | `inverseDistance` | `1/(1 + ‖x−y‖₂/h)` | `t ~ Exp(1)`, then `(t/h)·g/|u|` |
///
/// The last two use the mixture `1/(1+s) = ∫₀^∞ e^{−t}·e^{−ts} dt` (Bernstein's theorem for
/// completely monotone profiles): sampling `t` per feature gives an unbiased feature map of
/// the mixture with a single sketch and a single ε (the spec's "hierarchical" mode), rather
/// than the paper's M-term split with ε/M per term (§2.8), which is noisier for the same ε.
public enum SimilarityKernel: String, Sendable, Hashable, CaseIterable {
    case gaussian
    case exponential
    case laplace
    case cauchy
    case inverseDistance = "inverse-distance"

    /// `k(x, y)` for two points of equal length.
    public func value(_ x: [Double], _ y: [Double], bandwidth h: Double) -> Double {
        var squared = 0.0, absolute = 0.0
        for k in x.indices {
            squared += (x[k] - y[k]) * (x[k] - y[k])
            absolute += abs(x[k] - y[k])
        }
        return value(squaredDistance: squared, l1Distance: absolute, bandwidth: h)
    }

    /// `k` from the distances between two points (`l1Distance` is read only by `laplace`).
    public func value(squaredDistance squared: Double, l1Distance absolute: Double, bandwidth h: Double) -> Double {
        switch self {
        case .gaussian: return exp(-squared / (h * h))
        case .exponential: return exp(-squared.squareRoot() / h)
        case .laplace: return exp(-absolute / h)
        case .cauchy: return 1 / (1 + squared / (h * h))
        case .inverseDistance: return 1 / (1 + squared.squareRoot() / h)
        }
    }

    /// `c_f = sup_t |t·f′(t)|` for a Euclidean kernel written `k = f(‖x − y‖₂²/h²)`: how much the
    /// kernel can move when a squared distance is multiplied by `V`, `|f(tV) − f(t)| ≤ c_f·|ln V|`
    /// (the derivative of `f(e^r)` in `r` is `t·f′(t)`). Bounds the JL projection's distortion in
    /// ``PrivateKernelDensity/ExactInterval``. `nil` for the ℓ1 `laplace` kernel, which takes no projection.
    ///
    /// | kernel | `f(t)` | `c_f`, attained at |
    /// |---|---|---|
    /// | `gaussian` | `e^{−t}` | `1/e`, `t = 1` |
    /// | `exponential` | `e^{−√t}` | `1/(2e)`, `t = 1` |
    /// | `cauchy` | `1/(1 + t)` | `1/4`, `t = 1` |
    /// | `inverseDistance` | `1/(1 + √t)` | `1/8`, `t = 1` |
    public var logScaleLipschitz: Double? {
        switch self {
        case .gaussian: 1 / M_E
        case .exponential: 1 / (2 * M_E)
        case .cauchy: 0.25
        case .inverseDistance: 0.125
        case .laplace: nil
        }
    }

    /// One frequency vector `ω ∈ ℝ^d` from the kernel's spectral measure at bandwidth `h`.
    public func frequency(dimension d: Int, bandwidth h: Double, using generator: inout some RandomNumberGenerator) -> [Double] {
        let normal = Normal.standard
        switch self {
        case .gaussian:
            return (0..<d).map { _ in normal.sample(using: &generator) * (2.0).squareRoot() / h }
        case .cauchy:
            let t = Exponential(rate: 1).sample(using: &generator)
            return (0..<d).map { _ in normal.sample(using: &generator) * (2 * t).squareRoot() / h }
        case .exponential, .inverseDistance:
            let t = self == .exponential ? 1 : Exponential(rate: 1).sample(using: &generator)
            let u = abs(normal.sample(using: &generator))
            return (0..<d).map { _ in normal.sample(using: &generator) * t / (h * u) }
        case .laplace:
            return (0..<d).map { _ in normal.sample(using: &generator) / (h * abs(normal.sample(using: &generator))) }
        }
    }
}
