import Foundation
import SuretyNumerics

/// How the points of a weighted least-squares fit are drawn (spec dpp-least-squares.md §B.2–B.6).
/// Every point gets the weight `w(x) = dμ/dρ_m = m/k_m(x)`, so that `E[G] = I`.
public enum SamplingDesign: Sendable, Hashable {
    /// `n` i.i.d. points from the optimal density `ρ_m` (Cohen–Migliorati 2017).
    case iid(count: Int)
    /// One projection DPP sample: `n = m` points (interpolation).
    case dpp
    /// `r` independent projection DPP samples, `n = r·m` (Nouy–Michel's practical strategy).
    case dppRepeat(repetitions: Int)
    /// Volume-rescaled: `m` DPP points plus `n − m` i.i.d. points from `ρ_m` (Dereziński–
    /// Warmuth–Hsu; generalized by Nouy–Michel, spec §B.5).
    case volumeRescaled(count: Int)

    /// The number of points for `m` basis functions.
    public func size(m: Int) -> Int {
        switch self {
        case .iid(let n), .volumeRescaled(let n): n
        case .dpp: m
        case .dppRepeat(let r): r * m
        }
    }

    /// Draws the points.
    ///
    /// - Throws: `NumericsError.domain` when `n < m` (the fit would be underdetermined).
    public func draw(_ space: PolynomialSpace, using rng: inout some RandomNumberGenerator) throws -> [[Double]] {
        let m = space.count, n = size(m: m)
        guard n >= m else { throw NumericsError.domain(function: "sampling design", value: "n = \(n) points", expected: "n ≥ m = \(m)") }
        switch self {
        case .iid(let count): return try (0..<count).map { _ in try space.sampleOptimal(using: &rng) }
        case .dpp: return try ProjectionDPP.sample(space, using: &rng)
        case .dppRepeat(let r): return try (0..<r).flatMap { _ in try ProjectionDPP.sample(space, using: &rng) }
        case .volumeRescaled(let count):
            var points = try ProjectionDPP.sample(space, using: &rng)
            points += try (0..<(count - m)).map { _ in try space.sampleOptimal(using: &rng) }
            points.shuffle(using: &rng)
            return points
        }
    }

    /// Draws designs until `‖G − I‖ ≤ δ` (conditioned), or — with `boost > 1` — keeps the best
    /// of `boost` draws and then conditions (Haberstich, Nouy, Perrin, Math. Comp. 2022).
    /// Gives up after `maxDraws` draws.
    public func drawConditioned(_ space: PolynomialSpace, delta: Double, boost: Int = 1, maxDraws: Int = 1000,
                                using rng: inout some RandomNumberGenerator) throws -> (points: [[Double]], gramDeviation: Double, draws: Int) {
        var draws = 0
        while draws < maxDraws {
            var best: (points: [[Double]], deviation: Double)?
            for _ in 0..<max(1, boost) {
                let points = try draw(space, using: &rng)
                draws += 1
                let deviation = try WeightedLeastSquares.gramDeviation(space: space, points: points)
                if best == nil || deviation < best!.deviation { best = (points, deviation) }
            }
            if best!.deviation <= delta { return (best!.points, best!.deviation, draws) }
        }
        throw NumericsError.noConvergence(function: "conditioned sampling", detail: "no draw with ‖G − I‖ ≤ \(delta) in \(draws) draws")
    }
}

