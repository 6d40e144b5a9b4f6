import Foundation
import SuretyNumerics

/// `V_m = span{φ_α}`: multivariate polynomials orthonormal in `L²_μ`, `μ` the uniform
/// measure on `[−1, 1]^d` (Legendre) or the standard Gaussian on `ℝ^d` (Hermite), indexed by a
/// tensor-product or total-degree multi-index set. `φ_α(x) = Π_k p̂_{α_k}(x_k)` with `p̂_n` the
/// orthonormal univariate polynomials (spec dpp-least-squares.md §B.1).
public struct PolynomialSpace: Sendable, Hashable {
    public enum Family: String, Sendable, CaseIterable {
        case legendre, hermite
        var polynomials: OrthogonalPolynomialFamily { self == .legendre ? .legendre : .hermite }
    }
    public enum IndexSet: String, Sendable, CaseIterable {
        /// `max_k α_k ≤ p`: `(p + 1)^d` functions.
        case tensor
        /// `Σ_k α_k ≤ p`: `C(p + d, d)` functions.
        case totalDegree = "total-degree"
    }

    public let family: Family
    public let dimension: Int
    public let degree: Int
    public let indexSet: IndexSet
    /// The multi-indices `α`, in graded order.
    public let indices: [[Int]]

    /// - Throws: `NumericsError.domain` for `d < 1`, `p < 0`, or more than 100 000 functions.
    public init(family: Family, dimension d: Int, degree p: Int, indexSet: IndexSet = .totalDegree) throws {
        guard d >= 1, p >= 0 else { throw NumericsError.domain(function: "polynomial space", value: "d = \(d), degree \(p)", expected: "d ≥ 1, degree ≥ 0") }
        let size = indexSet == .tensor ? pow(Double(p + 1), Double(d)) : Self.binomial(p + d, d)
        guard size <= 100_000 else {
            throw NumericsError.domain(function: "polynomial space", value: "\(Int(size)) basis functions", expected: "at most 100 000")
        }
        self.family = family
        dimension = d
        degree = p
        self.indexSet = indexSet
        var all: [[Int]] = []
        var current = [Int](repeating: 0, count: d)
        func extend(_ k: Int) {
            if k == d {
                if indexSet == .tensor || current.reduce(0, +) <= p { all.append(current) }
                return
            }
            for e in 0...p {
                current[k] = e
                if indexSet == .totalDegree && current[0...k].reduce(0, +) > p { break }
                extend(k + 1)
            }
            current[k] = 0
        }
        extend(0)
        indices = all.sorted { a, b in
            let (da, db) = (a.reduce(0, +), b.reduce(0, +))
            return da != db ? da < db : b.lexicographicallyPrecedes(a)
        }
    }

    /// The first `m` functions of the graded order in dimension `d` (total degree, then
    /// reverse-lexicographic within a degree) — a space of any size, as DPPy's
    /// `MultivariateJacobiOPE(N = m)` uses.
    public init(family: Family, dimension d: Int, count m: Int) throws {
        guard m >= 1 else { throw NumericsError.domain(function: "polynomial space", value: "m = \(m)", expected: "m ≥ 1") }
        var p = 0
        while Self.binomial(p + d, d) < Double(m) { p += 1 }
        let full = try PolynomialSpace(family: family, dimension: d, degree: p)
        self.init(family: family, dimension: d, degree: p, indexSet: .totalDegree, indices: Array(full.indices.prefix(m)))
    }

    init(family: Family, dimension: Int, degree: Int, indexSet: IndexSet, indices: [[Int]]) {
        self.family = family
        self.dimension = dimension
        self.degree = degree
        self.indexSet = indexSet
        self.indices = indices
    }

    /// `m`.
    public var count: Int { indices.count }

    /// `φ(x) ∈ ℝ^m`.
    public func features(_ x: [Double]) -> [Double] {
        let univariate = x.map { (try? family.polynomials.values(upTo: degree, at: $0, orthonormal: true)) ?? [] }
        return indices.map { alpha in alpha.enumerated().reduce(1.0) { $0 * univariate[$1.offset][$1.element] } }
    }

    /// `k_m(x) = ‖φ(x)‖²`, the inverse Christoffel function.
    public func christoffel(_ x: [Double]) -> Double { features(x).reduce(0) { $0 + $1 * $1 } }

    /// A draw from `μ`.
    public func sampleReference(using rng: inout some RandomNumberGenerator) -> [Double] {
        (0..<dimension).map { _ in family == .legendre ? 2 * rng.nextUniform() - 1 : Normal.standard.sample(using: &rng) }
    }

