import Foundation
import SuretyNumerics

/// A proved bound on the excess error `err(ŵ) − opt` of a given halfspace, from the gradient of
/// the ramp surrogate at `ŵ` on a sample independent of `ŵ` (the local-optimality argument of
/// Diakonikolas–Kontonis–Tzamos–Zarifis 2020 and Gollakota–Klivans–Stavropoulos–Vasilyan 2024,
/// spec tester-learner.md §A.3, made quantitative with exact Gaussian integrals).
///
/// **Assumptions.** (A1) the x-marginal is `N(0, I_d)`: this is what the tester-learner's tests
/// check, and cannot prove. (A2) the labels: ``NoiseModel/massart(bound:)`` — `y = sign(⟨w*, x⟩)`
/// flipped with probability `η(x) ≤ η̄ < ½` — or ``NoiseModel/agnostic`` — nothing, `w*` is any
/// optimal halfspace.
///
/// **The argument.** Let `θ` be the angle between `ŵ` and `w*`, `v` the unit vector of
/// `span(ŵ, w*)` orthogonal to `ŵ` on `w*`'s side, `a = ⟨ŵ, x⟩`, `b = ⟨v, x⟩` (independent
/// `N(0, 1)` under A1), `ℓ′ = ℓ′_σ` the ramp's derivative (``SmoothRamp``), and
/// `G = E[ℓ′(a)·y·b]`, the component along `v` of minus the surrogate's Riemannian gradient.
/// 1. *Every* labelling allowed by A2 with `w*` at angle `θ` has `G ≥ Γ_σ(θ)`: write
///    `E[y | x] = s(x)(1 − 2η(x))`, `s = sign(⟨w*, x⟩)`, and `f = ℓ′(a)·s·b`; then
///    `G = E[f(1 − 2η)]` and the smallest value over the allowed `η` is, with `A = E[ℓ′(a)|b|]`
///    and `D(θ) = E[f⁻]` (the part of the band where `sign b ≠ s`):
///    - Massart: `η = η̄` where `f > 0`, `0` where `f < 0`: `Γ = (1 − 2η̄)A − 2(1 − η̄)D(θ)`;
///    - agnostic with `opt ≤ ρ`: `E[η] = opt ≤ ρ`, so `Γ = A − 2D(θ) − 2K(ρ)`, where
///      `K(ρ) = sup{E[ℓ′(a)|b|·η] : 0 ≤ η ≤ 1, E η ≤ ρ}` (a fractional knapsack, solved exactly
///      on the law of `ℓ′(a)|b|`).
///    `D(θ) = 2∫₀^{σ/2} ℓ′(t)φ(t)(φ(0) − φ(t·cot θ)) dt` falls from `φ(0)E ℓ′` to 0 on `(0, π/2]`
///    (the disagreement wedge shrinks), so Γ rises, and `Γ(π − θ) = Γ(θ)` (reflect `a`).
/// 2. The sample's `Ĝ = mean ℓ′(aᵢ)yᵢbᵢ = ⟨−ĝ, v⟩ ≤ ‖ĝ‖`, and `v` is fixed given `ŵ` (chosen on
///    other data), so one-dimensional Bernstein applies with no union over directions: the
///    summands have variance `E[ℓ′(a)²]·E[b²] = E[ℓ′²]` and `E|X|^q ≤ q!/2·E[ℓ′²]·L^{q−2}`
///    (`L = 3/(2σ)`, `E|b|^q ≤ (q − 1)!! ≤ q!/2`), so (Boucheron–Lugosi–Massart, *Concentration
///    Inequalities*, Thm 2.10) `G < Ĝ + r` with `r = √(2E[ℓ′²]t/n) + Lt/n`, `t = ln(1/δ_σ)`,
///    except with probability `δ_σ`.
/// 3. Hence `Γ_σ(θ) < U_σ = ‖ĝ_σ‖ + r_σ`: `θ ≤ θ_σ` or `θ ≥ π − θ_σ`, where `Γ_σ(θ_σ) = U_σ`.
///    Every σ of the grid is tried, each at `δ/|grid|`; `θ_max = min θ_σ`.
/// 4. The far branch `θ ≥ π − θ_max` is ruled out by the error: the wedge `Δ` where `ŵ` and `w*`
///    disagree has mass `θ/π` and `err(ŵ) ≥ (1 − η̄)·P(Δ)` (Massart) or `≥ P(Δ) − opt ≥ P(Δ) − err(ŵ)`
///    (agnostic); `err(ŵ) ≤ ε̂` from the validation bound.
/// 5. `err(ŵ) − opt ≤ P(Δ) = θ/π ≤ θ_max/π`; and, trivially, `err(ŵ) − opt ≤ err(ŵ) ≤ ε̂`.
///
/// So, under A1 and A2, with probability ≥ 1 − δ − δ_val (δ_val: the validation bound's):
/// `err(ŵ) ≤ opt + excessBound`. Nothing here depends on how `ŵ` was found: an unconverged
/// learner gives a large `‖ĝ‖` and no bound, never a false one.
///
/// The integrals are 1-D Gauss–Legendre sums accurate to ~1e-13; ``quadratureMargin`` (1e-9) is
/// subtracted from every Γ and added to every `E[ℓ′²]` and `K` to cover them.
public struct NearOptimalityBound: Sendable {
    /// What the labels are assumed to be.
    public enum NoiseModel: Sendable, Hashable {
        /// Massart noise with flip rate at most `bound` (`0 ≤ bound < ½`).
        case massart(bound: Double)
        /// Any labels (`opt` is bounded by the validation error bound).
        case agnostic
    }

