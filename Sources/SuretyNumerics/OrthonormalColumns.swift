import CLinAlg

/// A growing orthonormal list `q_1, …, q_l` in `ℝ^n`, and projection onto its orthogonal
/// complement — the bookkeeping of chain-rule samplers for projection DPPs.
///
/// The projection is classical Gram–Schmidt applied twice (CGS2): `r ← v − Q(Qᵀv)`, then once
/// more on `r`. Two passes leave `r` orthogonal to the list to working precision whenever the
/// list itself is (Giraud, Langou, Rozložník, "The loss of orthogonality in the Gram–Schmidt
/// orthogonalization process", Comput. Math. Appl. 50, 2005: "twice is enough"). Each pass is
/// two BLAS `dgemv` calls.
public struct OrthonormalColumns: Sendable {
    /// `n`.
    public let dimension: Int
    /// `l`, the number of vectors kept.
    public private(set) var count = 0
    /// `q_1…q_l`, column-major (`n × l`).
    private var storage: [Double] = []

    public init(dimension n: Int) {
        precondition(n >= 0, "dimension must be non-negative")
        dimension = n
    }

    /// `(I − QQᵀ)v` by two Gram–Schmidt passes.
    ///
    /// - Precondition: `v.count == dimension`.
    /// - Complexity: `O(n·l)`, four `dgemv`.
    public func residual(of v: [Double]) -> [Double] {
        precondition(v.count == dimension, "residual: a vector of length \(v.count) for dimension \(dimension)")
        guard count > 0, dimension > 0 else { return v }
        var r = v
        var coefficients = [Double](repeating: 0, count: count)
        for _ in 0..<2 {
            cblas_dgemv(CblasColMajor, CblasTrans, Int32(dimension), Int32(count), 1, storage, Int32(dimension), r, 1, 0, &coefficients, 1)
            cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(dimension), Int32(count), -1, storage, Int32(dimension), coefficients, 1, 1, &r, 1)
        }
        return r
    }

    /// Appends `(I − QQᵀ)v/‖(I − QQᵀ)v‖` (re-projected, so that rounding in `v` does not leak
    /// into the list). Returns `false`, and keeps the list, when the residual is zero.
    @discardableResult
    public mutating func append(orthogonalizing v: [Double]) -> Bool {
        let r = residual(of: v)
        let norm = r.euclideanNorm
        guard norm > 0, norm.isFinite else { return false }
        storage += r.map { $0 / norm }
        count += 1
        return true
    }
}