    /// A draw from the optimal density `ρ_m = (k_m/m) dμ` (spec §B.2), exact.
    ///
    /// Legendre: `α` uniform over the multi-indices, then each coordinate from `p̂_{α_k}² dμ₁`
    /// by rejection from the arcsine law (envelope 3, see `UnivariateSquareSampler`).
    ///
    /// Hermite: by rejection from the product `Π_k ρ^{(1)}_{q+1}(x_k)` of 1-D optimal densities
    /// of degree `q` = the largest entry of any multi-index, each drawn exactly as a uniformly
    /// chosen eigenvalue of the β = 2 Hermite ensemble (``ProjectionDPP/tridiagonalHermite(count:using:)``,
    /// whose one-point law is `ρ^{(1)}_{q+1}`). Every `α` lies in `{0…q}^d`, so
    /// `k_m(x) ≤ Π_k k^{(1)}_{q+1}(x_k)` and accepting with probability `k_m(x)/Π_k k^{(1)}_{q+1}(x_k)`
    /// is exact; the acceptance rate is exactly ``optimalAcceptanceRate`` `= m/(q+1)^d` — 1 for a
    /// 1-D or tensor space (no rejection at all), `(q+2)/(2(q+1)) > 1/2` for 2-D total degree,
    /// `→ 1/d!` for total degree as `q` grows: bounded below uniformly in the degree.
    ///
    /// - Throws: `NumericsError.noConvergence` after 100 000 rejected proposals (expected
    ///   `(q+1)^d/m` per draw).
    public func sampleOptimal(using rng: inout some RandomNumberGenerator) throws -> [Double] {
        try sampleOptimalCountingProposals(using: &rng).point
    }

    /// ``sampleOptimal(using:)`` and the number of proposals it took (always 1 for Legendre, whose
    /// rejection happens per coordinate inside `UnivariateSquareSampler`).
    func sampleOptimalCountingProposals(using rng: inout some RandomNumberGenerator) throws -> (point: [Double], proposals: Int) {
        switch family {
        case .legendre:
            let alpha = indices[Int(UInt64.random(in: 0..<UInt64(count), using: &rng))]
            return (try alpha.map { try UnivariateSquareSampler.legendre(degree: $0, using: &rng) }, 1)
        case .hermite:
            let q = largestEntry
            let tensor = count == Int(pow(Double(q + 1), Double(dimension)))
            for proposals in 1...100_000 {
                let x = try (0..<dimension).map { _ in try ProjectionDPP.tridiagonalHermite(count: q + 1, using: &rng)[rng.nextInt(below: q + 1)] }
                if tensor { return (x, proposals) }
                let bound = try x.reduce(1.0) { product, t in
                    try product * OrthogonalPolynomialFamily.hermite.values(upTo: q, at: t, orthonormal: true).reduce(0) { $0 + $1 * $1 }
                }
                if rng.nextUniform() * bound < christoffel(x) { return (x, proposals) }
            }
            throw NumericsError.noConvergence(function: "optimal-density sampler", detail: "no acceptance in 100 000 proposals")
        }
    }

    /// The largest entry `q` of any multi-index (the degree in each coordinate).
    var largestEntry: Int { indices.reduce(0) { Swift.max($0, $1.max() ?? 0) } }

    /// The acceptance rate of the Hermite optimal-density sampler, `m/(q+1)^d` (1 for Legendre,
    /// whose sampler rejects per coordinate with rate 1/3).
    public var optimalAcceptanceRate: Double {
        family == .legendre ? 1 : Double(count) / pow(Double(largestEntry + 1), Double(dimension))
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var c = 1.0
        for i in 0..<k { c = c * Double(n - i) / Double(i + 1) }
        return c
    }
}


/// Exact draws from `p̂_n(x)² dμ₁(x)` for Legendre by rejection.
enum UnivariateSquareSampler {
    /// The arcsine proposal `x = cos(πU)` with envelope 3, valid by Bernstein's inequality
    /// `√(sin θ)·|P_n(cos θ)| < √(2/(πn))` (Szegő, Thm 7.3.3): `p̂_n² = (2n+1)P_n²
    /// ≤ 6/(π√(1−x²))`, i.e. the target density `p̂_n²/2` is at most 3 times the arcsine density.
    /// Every acceptance ratio is checked to be ≤ 1, so a wrong envelope would be an error, not a
    /// silent bias. (Hermite spaces are sampled through the Hermite ensemble instead: the N(0, 2)
    /// proposal used before had an envelope growing like 10⁴ at degree 10 and 10⁹ at 20.)
    static func legendre(degree n: Int, using rng: inout some RandomNumberGenerator) throws -> Double {
        for _ in 0..<100_000 {
            let x = cos(Double.pi * rng.nextUniform())
            let p = try OrthogonalPolynomialFamily.legendre.values(upTo: n, at: x, orthonormal: true)[n]
            let ratio = p * p * Double.pi * (1 - x * x).squareRoot() / 6
            guard ratio <= 1 else {
                throw NumericsError.domain(function: "optimal-density sampler", value: "an acceptance ratio \(ratio) > 1 at degree \(n)",
                                           expected: "a valid envelope (please report)")
            }
            if rng.nextUniform() < ratio { return x }
        }
        throw NumericsError.noConvergence(function: "optimal-density sampler", detail: "no acceptance in 100 000 proposals")
    }
}
