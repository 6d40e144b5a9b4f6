import Foundation
import SuretyNumerics

/// The marginals of the experiments of spec tester-learner.md §A.8. All but `correlated` and
/// `ckmy` are isotropic (mean 0, covariance I); only `gaussian` should be accepted.
public enum Marginal: String, Sendable, CaseIterable {
    /// `N(0, I_d)`.
    case gaussian
    /// Uniform on `[−√3, √3]^d` (coordinate kurtosis 1.8).
    case cube
    /// Student-t with ν = 5 per coordinate, scaled to unit variance (kurtosis 9).
    case studentT = "student-t"
    /// Laplace per coordinate, scaled to unit variance (kurtosis 6).
    case laplace
    /// Chen–Koehler–Moitra–Yau's mixture `½N(0, I) + ½N(0, Σ₂)`, `Σ₂[0,0] = 8`,
    /// `Σ₂[0,1] = Σ₂[1,0] = 0.1`, `Σ₂[1,1] = 0.0024`, identity elsewhere (d ≥ 2).
    case ckmy
    /// `N(0, Σ)`, `Σ = I + 0.3(e₁e₂ᵀ + e₂e₁ᵀ)`: `‖Σ − I‖ = 0.3` (d ≥ 2).
    case correlated

    /// `n` points in dimension `d`, row-major.
    public func sample(count n: Int, dimension d: Int, using rng: inout some RandomNumberGenerator) throws -> [Double] {
        guard d >= 1, n >= 0 else { throw NumericsError.domain(function: "marginal", value: "n = \(n), d = \(d)", expected: "n ≥ 0, d ≥ 1") }
        if (self == .ckmy || self == .correlated) && d < 2 {
            throw NumericsError.domain(function: "marginal \(rawValue)", value: "d = \(d)", expected: "d ≥ 2")
        }
        let normal = Normal.standard
        var out = [Double](repeating: 0, count: n * d)
        switch self {
        case .gaussian:
            for k in out.indices { out[k] = normal.sample(using: &rng) }
        case .cube:
            for k in out.indices { out[k] = (2 * rng.nextUniform() - 1) * 3.0.squareRoot() }
        case .studentT:
            let t = StudentT(degreesOfFreedom: 5), scale = (3.0 / 5).squareRoot()      // Var t₅ = 5/3
            for k in out.indices { out[k] = t.sample(using: &rng) * scale }
        case .laplace:
            let l = Laplace(location: 0, scale: 1 / 2.0.squareRoot())                    // Var = 2b² = 1
            for k in out.indices { out[k] = l.sample(using: &rng) }
        case .ckmy:
            // Σ₂'s leading 2×2 block [[8, 0.1], [0.1, 0.0024]] by its Cholesky factor.
            let l00 = 8.0.squareRoot(), l10 = 0.1 / l00, l11 = (0.0024 - l10 * l10).squareRoot()
            for i in 0..<n {
                for j in 0..<d { out[i * d + j] = normal.sample(using: &rng) }
                if rng.next() & 1 == 1 {
                    let g0 = out[i * d], g1 = out[i * d + 1]
                    out[i * d] = l00 * g0
                    out[i * d + 1] = l10 * g0 + l11 * g1
                }
            }
        case .correlated:
            // Cholesky of [[1, 0.3], [0.3, 1]].
            let l11 = (1 - 0.09).squareRoot()
            for i in 0..<n {
                for j in 0..<d { out[i * d + j] = normal.sample(using: &rng) }
                let g0 = out[i * d], g1 = out[i * d + 1]
                out[i * d + 1] = 0.3 * g0 + l11 * g1
            }
        }
        return out
    }
}