    public var noise: NoiseModel
    /// The ramp widths tried (each at `δ/|sigmas|`).
    public var sigmas: [Double] = [0.025, 0.05, 0.1, 0.2, 0.4, 0.8]
    public static let quadratureMargin = 1e-9

    public init(noise: NoiseModel) throws {
        if case .massart(let eta) = noise, !(eta >= 0 && eta < 0.5) {
            throw NumericsError.domain(function: "near-optimality bound", value: "η̄ = \(eta)", expected: "0 ≤ η̄ < 1/2")
        }
        self.noise = noise
    }

    /// One ramp width's evidence.
    public struct Width: Sendable, Hashable {
        public var sigma: Double
        /// `‖ĝ_σ(ŵ)‖` on the sample.
        public var gradientNorm: Double
        /// The Bernstein radius `r_σ`.
        public var radius: Double
        /// `Γ_σ(π/2)`: the largest Γ can be; no angle is excluded unless it exceeds `U_σ`.
        public var largestGamma: Double
        /// `θ_σ` (radians): angles in `(θ_σ, π − θ_σ)` are excluded; `π/2` when none is.
        public var angle: Double
    }

    public struct Outcome: Sendable {
        public var widths: [Width]
        /// `θ_max = min θ_σ` (radians).
        public var angle: Double
        /// The bound on `P(Δ)` from the error bound that rules out the far branch.
        public var wedgeMassFromError: Double
        /// `err(ŵ) − opt ≤ excessBound` under A1, A2: the angle bound's `θ_max/π`, or the trivial
        /// `err − opt ≤ err ≤ ε̂` when that is smaller or the angle bound proves nothing; `nil`
        /// when not claimed at all (set by callers, e.g. on prepared data).
        public var excessBound: Double?
        /// Why only the trivial bound (or none) holds, in words.
        public var reason: String?
    }

    /// The bound for `w` (unit, chosen without `sample`) from `sample`, given an upper bound
    /// `errorBound` on `err(w)` valid on its own event, at failure probability `p` for the
    /// gradient part.
    public func evaluate(_ sample: LabeledSample, direction w: [Double], errorBound: Double, failureProbability p: Double) throws -> Outcome {
        guard sample.count > 0 else { throw NumericsError.domain(function: "near-optimality bound", value: "no rows", expected: "a non-empty sample") }
        guard p > 0, p < 1 else { throw NumericsError.domain(function: "near-optimality bound", value: "δ = \(p)", expected: "0 < δ < 1") }
        let rho = errorBound
        let t = log(Double(sigmas.count) / p)
        var widths: [Width] = []
        for sigma in sigmas {
            let ramp = RampGaussianIntegrals(sigma: sigma)
            let norm = Self.gradientNorm(sample, direction: w, sigma: sigma)
            let r = ramp.bernsteinRadius(count: sample.count, t: t)
            let u = norm + r
            let gamma: (Double) -> Double = { theta in self.gamma(ramp, theta: theta, rho: rho) }
            widths.append(Width(sigma: sigma, gradientNorm: norm, radius: r, largestGamma: gamma(Double.pi / 2),
                                angle: Self.crossing(gamma, level: u)))
        }
        let angle = widths.map(\.angle).min()!
        let wedge: Double
        switch noise {
        case .massart(let eta): wedge = errorBound / (1 - eta)
        case .agnostic: wedge = 2 * errorBound
        }
        // err(ŵ) − opt ≤ err(ŵ) ≤ ε̂ always (any distribution); the gradient argument improves on it.
        var excess = errorBound, reason: String? = nil
        if angle >= Double.pi / 2 {
            reason = "no ramp width's gradient test excludes any angle (‖ĝ‖ + r ≥ Γ(π/2) for every σ), so only err − opt ≤ err ≤ error_bound"
        } else if wedge >= 1 - angle / .pi {
            reason = "the error bound \(Self.format(errorBound)) cannot rule out ŵ pointing away from w* (needs P(Δ) < \(Self.format(1 - angle / .pi)), "
                + "has ≤ \(Self.format(wedge))), so only err − opt ≤ err ≤ error_bound"
        } else {
            excess = min(angle / .pi, errorBound)
        }
        return Outcome(widths: widths, angle: angle, wedgeMassFromError: wedge, excessBound: excess, reason: reason)
    }

