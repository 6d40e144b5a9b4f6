import Foundation
import SuretyNumerics

/// The smoothed step of width σ the learner minimizes (spec tester-learner.md §A.3): a ramp
/// rising from 0 at `−σ/2` to 1 at `σ/2` whose derivative is flat on `|t| ≤ σ/6` and vanishes
/// outside `|t| ≤ σ/2`: `ℓ′_σ(t) = (3/(2σ))·r(|t|/σ)`, `r = 1` up to 1/6, smoothstep down to
/// 0 at 1/2. (The paper's exact constants may differ; the band structure is what the local
/// tests certify.)
public enum SmoothRamp {
    public static func derivative(_ t: Double, sigma: Double) -> Double {
        let a = abs(t) / sigma
        if a <= 1.0 / 6 { return 1.5 / sigma }
        if a >= 0.5 { return 0 }
        let u = (0.5 - a) * 3
        return 1.5 / sigma * u * u * (3 - 2 * u)
    }
}

/// Projected SGD on the sphere for the ramp surrogate `L_σ(w) = E ℓ_σ(−y⟨w, x⟩)` (Diakonikolas,
/// Kontonis, Tzamos, Zarifis 2020; the learner inside Gollakota, Klivans, Stavropoulos,
/// Vasilyan 2024): warm start from the Chow vector `normalize(Σ yᵢxᵢ)`, minibatches, step
/// `w ← normalize(w − β·ĝ)` with the Riemannian gradient `ĝ = −mean ℓ′_σ(⟨w,x⟩)·y·(x − ⟨w,x⟩w)`.
/// Returns thinned iterates as candidates (their negations are added by the caller).
public struct ProjectedSGD: Sendable {
    public var sigma: Double
    /// β (default `σ/4`, spec §A.9).
    public var stepSize: Double
    public var batchSize = 32
    public var epochs = 5
    /// How many iterates to keep (evenly spaced, last included).
    public var candidates = 50

    public init(sigma: Double, stepSize: Double? = nil) {
        self.sigma = sigma
        self.stepSize = stepSize ?? sigma / 4
    }

    /// The normalized Chow vector `Σ yᵢxᵢ` (`e₁` if it vanishes).
    public static func chowVector(_ s: LabeledSample) -> [Double] {
        var w = [Double](repeating: 0, count: s.dimension)
        for i in 0..<s.count { for j in 0..<s.dimension { w[j] += s.labels[i] * s.values[i * s.dimension + j] } }
        return normalized(w) ?? (0..<s.dimension).map { $0 == 0 ? 1 : 0 }
    }

    /// How many iterates ``run(_:start:using:)`` keeps on `rows` rows: every `⌊steps/candidates⌋`-th
    /// step, plus the last one when it is not among them.
    public func keptCount(rows: Int) -> Int {
        let steps = epochs * (rows / batchSize)
        guard steps > 0 else { return 1 }
        let keepEvery = max(1, epochs * max(1, rows / batchSize) / candidates)
        return steps / keepEvery + (steps % keepEvery == 0 ? 0 : 1)
    }

    /// Runs the epochs (rows visited in a random order each epoch) and returns the kept iterates.
    public func run(_ s: LabeledSample, start: [Double], using rng: inout some RandomNumberGenerator) -> [[Double]] {
        let d = s.dimension
        var w = start
        let steps = epochs * max(1, s.count / batchSize)
        let keepEvery = max(1, steps / candidates)
        var kept: [[Double]] = []
        var order = Array(0..<s.count)
        var step = 0
        for _ in 0..<epochs {
            order.shuffle(using: &rng)
            var start = 0
            while start + batchSize <= order.count {
                var g = [Double](repeating: 0, count: d)
                for i in order[start..<(start + batchSize)] {
                    let t = s.projection(i, onto: w)
                    let weight = SmoothRamp.derivative(t, sigma: sigma)
                    guard weight != 0 else { continue }
                    let scale = -weight * s.labels[i] / Double(batchSize)
                    for j in 0..<d { g[j] += scale * (s.values[i * d + j] - t * w[j]) }
                }
                for j in 0..<d { w[j] -= stepSize * g[j] }
                w = Self.normalized(w) ?? w
                step += 1
                if step % keepEvery == 0 { kept.append(w) }
                start += batchSize
            }
        }
        if kept.last != w { kept.append(w) }
        return kept
    }

    static func normalized(_ v: [Double]) -> [Double]? {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 && norm.isFinite ? v.map { $0 / norm } : nil
    }
}