/// How labels are drawn from the target halfspace `w* = e₁` (spec §A.8); `u = e₂`.
public enum LabelModel: Sendable, Hashable {
    /// `y = sign(x₁)`.
    case clean
    /// Random classification noise: every label flipped with probability `η`.
    case randomFlips(eta: Double)
    /// Massart "correlated quadrant": flipped with probability `η` iff `sign(x₂) = sign(x₁)`;
    /// `opt = η/2` under the Gaussian, and the Chow vector is at angle `atan(η/(1−η))` from `w*`.
    case quadrantMassart(eta: Double)
    /// Massart "wedge" (issue #19's construction): flipped with probability `η` iff
    /// `sign(x₁)·x₂ > 0` and `|x₁| > margin` — flips away from the boundary, all on one side of
    /// `w*` along `e₂`, so the Chow vector and surrogates are pulled toward `−e₂`.
    case wedgeMassart(eta: Double, margin: Double)
    /// Massart "band": flipped with probability `η` iff `|x₁| ≥ t`.
    case bandMassart(eta: Double, threshold: Double)
    /// Adversarial: every label in `{0 < x₁ < 0.5, x₂ > q}` flipped, `q` set so that the region
    /// has Gaussian mass `opt`.
    case adversarial(opt: Double)
    /// CKMY's labels: `y = sign(x₂)` (w* = e₂), flipped with probability `η` when `x₂ > 0.3`.
    case ckmy(eta: Double)

    /// The target halfspace of the model in dimension `d`.
    public func target(dimension d: Int) -> [Double] {
        var w = [Double](repeating: 0, count: d)
        if case .ckmy = self { w[1] = 1 } else { w[0] = 1 }
        return w
    }

    /// The flip probability `η(x)` at a point with first coordinates `x₁, x₂`, for the models
    /// whose labels are `sign(x₁)` flipped independently (`nil` for the adversarial and CKMY
    /// models): what a falsification test needs to compute a halfspace's true excess error.
    public func flipProbability(x1: Double, x2: Double) -> Double? {
        switch self {
        case .clean: 0
        case .randomFlips(let eta): eta
        case .quadrantMassart(let eta): (x2 >= 0) == (x1 >= 0) ? eta : 0
        case .wedgeMassart(let eta, let margin): (x1 >= 0) == (x2 > 0) && x2 != 0 && abs(x1) > margin ? eta : 0
        case .bandMassart(let eta, let t): abs(x1) >= t ? eta : 0
        case .adversarial, .ckmy: nil
        }
    }

    /// Labels for the row-major points.
    public func labels(_ points: [Double], dimension d: Int, using rng: inout some RandomNumberGenerator) throws -> [Double] {
        let n = points.count / d
        func flip(_ p: Double) -> Bool { rng.nextUniform() < p }
        switch self {
        case .randomFlips(let eta), .quadrantMassart(let eta), .bandMassart(let eta, _), .ckmy(let eta), .wedgeMassart(let eta, _):
            guard eta >= 0, eta < 0.5 else { throw NumericsError.domain(function: "label model", value: "η = \(eta)", expected: "0 ≤ η < 1/2") }
        case .adversarial(let opt):
            guard opt > 0, opt < 0.19 else { throw NumericsError.domain(function: "label model", value: "opt = \(opt)", expected: "0 < opt < 0.19") }
        case .clean: break
        }
        if d < 2 {
            switch self {
            case .quadrantMassart, .adversarial, .ckmy, .wedgeMassart:
                throw NumericsError.domain(function: "label model", value: "d = 1", expected: "d ≥ 2 (the model uses x₂)")
            default: break
            }
        }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let x1 = points[i * d], x2 = d > 1 ? points[i * d + 1] : 0
            var y = x1 >= 0 ? 1.0 : -1.0
            switch self {
            case .clean: break
            case .randomFlips(let eta): if flip(eta) { y = -y }
            case .quadrantMassart(let eta): if (x2 >= 0) == (x1 >= 0), flip(eta) { y = -y }
            case .bandMassart(let eta, let t): if abs(x1) >= t, flip(eta) { y = -y }
            case .wedgeMassart(let eta, let margin): if (x1 >= 0) == (x2 > 0), x2 != 0, abs(x1) > margin, flip(eta) { y = -y }
            case .adversarial(let opt):
                let q = Normal.standard.quantile(1 - opt / 0.19146246127401312)      // P(0 < g < 0.5)
                if x1 > 0, x1 < 0.5, x2 > q { y = -y }
            case .ckmy(let eta):
                y = x2 >= 0 ? 1 : -1
                if x2 > 0.3, flip(eta) { y = -y }
            }
            out[i] = y
        }
        return out
    }
}