    /// The test-split size from which an exactly stationary `ŵ` (population gradient 0, so that
    /// `‖ĝ‖` is sampling noise of typical size `√((d − 1)E[ℓ′²]/n)`) would certify excess `ε` at
    /// failure probability `p`, taking `opt = 0` in the agnostic case: an optimistic plan (the
    /// run can need more), `nil` when no size does.
    public func plannedTestRows(dimension d: Int, epsilon: Double, failureProbability p: Double) -> Int? {
        let t = log(Double(sigmas.count) / p)
        var best: Int? = nil
        for sigma in sigmas {
            let ramp = RampGaussianIntegrals(sigma: sigma)
            let target = gamma(ramp, theta: Double.pi * epsilon, rho: 0)
            guard target > 0 else { continue }
            func enough(_ n: Int) -> Bool {
                (Double(d - 1) * ramp.squaredMean / Double(n)).squareRoot() + ramp.bernsteinRadius(count: n, t: t) < target
            }
            var hi = 16
            while !enough(hi) { hi *= 2; if hi > 1 << 40 { break } }
            guard enough(hi) else { continue }
            var lo = hi / 2
            while hi - lo > 1 { let mid = (lo + hi) / 2; if enough(mid) { hi = mid } else { lo = mid } }
            best = min(best ?? hi, hi)
        }
        return best
    }

    /// Γ_σ(θ) for θ ∈ (0, π/2] (minus the quadrature margin).
    func gamma(_ ramp: RampGaussianIntegrals, theta: Double, rho: Double) -> Double {
        let d = ramp.disagreement(theta: theta)
        switch noise {
        case .massart(let eta): return (1 - 2 * eta) * ramp.absoluteMean - 2 * (1 - eta) * d - Self.quadratureMargin
        case .agnostic: return ramp.absoluteMean - 2 * d - 2 * ramp.knapsack(rho) - 3 * Self.quadratureMargin
        }
    }

