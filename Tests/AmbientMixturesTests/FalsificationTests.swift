import Foundation
import SuretyNumerics
import Testing
@testable import AmbientMixtures

/// Falsification tests of the moment-space claims behind the denoised method of moments
/// (`MomentSpace.project`, `MomentSpace.projectedDistribution`, the Gauss-quadrature step
/// `MomentEstimator.fit(moments:)`). These claims are deterministic, so every check is exact
/// up to a round-off or discretization allowance derived in the test's comment. Each test
/// prints a `[falsify]` line with the measured worst case.
@Suite struct AmbientFalsificationTests {
    static let long = ProcessInfo.processInfo.environment["SURETY_FALSIFY_LONG"] == "1"

    /// `m_j = Σ w x^j`, `j = 1…order`.
    static func moments(_ atoms: [Double], _ weights: [Double], order: Int) -> [Double] {
        var out = [Double](repeating: 0, count: order)
        for (x, w) in zip(atoms, weights) {
            var power = 1.0
            for j in 0..<order { power *= x; out[j] += w * power }
        }
        return out
    }

    /// The largest distance from the moment curve `t ↦ (t^j R^j/c_j)_j`, `t ∈ [−1, 1]`, to the hull of
    /// its samples at the 2001 Chebyshev–Lobatto nodes, per coordinate: linear interpolation
    /// between neighbouring nodes (step h ≤ π/2000) misses `t^j` by at most `h²/8·j(j − 1)`.
    static func gridError(order: Int, radius r: Double, scales: [Double]? = nil) -> [Double] {
        let h = Double.pi / 2000
        return (1...order).map { j in
            let scale = scales.map { exp(Double(j) * log(r) - log($0[j - 1])) } ?? 1
            return h * h / 8 * Double(j * (j - 1)) * scale
        }
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Inputs for the projection: wildly invalid vectors, vectors just outside and just inside
    /// the boundary, and valid interior vectors, for `k` moments pairs on `[−R, R]`.
    static func inputs(k: Int, radius r: Double, using rng: inout RandomStream) -> [(String, [Double])] {
        let order = 2 * k - 1
        let powers = (1...order).map { j in exp(Double(j) * log(r)) }                        // R^j (may underflow: fine)
        var out: [(String, [Double])] = []
        out.append(("+1e300", [Double](repeating: 1e300, count: order)))
        out.append(("alternating ±1e308", (0..<order).map { (j: Int) -> Double in j % 2 == 0 ? 1e308 : -1e308 }))
        out.append(("m2 = −1e300", (0..<order).map { (j: Int) -> Double in j == 1 ? -1e300 : 0 }))
        out.append(("even moments negative", (1...order).map { (j: Int) -> Double in (j % 2 == 0 ? -1e6 : 0.5) * powers[j - 1] }))
        out.append(("tiny 1e-300", [Double](repeating: 1e-300, count: order)))
        out.append(("zeros", [Double](repeating: 0, count: order)))
        out.append(("growing (−5)^j R^j", (1...order).map { (j: Int) -> Double in pow(-5, Double(j)) * powers[j - 1] }))
        let magnitude = pow(10, -2 + 10 * rng.nextUniform())
        let noise = (0..<order).map { _ in Normal.standard.sample(using: &rng) }
        out.append(("random ×\(String(format: "%.1e", magnitude))", (0..<order).map { (j: Int) -> Double in magnitude * noise[j] * powers[j] }))
        // k atoms inside: an interior point of the moment space (k interior atoms have index 2k > 2k − 1).
        let atoms = (0..<k).map { _ in r * (2 * rng.nextUniform() - 1) }
        let raw = (0..<k).map { _ in 0.1 + rng.nextUniform() }
        let weights = raw.map { $0 / raw.reduce(0, +) }
        let inside = moments(atoms, weights, order: order)
        out.append(("k interior atoms", inside))
        // Boundary: k − 1 interior atoms and one at R (index 2k − 1).
        if k > 1 {
            let boundaryAtoms = Array(atoms.prefix(k - 1)) + [r]
            out.append(("boundary (an atom at R)", moments(boundaryAtoms, weights, order: order)))
        }
        // Just outside: an atom 0.1 % beyond R; and the interior point pushed 10⁻⁹ (scaled) along a random direction.
        out.append(("atom at 1.001 R", moments(Array(atoms.prefix(k - 1)) + [1.001 * r], weights, order: order)))
        out.append(("interior ± 1e-9", zip(inside, powers).map { $0 + 1e-9 * (2 * rng.nextUniform() - 1) * $1 }))
        // Two atoms 10⁻⁶ R apart (nearly singular Hankel matrix).
        out.append(("near-coincident atoms", moments([0.3 * r, 0.300001 * r] + atoms.prefix(max(0, k - 2)), weights.count >= 2 ? weights : [0.5, 0.5], order: order)))
        return out
    }

    /// Claim (`MomentSpace.project`, `projectedDistribution`): whatever the input — huge,
    /// negative even moments, ±10³⁰⁸, zeros, vectors just inside and outside the boundary —
    /// the projection is a true moment vector: the returned distribution has at most 2k atoms
    /// in [−R, R], positive weights summing to 1, and exactly the returned moments; and the
    /// Gauss-quadrature step (`MomentEstimator.fit(moments:)`) turns it into at most k atoms in
    /// [−R, R] without throwing or NaN. k = 1…5, R = 10⁻²⁰⁰, 10⁻³⁰, 1, 10⁶, 10³⁴ (R^{2k−1}
    /// representable; also 10⁻³ and 7.5 with SURETY_FALSIFY_LONG=1), default scales and
    /// standard-error-like scales (10⁻⁶ R^j, or random over six decades, in turn).
    ///
    /// Allowances: the moments recomputed from the atoms agree to `4·(2k)·ε·R^j` (a sum of at
    /// most 2k terms of size ≤ R^j); the weights sum to 1 within `2k·ε`. The Gauss step reproduces
    /// m_1…m_{2k′−1} (k′ ≤ k its atoms) to `10⁻⁵·R^j`: Golub–Welsch at the scale ρ ≤ R with a
    /// Hankel matrix of condition ≤ 10¹⁰ (it drops atoms otherwise) has errors ≲ 10¹⁰·k·ε; the
    /// mismatch of the higher moments when k′ < k is printed, not asserted (the quadrature only
    /// claims the lower ones).
    @Test func projectionIsAlwaysAMomentVector() throws {
        var rng = RandomStream(seed: 7001)
        var checked = 0, problems: [String] = [], worstMoment = 0.0, worstGauss = 0.0, worstHigher = 0.0, mostAtoms = 0, fewer = 0
        let radii = Self.long ? [1e-200, 1e-30, 1e-3, 1, 7.5, 1e6, 1e34] : [1e-200, 1e-30, 1, 1e6, 1e34]
        for k in 1...5 {
            let order = 2 * k - 1
            for r in radii {
                let powers = (1...order).map { j in exp(Double(j) * log(r)) }
                let custom: [(String, [Double])] = [("1e-6·R^j", powers.map { 1e-6 * $0 }), ("random", powers.map { $0 * pow(10, -3 + 6 * rng.nextUniform()) })]
                for (i, (name, input)) in Self.inputs(k: k, radius: r, using: &rng).enumerated() where input.allSatisfy(\.isFinite) {
                    // Default scales for every input; one of the standard-error-like sets in turn (both with SURETY_FALSIFY_LONG=1).
                    let scaleSets: [(String, [Double]?)] = [("default", nil)] + (Self.long ? custom : [custom[i % 2]]).map { ($0.0, Optional($0.1)) }
                    for (scaleName, scales) in scaleSets where scales?.allSatisfy({ $0 > 0 && $0.isFinite }) ?? true {
                        let label = "k=\(k) R=\(r) \(name) scales \(scaleName)"
                        checked += 1
                        let atoms: [Double], weights: [Double], projected: [Double]
                        do {
                            (atoms, weights) = try MomentSpace.projectedDistribution(input, radius: r, scales: scales)
                            projected = try MomentSpace.project(input, radius: r, scales: scales)
                        } catch {
                            problems.append("\(label): throws \(error)")
                            continue
                        }
                        mostAtoms = max(mostAtoms, atoms.count)
                        if atoms.isEmpty || atoms.count > 2 * k || atoms.contains(where: { !(abs($0) <= r) }) {
                            problems.append("\(label): atoms \(atoms)")
                        }
                        if weights.contains(where: { !($0 > 0 && $0.isFinite) }) || abs(weights.reduce(0, +) - 1) > Double(2 * k) * .ulpOfOne {
                            problems.append("\(label): weights \(weights)")
                        }
                        let again = Self.moments(atoms, weights, order: order)
                        for j in 0..<order {
                            let error = abs(again[j] - projected[j]) / max(powers[j], .leastNormalMagnitude)
                            worstMoment = max(worstMoment, error)
                            if !projected[j].isFinite || error > 4 * Double(2 * k) * .ulpOfOne { problems.append("\(label): m_\(j + 1) \(projected[j]) vs \(again[j])") }
                        }
                        // The Gauss-quadrature step of the estimator.
                        do {
                            let fit = try MomentEstimator.fit(moments: projected)
                            let x = fit.atoms.map { $0[0] }
                            if fit.k < k { fewer += 1 }
                            if fit.k > k || x.contains(where: { !$0.isFinite || abs($0) > r * (1 + 1e-9) })
                                || fit.weights.contains(where: { !($0 > 0) }) || abs(fit.weights.reduce(0, +) - 1) > 1e-12 {
                                problems.append("\(label): Gauss step \(x) \(fit.weights)")
                            }
                            let recovered = Self.moments(x, fit.weights, order: order)
                            for j in 0..<order {
                                let error = abs(recovered[j] - projected[j]) / max(powers[j], .leastNormalMagnitude)
                                if j < 2 * fit.k - 1 {
                                    worstGauss = max(worstGauss, error)
                                    if !(error <= 1e-5) { problems.append("\(label): Gauss step m_\(j + 1) off by \(error) (scaled)") }
                                } else {
                                    worstHigher = max(worstHigher, error)
                                }
                            }
                        } catch {
                            problems.append("\(label): Gauss step throws \(error)")
                        }
                    }
                }
            }
        }
        print("[falsify] projection validity: \(checked) (input, k, R, scales) cases; at most \(mostAtoms) atoms; moments from atoms off by ≤ \(worstMoment) (scaled); "
              + "Gauss step: \(fewer) with fewer than k atoms, lower moments off by ≤ \(worstGauss), higher ones (k′ < k) by ≤ \(worstHigher); problems \(problems.count)")
        #expect(problems.isEmpty, "\(problems.prefix(8))")
    }

    /// Claim: the projection is the exact one up to the grid — so a vector already in the
    /// moment space comes back (nearly) unchanged. Hardest inside vectors: interior points
    /// (k′ ≤ k + 2 atoms), boundary points (an atom at ±R, or fewer than k atoms), two atoms
    /// 10⁻⁶ R apart; k = 1…5, R = 10⁻³⁰, 1, 10³⁰. Allowance (exact, no tuning): the hull of the
    /// 2001 nodes is within `e_j = h²/8·j(j − 1)` of the curve in scaled coordinate j
    /// (h ≤ π/2000), so the nearest grid point is within ‖e‖₂ of the input: ‖p − m‖ ≤ ‖e‖₂ +
    /// 10⁻¹² (rounding in the NNLS and the scaling).
    @Test func projectionLeavesMomentVectorsInPlace() throws {
        var rng = RandomStream(seed: 7002)
        var worst = 0.0, worstLabel = "", violations: [String] = [], checked = 0
        let draws = Self.long ? 200 : 12
        for k in 1...5 {
            let order = 2 * k - 1
            let allowance = Self.norm(Self.gridError(order: order, radius: 1)) + 1e-12
            for r in [1e-30, 1, 1e30] {
                let powers = (1...order).map { j in exp(Double(j) * log(r)) }
                for draw in 0..<draws {
                    let count = 1 + draw % (k + 2)
                    var atoms = (0..<count).map { _ in r * (2 * rng.nextUniform() - 1) }
                    switch draw % 4 {
                    case 1: atoms[0] = r                                     // boundary
                    case 2: atoms[0] = -r
                    case 3 where count > 1: atoms[1] = atoms[0] + 1e-6 * r   // near-coincident
                    default: break
                    }
                    let raw = (0..<count).map { _ in pow(10, -3 * rng.nextUniform()) }
                    let weights = raw.map { $0 / raw.reduce(0, +) }
                    let input = Self.moments(atoms, weights, order: order)
                    let p = try MomentSpace.project(input, radius: r)
                    let distance = Self.norm(zip(zip(p, input), powers).map { ($0.0 - $0.1) / $1 })
                    checked += 1
                    let label = "k=\(k) R=\(r) atoms \(atoms.map { $0 / r }) weights \(weights): moved \(distance) (allowance \(allowance))"
                    if distance / allowance > worst { worst = distance / allowance; worstLabel = label }
                    if !(distance <= allowance) { violations.append(label) }
                }
            }
        }
        print("[falsify] inside vectors: \(checked) cases, largest move / allowance \(worst) at \(worstLabel); violations \(violations.count)")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    /// Claim: the projection is the point of the moment space nearest to the input in the
    /// scaled coordinates m_j/c_j (default c_j = R^j; the estimator passes standard errors),
    /// up to the grid. Checked by the variational inequality of the nearest point p of a convex
    /// set: (m − p)·(γ(t) − p) ≤ 0 for every point of the grid hull, hence
    /// (m − p)·(γ(t) − p) ≤ ‖m − p‖·‖e‖₂ for every point γ(t) = ((Rt)^j/c_j)_j of the moment curve
    /// (t on 20 001 points of [−1, 1]), e the grid error bound above in these coordinates, plus
    /// a rounding allowance (10⁻⁹·‖m − p‖ + η)·(1 + ‖γ(t) − p‖), η = ‖(20k·ε·max(R^j, |m_j|)/c_j)_j‖
    /// the rounding of the moment vectors themselves. Hardest cases: inputs outside at
    /// distances 10⁻⁴…10⁴ (scaled), and standard-error scales (c_j = 10^{−U(1,4)}·R^j) that make
    /// the scaled coordinates large — where a penalty row for Σw = 1 stops enforcing it (the
    /// counterexample to the former implementation: the projection depended on a common factor
    /// of the scales, by up to 3× in distance). Also: multiplying every scale by the same
    /// factor (10⁻⁴, 10⁴) must not move the projection (it does not change the metric) beyond
    /// the same rounding allowance.
    @Test func projectionIsNearestPoint() throws {
        var rng = RandomStream(seed: 7003)
        var worst = -Double.infinity, worstLabel = "", violations: [String] = [], checked = 0, worstShift = 0.0
        let draws = Self.long ? 60 : 8
        let ts = (0...20_000).map { -1 + Double($0) / 10_000 }
        for k in 2...5 {
            let order = 2 * k - 1
            for draw in 0..<draws {
                let r = [0.5, 3, 40][draw % 3]
                let powers = (1...order).map { pow(r, Double($0)) }
                let scales: [Double] = draw % 2 == 0 ? powers : powers.map { $0 * pow(10, -1 - 3 * rng.nextUniform()) }
                let distance = pow(10, -4 + 8 * rng.nextUniform())
                let direction = (0..<order).map { _ in Normal.standard.sample(using: &rng) }
                let unit = direction.map { $0 / Self.norm(direction) }
                // Start from a random point of the moment space (scaled), step `distance` along a random direction.
                let atoms = (0..<k).map { _ in r * (2 * rng.nextUniform() - 1) }
                let base = Self.moments(atoms, Array(repeating: 1 / Double(k), count: k), order: order)
                let input = (0..<order).map { base[$0] + distance * unit[$0] * scales[$0] }
                let p = try MomentSpace.project(input, radius: r, scales: scales)
                let toInput = (0..<order).map { (input[$0] - p[$0]) / scales[$0] }
                let gap = Self.norm(toInput)
                let grid = Self.norm(Self.gridError(order: order, radius: r, scales: scales))
                // Rounding of p and m themselves: sums of ≤ 2k terms of size ≤ max(R^j, |m_j|).
                let rounding = Self.norm((0..<order).map { 10 * Double(2 * k) * .ulpOfOne * max(powers[$0], abs(input[$0])) / scales[$0] })
                var largest = -Double.infinity
                for t in ts {
                    var power = 1.0
                    var inner = 0.0, length2 = 0.0
                    for j in 0..<order {
                        power *= r * t
                        let d = (power - p[j]) / scales[j]
                        inner += toInput[j] * d
                        length2 += d * d
                    }
                    let excess = inner - gap * grid - (1e-9 * gap + rounding) * (1 + length2.squareRoot())
                    largest = max(largest, excess / max(gap, .leastNormalMagnitude))
                }
                checked += 1
                let label = "k=\(k) R=\(r) distance \(distance) scales \(draw % 2 == 0 ? "R^j" : "standard-error-like"): ‖m − p‖ = \(gap), largest excess/‖m − p‖ \(largest)"
                if largest > worst { worst = largest; worstLabel = label }
                if largest > 0 { violations.append(label) }
                // Common factor of the scales: the same metric up to a constant, so the same nearest point.
                for factor in [1e-4, 1e4] {
                    let q = try MomentSpace.project(input, radius: r, scales: scales.map { $0 * factor })
                    let shift = Self.norm((0..<order).map { (q[$0] - p[$0]) / scales[$0] })
                    worstShift = max(worstShift, shift / max(gap, 1))
                    if shift > 2 * grid + 1e-9 * max(gap, 1) { violations.append("\(label): scales ×\(factor) moved the projection by \(shift)") }
                }
            }
        }
        print("[falsify] nearest point: \(checked) outside inputs, largest (variational excess)/‖m − p‖ \(worst) (≤ 0 required) at \(worstLabel); "
              + "largest move under a common scale factor \(worstShift); violations \(violations.count)")
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    /// Claim: the Gauss-quadrature step and the one-dimensional estimator do not depend on the
    /// units of the data: Gauss quadrature is scale-covariant (moments m_j ρ^j ↔ atoms ρx), so
    /// `fit(moments:)` at scale ρ must return ρ times the atoms at scale 1 — including boundary
    /// vectors, where it returns fewer atoms — and `MomentEstimator.fit` on a sample multiplied
    /// by ρ (noise levels too) must return ρ times its atoms. ρ from 10⁻¹² to 10¹². Counterexample
    /// before the fix: atoms {−0.8, 0.3, 0.9}·10⁻⁸ (weights 0.2, 0.5, 0.3) came back as one atom
    /// at 0.26·10⁻⁸, and the estimator on a sample of ±2·10⁻⁸ with noise 10⁻⁸ returned one atom.
    /// Allowance: relative 10⁻⁸ on the atoms (rounding through a Hankel matrix of condition
    /// ≤ 10¹⁰ at scale 1 is ≲ 10⁻⁶ absolutely but identical at every ρ up to the last bits of
    /// the scaled inputs; 10⁻⁸ leaves room for that).
    @Test func gaussStepIsScaleCovariant() throws {
        let cases: [([Double], [Double], Int)] = [
            ([-0.8, 0.3, 0.9], [0.2, 0.5, 0.3], 3),
            ([-1, 1], [0.5, 0.5], 3),                       // boundary for k = 3: two atoms
            ([0.4], [1], 2),                                 // boundary for k = 2: one atom
            ([-0.9, -0.1, 0.2, 0.95, 1], [0.1, 0.2, 0.3, 0.2, 0.2], 5),
        ]
        var worst = 0.0, problems: [String] = []
        for (atoms, weights, k) in cases {
            let reference = try MomentEstimator.fit(moments: Self.moments(atoms, weights, order: 2 * k - 1))
            for rho in [1e-12, 1e-8, 1e-3, 1e3, 1e8, 1e12] {
                let scaled = try MomentEstimator.fit(moments: Self.moments(atoms.map { $0 * rho }, weights, order: 2 * k - 1))
                guard scaled.k == reference.k else { problems.append("atoms \(atoms) ×\(rho): \(scaled.k) atoms vs \(reference.k)"); continue }
                for (a, b) in zip(scaled.atoms, reference.atoms) {
                    let error = abs(a[0] / rho - b[0])
                    worst = max(worst, error)
                    if error > 1e-8 { problems.append("atoms \(atoms) ×\(rho): \(a[0] / rho) vs \(b[0])") }
                }
            }
        }
        var rng = RandomStream(seed: 7004)
        let truth = try MixingDistribution(atoms: [[-2], [2]], weights: [0.5, 0.5])
        let sample = try truth.sample(noiseLevels: Array(repeating: 1, count: 4000), using: &rng)
        let reference = try MomentEstimator.fit(sample, k: 2)
        for rho in [1e-12, 1e-8, 1e8, 1e12] {
            let scaled = try MomentEstimator.fit(try NoisySample(dimension: 1, values: sample.values.map { $0 * rho }, noiseLevels: sample.noiseLevels.map { $0 * rho }), k: 2)
            guard scaled.k == reference.k else { problems.append("estimator ×\(rho): \(scaled.k) atoms vs \(reference.k)"); continue }
            for (a, b) in zip(scaled.atoms, reference.atoms) {
                let error = abs(a[0] / rho - b[0])
                worst = max(worst, error)
                if error > 1e-8 * max(1, abs(b[0])) { problems.append("estimator ×\(rho): \(a[0] / rho) vs \(b[0])") }
            }
        }
        print("[falsify] scale covariance of the Gauss step and the 1-D estimator: largest |atom/ρ − atom| \(worst); problems \(problems.count)")
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