/// Weighted least squares in `V_m` (spec §B.1–B.2): `f̂ = argmin Σ w(x_i)(f(x_i) − v(x_i))²`,
/// solved by QR on the rows `√(w_i/n)·φ(x_i)ᵀ` (the Gram matrix is never formed for the solve).
public enum WeightedLeastSquares {
    /// The fit and what it certifies.
    public struct Fit: Sendable {
        public var coefficients: [Double]
        /// `‖G − I‖₂`, `G = (1/n) Σ w(x_i)φ(x_i)φ(x_i)ᵀ`.
        public var gramDeviation: Double
        /// `(1 − ‖G − I‖)^{−1/2}` when `‖G − I‖ < 1` (else ∞): on the sample drawn, for every
        /// `v ∈ V_m`, `‖f − f̂‖ ≤ ‖f − v‖ + factor·‖f − v‖_n` with `‖g‖_n² = (1/n)Σ w g(x_i)²`
        /// (spec §B.1) — a deterministic statement about this fit. `1 − ‖G − I‖` is computed as
        /// `min(σ_min², 2 − σ_max²)` from the singular values of the weighted design (`G = AᵀA`),
        /// never as a difference with 1, so that the factor is at least `1/σ_min(A)` — the
        /// constant the bound needs — to the accuracy of the SVD (relative `κ(A)·ε`), also for
        /// nearly singular designs.
        public var boundFactor: Double
        public var count: Int
        /// The relative condition number of the coefficients as a least-squares solution,
        /// `κ(A) + κ(A)²·‖r‖/(σ_max‖ĉ‖)` with `κ(A) = σ_max/σ_min` of the weighted design and `r`
        /// the weighted residual (Golub–Van Loan, Thm 5.3.1): a relative change `u` of the data
        /// or of the arithmetic moves `ĉ` by up to about this many times `u`. `∞` for a
        /// rank-deficient design. Certificates derive the coefficients' tolerance from it.
        public var solutionCondition: Double = 1

        /// Whether `‖G − I‖ ≤ δ`.
        public func stable(delta: Double) -> Bool { gramDeviation <= delta }
    }

    /// `m/k_m(x)`.
    public static func weight(_ space: PolynomialSpace, _ x: [Double]) -> Double { Double(space.count) / space.christoffel(x) }

    /// The weighted design rows `√(w_i/n)·φ(x_i)ᵀ` as an `n × m` matrix, and the row scales
    /// `√(w_i/n)` (the right-hand side needs them too).
    static func design(space: PolynomialSpace, points: [[Double]]) throws -> (matrix: Matrix, scales: [Double]) {
        let n = points.count, m = space.count
        var values = [Double](repeating: 0, count: n * m), scales = [Double](repeating: 0, count: n)
        for (i, x) in points.enumerated() {
            let phi = space.features(x)
            scales[i] = (Double(m) / phi.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
            for j in 0..<m { values[j * n + i] = scales[i] * phi[j] }
        }
        return (try Matrix(rows: n, columns: m, columnMajor: values), scales)
    }

    /// `‖G − I‖₂` for the points with the optimal weights.
    public static func gramDeviation(space: PolynomialSpace, points: [[Double]]) throws -> Double {
        try spectrum(of: design(space: space, points: points).matrix).deviation
    }

    /// `‖G − I‖₂ = max(σ_max² − 1, 1 − σ_min²)` and `1 − ‖G − I‖ = min(σ_min², 2 − σ_max²)` from
    /// the singular values of the weighted design `A` (`G = AᵀA`, eigenvalues `σ²`). Not from the
    /// eigenvalues of a formed `AᵀA`: those carry an absolute error `≈ ε·σ_max²`, which for a
    /// nearly singular design (two points 10⁻¹² apart) swamps `σ_min²` and made the bound factor
    /// up to 6 500 times too small; the SVD's error is `≈ ε·σ_max` on `σ_min`.
    static func spectrum(of a: Matrix) throws -> (deviation: Double, floor: Double, largest: Double, smallest: Double) {
        let sigma = try a.singularValues()
        let top = sigma.first ?? 0, bottom = sigma.count == a.columns ? (sigma.last ?? 0) : 0
        return (max(top * top - 1, 1 - bottom * bottom), min(bottom * bottom, 2 - top * top), top, bottom)
    }

    /// Fits `values` (one per point) with the optimal weights.
    ///
    /// - Throws: `NumericsError` for `n < m`, non-finite values, or a rank-deficient design.
    public static func fit(space: PolynomialSpace, points: [[Double]], values: [Double]) throws -> Fit {
        try validate(count: points.count, m: space.count, values: values)
        let (a, scales) = try design(space: space, points: points)
        return try solve(design: a, scales: scales, values: values)
    }

    /// Fits `values` observed at items of a finite ground set (with multiplicity, as a discrete
    /// design draws them) with the given weights — 1 for volume sampling, `m/‖φ_i‖²` for the
    /// DPP designs and volume-rescaled sampling (``DiscreteDesign/weight(_:item:)``). The
    /// coefficients are in the orthonormal basis `φ` of the space; `‖G − I‖` and the bound
    /// factor are those of `G = (1/n)Σ_t w_t φ(x_t)φ(x_t)ᵀ`, so the deterministic statement of
    /// ``Fit/boundFactor`` holds with the empirical norm `‖g‖_n² = (1/n)Σ_t w_t g(x_t)²` and the
    /// `L²_μ` norm on the ground set.
    ///
    /// - Throws: `NumericsError` for `n < m`, an item out of range, weights that are not
    ///   finite and positive, non-finite values, or a rank-deficient design.
    public static func fit(space: DiscreteSpace, items: [Int], weights: [Double], values: [Double]) throws -> Fit {
        let n = items.count, m = space.count
        try validate(count: n, m: m, values: values)
        guard weights.count == n else {
            throw NumericsError.dimensionMismatch(operation: "weighted least squares", seen: "\(weights.count) weights", expected: "\(n), one per item")
        }
        if let bad = items.firstIndex(where: { $0 < 0 || $0 >= space.items }) {
            throw NumericsError.domain(function: "weighted least squares", value: "item \(items[bad])", expected: "an item in 0..<\(space.items)")
        }
        if let bad = weights.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw NumericsError.domain(function: "weighted least squares", value: "weight \(weights[bad]) at position \(bad)", expected: "finite positive weights")
        }
        var entries = [Double](repeating: 0, count: n * m), scales = [Double](repeating: 0, count: n)
        for (t, i) in items.enumerated() {
            scales[t] = (weights[t] / Double(n)).squareRoot()
            let phi = space.row(i)
            for j in 0..<m { entries[j * n + t] = scales[t] * phi[j] }
        }
        return try solve(design: try Matrix(rows: n, columns: m, columnMajor: entries), scales: scales, values: values)
    }

