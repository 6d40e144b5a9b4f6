import Foundation

/// A classical family of orthogonal polynomials, each with its probability measure.
///
/// | family | measure | standard form |
/// |---|---|---|
/// | `.legendre` | uniform on [−1, 1] (density ½) | `P_n`, `P_n(1) = 1` |
/// | `.hermite` | standard normal N(0, 1) | probabilists' `He_n`, monic |
/// | `.jacobi(α, β)` | ∝ `(1 − x)^α (1 + x)^β` on [−1, 1], normalized | `P_n^{(α,β)}`, `P_n(1) = (α+1)_n / n!` |
///
/// The orthonormal forms `p̂_n = p_n / ‖p_n‖` satisfy `E[p̂_i(X) p̂_j(X)] = δ_ij` for `X`
/// drawn from the family's probability measure — the normalization weighted least squares
/// and Christoffel functions need.
///
/// All degrees are evaluated together by one three-term recurrence
/// `p_{n+1} = (a_n x + b_n) p_n − c_n p_{n−1}`, stable for these families.
public enum OrthogonalPolynomialFamily: Sendable, Hashable {
    case legendre
    case hermite
    /// Jacobi polynomials with exponents `alpha, beta > −1`.
    case jacobi(alpha: Double, beta: Double)

    /// The recurrence coefficients `(a_n, b_n, c_n)` producing `p_{n+1}` from `p_n`, `p_{n−1}`.
    func recurrence(_ n: Int) -> (a: Double, b: Double, c: Double) {
        let n = Double(n)
        switch self {
        case .legendre:
            return ((2 * n + 1) / (n + 1), 0, n / (n + 1))
        case .hermite:
            return (1, 0, n)
        case let .jacobi(al, be):
            if n == 0 { return ((al + be + 2) / 2, (al - be) / 2, 0) }
            let m = n + 1, s = 2 * m + al + be
            let denominator = 2 * m * (m + al + be) * (s - 2)
            let a = (s - 1) * s * (s - 2) / denominator
            let b = (s - 1) * (al * al - be * be) / denominator
            let c = 2 * (m + al - 1) * (m + be - 1) * s / denominator
            return (a, b, c)
        }
    }

    /// `‖p_n‖²` under the family's probability measure (`+∞` once it overflows, e.g. Hermite's
    /// `n!` above n = 170; ``logSquaredNorm(degree:)`` does not).
    public func squaredNorm(degree n: Int) -> Double { exp(logSquaredNorm(degree: n)) }

    /// `ln ‖p_n‖²` under the family's probability measure.
    public func logSquaredNorm(degree n: Int) -> Double {
        switch self {
        case .legendre:
            return -log(Double(2 * n + 1))
        case .hermite:
            return lgamma(Double(n) + 1)
        case let .jacobi(al, be):
            guard n > 0 else { return 0 }
            let d = Double(n)
            // h_n / h_0 with h_n = 2^{α+β+1}/(2n+α+β+1) Γ(n+α+1)Γ(n+β+1)/(Γ(n+α+β+1) n!).
            let gammas: Double = lgamma(d + al + 1) + lgamma(d + be + 1) - lgamma(d + al + be + 1) - lgamma(d + 1)
            let logHn: Double = gammas - log(2 * d + al + be + 1)
            let logH0: Double = lgamma(al + 1) + lgamma(be + 1) - lgamma(al + be + 2)
            return logHn - logH0
        }
    }

    /// Checks the parameters of `.jacobi`.
    func validate() throws {
        if case let .jacobi(al, be) = self, !(al > -1 && be > -1 && al.isFinite && be.isFinite) {
            throw NumericsError.domain(function: "Jacobi polynomials", value: "α = \(al), β = \(be)", expected: "α > −1 and β > −1")
        }
    }