    /// The smallest θ ∈ [0, π/2] with `Γ(θ') > level` for all θ' ∈ (θ, π/2] (Γ increasing);
    /// bisection keeps the upper end, so the returned angle never understates.
    static func crossing(_ gamma: (Double) -> Double, level: Double) -> Double {
        var lo = 0.0, hi = Double.pi / 2
        guard gamma(hi) > level else { return hi }
        if gamma(1e-12) > level { return 1e-12 }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if gamma(mid) > level { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// `‖ĝ_σ(w)‖`, `ĝ = −mean ℓ′_σ(⟨w,x⟩)·y·(x − ⟨w,x⟩w)`.
    public static func gradientNorm(_ s: LabeledSample, direction w: [Double], sigma: Double) -> Double {
        SmoothRamp.surrogate(s, at: w, sigma: sigma).gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}

/// Integrals of the ramp derivative `ℓ′_σ` (``SmoothRamp``) against independent standard
/// normals `a, b`: the ingredients of Γ (see ``NearOptimalityBound``).
struct RampGaussianIntegrals {
    let sigma: Double
    /// `L = max ℓ′ = 3/(2σ)`.
    var peak: Double { 1.5 / sigma }
    /// `E[ℓ′(a)]`.
    let mean: Double
    /// `E[ℓ′(a)²]` (plus the quadrature margin).
    let squaredMean: Double
    /// `A = E[ℓ′(a)|b|] = E[ℓ′]·√(2/π)`.
    var absoluteMean: Double { mean * (2 / Double.pi).squareRoot() }

    init(sigma: Double) {
        self.sigma = sigma
        mean = 2 * Self.integrate(sigma: sigma, breaks: []) { t in SmoothRamp.derivative(t, sigma: sigma) * Self.phi(t) }
        squaredMean = 2 * Self.integrate(sigma: sigma, breaks: []) { t in
            let l = SmoothRamp.derivative(t, sigma: sigma)
            return l * l * Self.phi(t)
        } + NearOptimalityBound.quadratureMargin
    }

    /// `r = √(2E[ℓ′²]t/n) + Lt/n`.
    func bernsteinRadius(count n: Int, t: Double) -> Double {
        (2 * squaredMean * t / Double(n)).squareRoot() + peak * t / Double(n)
    }

    /// `D(θ) = E[ℓ′(a)|b|·1{sign b ≠ sign(a cos θ + b sin θ)}] = 2∫₀^{σ/2} ℓ′φ(t)(φ(0) − φ(t cot θ)) dt`.
    func disagreement(theta: Double) -> Double {
        guard theta < Double.pi / 2 else { return 0 }
        let c = cos(theta) / sin(theta), scale = 1 / c
        // The integrand changes at t ≈ tan θ: break there so that small angles are resolved.
        let breaks = [0.25, 0.5, 1, 2, 4, 8].map { $0 * scale }
        return 2 * Self.integrate(sigma: sigma, breaks: breaks) { t in
            SmoothRamp.derivative(t, sigma: sigma) * Self.phi(t) * (Self.phi(0) - Self.phi(t * c))
        }
    }

    /// `K(ρ) = sup{E[h·η] : 0 ≤ η ≤ 1, E η ≤ ρ}` for `h = ℓ′(a)|b|` (plus the margin): the mean
    /// of `h` over its top `ρ` of probability, `E[h·1{h > q}]` with `P(h > q) = ρ`; bisection
    /// keeps the lower `q`, which overstates K.
    func knapsack(_ rho: Double) -> Double {
        guard rho > 0 else { return 0 }
        func tail(_ q: Double) -> (mass: Double, mean: Double) {
            // P(h > q | a) = 2Q(q/ℓ′(a)), E[h·1{h > q} | a] = ℓ′(a)·2φ(q/ℓ′(a)).
            let mass = 2 * Self.integrate(sigma: sigma, breaks: []) { t in
                let l = SmoothRamp.derivative(t, sigma: sigma)
                return l > 0 ? Self.phi(t) * 2 * Normal.standard.survival(q / l) : 0
            }
            let mean = 2 * Self.integrate(sigma: sigma, breaks: []) { t in
                let l = SmoothRamp.derivative(t, sigma: sigma)
                return l > 0 ? Self.phi(t) * l * 2 * Self.phi(q / l) : 0
            }
            return (mass, mean)
        }
        if tail(0).mass <= rho { return tail(0).mean + NearOptimalityBound.quadratureMargin }
        var lo = 0.0, hi = peak
        while tail(hi).mass > rho { hi *= 2 }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if tail(mid).mass > rho { lo = mid } else { hi = mid }
        }
        return tail(lo).mean + NearOptimalityBound.quadratureMargin
    }

    static func phi(_ t: Double) -> Double { exp(-0.5 * t * t) / (2 * Double.pi).squareRoot() }

    /// `∫₀^{σ/2} f`, 32-point Gauss–Legendre on each piece between the ramp's kink at σ/6, its
    /// end at σ/2 and the extra `breaks`.
    static func integrate(sigma: Double, breaks: [Double], _ f: (Double) -> Double) -> Double {
        let end = sigma / 2
        let points = Set(([0, sigma / 6, end] + breaks).filter { $0 >= 0 && $0 <= end }).sorted()
        var total = 0.0
        for (a, b) in zip(points, points.dropFirst()) where b > a {
            let rule = Self.rules.rule(on: a, b)
            for (x, w) in zip(rule.nodes, rule.weights) { total += w * f(x) }
        }
        return total
    }

    /// The 32-point rule on [−1, 1], mapped to each piece.
    static let rules = Rule32()
    struct Rule32: Sendable {
        // 32 points on [−1, 1]: the arguments the rule accepts, so it cannot throw.
        let base = try! GaussLegendre.rule(points: 32)
        func rule(on a: Double, _ b: Double) -> (nodes: [Double], weights: [Double]) {
            let half = (b - a) / 2, mid = (a + b) / 2
            return (base.nodes.map { mid + half * $0 }, base.weights.map { half * $0 })
        }
    }
}

extension NearOptimalityBound.NoiseModel: CustomStringConvertible {
    public var description: String {
        switch self {
        case .massart(let eta): "Massart noise with η̄ = \(eta)"
        case .agnostic: "agnostic noise"
        }
    }
}