    static func validate(count n: Int, m: Int, values: [Double]) throws {
        guard n >= m else { throw NumericsError.domain(function: "weighted least squares", value: "n = \(n) points", expected: "n ≥ m = \(m)") }
        guard values.count == n else {
            throw NumericsError.dimensionMismatch(operation: "weighted least squares", seen: "\(values.count) values", expected: "\(n), one per point")
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "weighted least squares", row: k, column: 0, value: values[k])
        }
    }

    /// The QR solve on the weighted design `a` (rows `√(w_i/n)·φ_iᵀ`) and what it certifies.
    static func solve(design a: Matrix, scales: [Double], values: [Double]) throws -> Fit {
        let rhs = zip(values, scales).map { $0 * $1 }
        let coefficients = try a.qr().solve(rhs)
        let (deviation, floor, largest, smallest) = try Self.spectrum(of: a)
        let residual = zip(try a.multiplied(by: coefficients), rhs).map { $0 - $1 }.euclideanNorm
        let kappa = smallest > 0 ? largest / smallest : .infinity
        let size = coefficients.euclideanNorm
        let condition = kappa.isFinite ? kappa + (size > 0 ? kappa * kappa * residual / (largest * size) : 0) : .infinity
        return Fit(coefficients: coefficients, gramDeviation: deviation,
                   boundFactor: floor > 0 ? 1 / floor.squareRoot() : .infinity, count: values.count, solutionCondition: condition)
    }

    /// `f̂(x) = φ(x)ᵀĉ`.
    public static func evaluate(_ fit: Fit, space: PolynomialSpace, at x: [Double]) -> Double {
        zip(space.features(x), fit.coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The sample size of the matrix Chernoff bound (Cohen–Migliorati 2017; spec §B.2):
    /// `n ≥ m·ln(2m/η)/ζ(δ)`, `ζ(δ) = (1+δ)ln(1+δ) − δ`, gives `P(‖G − I‖ ≤ δ) ≥ 1 − η` for
    /// i.i.d. points from `ρ_m`.
    public static func requiredSampleSize(m: Int, delta: Double, eta: Double) -> Int {
        let zeta = (1 + delta) * log(1 + delta) - delta
        return Int((Double(m) * log(2 * Double(m) / eta) / zeta).rounded(.up))
    }
}