    /// The values `p_0(x), …, p_degree(x)` in the standard form (or orthonormal when
    /// `orthonormal` is true: then by the orthonormal recurrence itself, with the norms' ratios
    /// from their logarithms, so that no `n!` is formed — dividing the monic `He_n` by `√n!`
    /// gave wrong Christoffel weights from degree 171 on, where `171!` overflows).
    ///
    /// - Throws: `NumericsError.domain` for a negative degree or invalid Jacobi exponents.
    /// - Complexity: O(degree).
    public func values(upTo degree: Int, at x: Double, orthonormal: Bool = false) throws -> [Double] {
        try validate()
        guard degree >= 0 else {
            throw NumericsError.domain(function: "orthogonal polynomials", value: "degree \(degree)", expected: "degree ≥ 0")
        }
        var p = [Double](repeating: 0, count: degree + 1)
        if orthonormal {
            // q_{n+1} = (a_n x + b_n)·q_n·‖p_n‖/‖p_{n+1}‖ − c_n·q_{n−1}·‖p_{n−1}‖/‖p_{n+1}‖.
            let logNorms = (0...degree).map { 0.5 * logSquaredNorm(degree: $0) }
            p[0] = exp(-logNorms[0])
            for n in 0..<degree {
                let r = recurrence(n)
                let previous = n > 0 ? r.c * p[n - 1] * exp(logNorms[n - 1] - logNorms[n + 1]) : 0
                p[n + 1] = (r.a * x + r.b) * p[n] * exp(logNorms[n] - logNorms[n + 1]) - previous
            }
            return p
        }
        p[0] = 1
        if degree >= 1 {
            let r = recurrence(0)
            p[1] = r.a * x + r.b
        }
        if degree >= 2 {
            for n in 1..<degree {
                let r = recurrence(n)
                p[n + 1] = (r.a * x + r.b) * p[n] - r.c * p[n - 1]
            }
        }
        return p
    }

    /// The Gauss quadrature rule with `points` nodes for the family's probability measure:
    /// `Σ w_i f(x_i) = E[f(X)]` exactly for polynomials of degree ≤ 2·points − 1.
    ///
    /// Computed by the Golub–Welsch algorithm: the nodes are the eigenvalues of the Jacobi
    /// matrix of the orthonormal recurrence, the weights the squared first components of its
    /// eigenvectors. For Legendre nodes with full double accuracy at large `points`, prefer
    /// `GaussLegendre`, which uses GSL's tabulated rules.
    ///
    /// - Throws: `NumericsError.domain` when `points < 1`.
    public func gaussQuadrature(points: Int) throws -> QuadratureRule {
        try validate()
        guard points >= 1 else {
            throw NumericsError.domain(function: "Gauss quadrature", value: "\(points) points", expected: "at least 1 point")
        }
        var jacobiMatrix = Matrix(rows: points, columns: points)
        for n in 0..<points {
            let r = recurrence(n)
            jacobiMatrix[n, n] = -r.b / r.a
            if n + 1 < points {
                let next = recurrence(n + 1)
                let offDiagonal = (next.c / (next.a * r.a)).squareRoot()
                jacobiMatrix[n, n + 1] = offDiagonal
                jacobiMatrix[n + 1, n] = offDiagonal
            }
        }
        let eigen = try jacobiMatrix.symmetricEigendecomposition()
        let weights = (0..<points).map { eigen.vectors[0, $0] * eigen.vectors[0, $0] }
        return QuadratureRule(nodes: eigen.values, weights: weights)
    }
}

/// A quadrature rule: nodes and weights with `Σ w_i f(x_i) ≈ ∫ f dμ`.
public struct QuadratureRule: Sendable, Hashable {
    public let nodes: [Double]
    public let weights: [Double]

    /// `Σ w_i f(x_i)`.
    public func integrate(_ f: (Double) throws -> Double) rethrows -> Double {
        var sum = 0.0
        for (x, w) in zip(nodes, weights) { sum += try w * f(x) }
        return sum
    }
}
