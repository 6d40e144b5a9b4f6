import Foundation
import SuretyNumerics

/// A finite ground set of `N` items with a user-supplied feature matrix `A` (`N × k`) and
/// item masses `μ_i` (uniform `1/N` by default): `V_m` is the column span, and the basis is
/// orthonormalized in `L²_μ` (`Φ = diag(μ)^{−1/2}·Q` from the QR factorization of
/// `diag(μ)^{1/2}·A`), so that `Σ_i μ_i φ(x_i)φ(x_i)ᵀ = I` (spec §B.3, discrete case).
public struct DiscreteSpace: Sendable {
    /// `φ(x_i)` as the rows of an `N × m` matrix.
    public let features: Matrix
    public let masses: [Double]
    /// `‖φ(x_i)‖²`.
    public let squaredRowNorms: [Double]
    /// Running sums of `μ_i‖φ(x_i)‖²` (the proposal `ρ_m` of the discrete chain rule; total `m`).
    let cumulativeProposal: [Double]

    /// - Throws: `NumericsError` for non-finite entries, masses that are not positive, or a
    ///   feature matrix of rank `< k` (the message gives the rank).
    public init(featureMatrix a: Matrix, masses: [Double]? = nil) throws {
        let n = a.rows, k = a.columns
        let mu = masses ?? Array(repeating: 1 / Double(n), count: n)
        guard mu.count == n, mu.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw NumericsError.domain(function: "discrete space", value: "masses", expected: "\(n) finite positive masses")
        }
        guard n >= k, k >= 1 else {
            throw NumericsError.domain(function: "discrete space", value: "\(n) items for \(k) features", expected: "at least as many items as features")
        }
        var scaled = a.storage
        for j in 0..<k { for i in 0..<n { scaled[j * n + i] *= mu[i].squareRoot() } }
        let sigma = try Matrix(rows: n, columns: k, columnMajor: scaled).singularValues()
        let rank = sigma.filter { $0 > Double(max(n, k)) * Double.ulpOfOne * (sigma.first ?? 0) * 10 }.count
        guard rank == k else {
            throw NumericsError.domain(function: "discrete space", value: "a feature matrix of rank \(rank)", expected: "rank \(k) (one per feature)")
        }
        // Orthonormal columns in the μ-weighted inner product: Φ = diag(μ)^{-1/2} · U_k (thin SVD's left vectors
        // span the same space; Gram–Schmidt twice on the scaled columns gives them stably).
        var q = try Matrix(rows: n, columns: k, columnMajor: scaled)
        for _ in 0..<2 { q = try Self.orthonormalized(q) }
        var phi = q.storage
        for j in 0..<k { for i in 0..<n { phi[j * n + i] /= mu[i].squareRoot() } }
        features = try Matrix(rows: n, columns: k, columnMajor: phi)
        self.masses = mu
        let norms = (0..<n).map { i in (0..<k).reduce(0) { $0 + phi[$1 * n + i] * phi[$1 * n + i] } }
        squaredRowNorms = norms
        var running = 0.0, cumulative = [Double](repeating: 0, count: n)
        for i in 0..<n {
            running += mu[i] * norms[i]
            cumulative[i] = running
        }
        cumulativeProposal = cumulative
    }

    public var count: Int { features.columns }
    public var items: Int { features.rows }

    /// `φ(x_i)`.
    public func row(_ i: Int) -> [Double] { features.row(i) }

    /// The item `i` with `cumulativeProposal[i − 1] ≤ u < cumulativeProposal[i]` (binary search): for
    /// `u` uniform on `[0, m)`, a draw from `ρ_i = μ_i‖φ_i‖²/m`.
    func proposalItem(_ u: Double) -> Int {
        var lo = 0, hi = cumulativeProposal.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulativeProposal[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Modified Gram–Schmidt on the columns.
    static func orthonormalized(_ m: Matrix) throws -> Matrix {
        let n = m.rows, k = m.columns
        var c = m.storage
        for j in 0..<k {
            for l in 0..<j {
                var dot = 0.0
                for i in 0..<n { dot += c[l * n + i] * c[j * n + i] }
                for i in 0..<n { c[j * n + i] -= dot * c[l * n + i] }
            }
            var norm = 0.0
            for i in 0..<n { norm += c[j * n + i] * c[j * n + i] }
            norm = norm.squareRoot()
            for i in 0..<n { c[j * n + i] /= norm }
        }
        return try Matrix(rows: n, columns: k, columnMajor: c)
    }
}
