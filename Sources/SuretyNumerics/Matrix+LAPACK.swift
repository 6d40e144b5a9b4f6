import Foundation
import CLinAlg

private let lapackLower = CChar(UInt8(ascii: "L"))


private func check(_ info: Int32, _ routine: String) throws {
    if info != 0 { throw NumericsError.lapackFailure(routine: routine, info: Int(info)) }
}

private func requireSquare(_ a: Matrix, _ operation: String) throws {
    guard a.isSquare else {
        throw NumericsError.dimensionMismatch(operation: operation, seen: "\(a.rows)×\(a.columns)", expected: "a square matrix")
    }
}

/// Throws `.nonFinite` naming the first NaN or ±∞ in the lower triangle of `a`, if any.
/// Used on the error paths of the symmetric routines, which read only that triangle.
private func requireFiniteLowerTriangle(_ a: Matrix, _ operation: String) throws {
    let n = a.rows
    try a.storage.withUnsafeBufferPointer { p in
        for j in 0..<n {
            for i in j..<n where !p[i + j * n].isFinite {
                throw NumericsError.nonFinite(operation: operation, row: i, column: j, value: p[i + j * n])
            }
        }
    }
}

// MARK: - Cholesky

/// The Cholesky factorization `A = L Lᵀ` of a symmetric positive-definite matrix
/// (LAPACK `dpotrf`), with solves and the log-determinant.
///
/// Like LAPACK (and NumPy and SciPy), the factorization reads only the **lower triangle**
/// of `A`: the upper triangle is taken to mirror it and is not inspected, which keeps the
/// wrapper's cost negligible next to the O(n³) factorization. Use `Matrix.isSymmetric()` to
/// check a matrix whose symmetry is in doubt.
public struct CholeskyFactorization: Sendable {
    /// The lower-triangular factor `L` (zeros above the diagonal).
    public let lower: Matrix

    /// Factors `a`, reading its lower triangle.
    ///
    /// - Throws: `NumericsError.dimensionMismatch` for a non-square matrix, `.nonFinite` for a
    ///   NaN or ±∞ in the lower triangle, `.notPositiveDefinite(order:)` when a leading minor
    ///   is not positive.
    /// - Complexity: n³/3 flops.
    public init(_ a: Matrix) throws {
        try requireSquare(a, "Cholesky")
        var l = a
        let n = a.rows
        if n > 0 {
            let info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, lapackLower, Int32(n), &l.storage, Int32(n))
            if info != 0 {
                // LAPACKE's own NaN check gives info < 0; an infinity surfaces as a failed pivot.
                try requireFiniteLowerTriangle(a, "Cholesky")
                if info > 0 { throw NumericsError.notPositiveDefinite(order: Int(info)) }
                try check(info, "dpotrf")
            }
        }
        let factorDiagonalFinite = l.storage.withUnsafeMutableBufferPointer { p -> Bool in
            var finite = true
            for j in 0..<n {
                finite = finite && p[j + j * n].isFinite
                // Zero the strictly upper part of column j (dpotrf leaves the input there).
                (p.baseAddress! + j * n).update(repeating: 0, count: j)
            }
            return finite
        }
        if !factorDiagonalFinite { try requireFiniteLowerTriangle(a, "Cholesky") }
        self.lower = l
    }

    /// The dimension `n` of the factored `n × n` matrix.
    public var dimension: Int { lower.rows }

    /// `log det A = 2 Σ log L_ii`, accurate even when `det A` under- or overflows.
    public var logDeterminant: Double { 2 * lower.diagonal.reduce(0) { $0 + log($1) } }

    /// Solves `A X = B` for a matrix of right-hand sides (LAPACK `dpotrs`).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when `B` has the wrong number of rows.
    public func solve(_ b: Matrix) throws -> Matrix {
        guard b.rows == dimension else {
            throw NumericsError.dimensionMismatch(operation: "Cholesky solve", seen: "\(b.rows) rows", expected: "\(dimension) rows")
        }
        var x = b
        guard dimension > 0, b.columns > 0 else { return x }
        let n = Int32(dimension)
        try check(LAPACKE_dpotrs(LAPACK_COL_MAJOR, lapackLower, n, Int32(b.columns), lower.storage, n, &x.storage, n), "dpotrs")
        return x
    }

    /// Solves `A x = b`.
    public func solve(_ b: [Double]) throws -> [Double] { try solve(Matrix.column(b)).storage }

    /// Solves `L y = b` (forward substitution only), which whitens `b`: if `b ~ N(0, A)`,
    /// then `y ~ N(0, I)`.
    public func solveLower(_ b: [Double]) throws -> [Double] {
        guard b.count == dimension else {
            throw NumericsError.dimensionMismatch(operation: "triangular solve", seen: "length \(b.count)", expected: "length \(dimension)")
        }
        var y = b
        guard dimension > 0 else { return y }
        cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(dimension), lower.storage, Int32(dimension), &y, 1)
        return y
    }
}

// MARK: - Symmetric eigendecomposition

/// The eigendecomposition `A = V diag(λ) Vᵀ` of a real symmetric matrix
/// (LAPACK `dsyevd`, divide and conquer).
public struct SymmetricEigendecomposition: Sendable {
    /// The eigenvalues in ascending order.
    public let values: [Double]
    /// The orthonormal eigenvectors, one per column, in the order of `values`.
    public let vectors: Matrix

    /// Decomposes `a`, reading its lower triangle (as LAPACK does; the upper triangle is
    /// taken to mirror it and is not inspected).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` for a non-square matrix, `.nonFinite` for
    ///   a NaN or ±∞ in the lower triangle, `.lapackFailure` when the algorithm fails to converge,
    ///   `.noConvergence` when finite input still gives non-finite eigenvalues (overflow).
    /// - Complexity: O(n³).
    public init(_ a: Matrix) throws {
        try requireSquare(a, "symmetric eigendecomposition")
        var v = a
        var w = [Double](repeating: 0, count: a.rows)
        let n = Int32(a.rows)
        if n > 0 {
            let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), lapackLower, n, &v.storage, n, &w)
            if info != 0 || !w.allSatisfy(\.isFinite) {
                try requireFiniteLowerTriangle(a, "symmetric eigendecomposition")
                try check(info, "dsyevd")
                // Finite input, success reported, yet non-finite eigenvalues: entries near overflow.
                throw NumericsError.noConvergence(function: "dsyevd", detail: "non-finite eigenvalues from finite input (entries too close to overflow?)")
            }
        }
        values = w
        vectors = v
    }

    /// `V diag(f(λ)) Vᵀ`: the matrix function `f(A)`, e.g. `sqrt` for the square root.
    public func applying(_ f: (Double) -> Double) -> Matrix {
        let n = values.count
        var scaled = vectors
        for j in 0..<n {
            let s = f(values[j])
            for i in 0..<n { scaled[i, j] *= s }
        }
        // Both factors are n × n, so the product cannot fail.
        var out = scaled * vectors.transposed
        out.symmetrizeFromLower()
        return out
    }
}

// MARK: - QR and least squares

/// The thin QR factorization `A = Q R` of an `m × n` matrix with `m ≥ n`
/// (LAPACK `dgeqrf` + `dorgqr`).
public struct QRFactorization: Sendable {
    /// The `m × n` factor with orthonormal columns.
    public let q: Matrix
    /// The `n × n` upper-triangular factor.
    public let r: Matrix

    /// Factors `a`.
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when `a` has more columns than rows,
    ///   `.nonFinite` for NaN/∞ entries.
    public init(_ a: Matrix) throws {
        guard a.rows >= a.columns else {
            throw NumericsError.dimensionMismatch(operation: "QR", seen: "\(a.rows)×\(a.columns)", expected: "at least as many rows as columns")
        }
        try a.requireFinite("QR")
        let m = Int32(a.rows), n = Int32(a.columns)
        var f = a
        var tau = [Double](repeating: 0, count: a.columns)
        if n > 0 {
            try check(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, m, n, &f.storage, m, &tau), "dgeqrf")
        }
        var r = Matrix(rows: a.columns, columns: a.columns)
        for j in 0..<a.columns { for i in 0...j { r[i, j] = f[i, j] } }
        if n > 0 {
            try check(LAPACKE_dorgqr(LAPACK_COL_MAJOR, m, n, n, &f.storage, m, tau), "dorgqr")
        }
        q = f
        self.r = r
    }

    /// Solves the full-rank least-squares problem `min ‖A x − b‖₂` as `R x = Qᵀ b`.
    ///
    /// - Throws: `NumericsError.singular` when a diagonal entry of `R` is below
    ///   `max(m, n) · ε · max|R_ii|` (numerically rank-deficient: use `Matrix.leastSquares`),
    ///   `.dimensionMismatch` when `b` has the wrong length.
    public func solve(_ b: [Double]) throws -> [Double] {
        let n = r.rows
        var y = try q.multiplied(by: b, transpose: .transposed)
        let d = r.diagonal.map(abs)
        let threshold = Double(Swift.max(q.rows, n)) * Double.ulpOfOne * (d.max() ?? 0)
        guard d.allSatisfy({ $0 > threshold }) else { throw NumericsError.singular(operation: "QR least squares") }
        guard n > 0 else { return y }
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), r.storage, Int32(n), &y, 1)
        return y
    }
}

/// The minimum-norm solution of a least-squares problem, with the numerical rank found
/// along the way (LAPACK `dgelsd`, SVD-based).
public struct LeastSquaresSolution: Sendable {
    /// The minimum-norm minimizer of `‖A x − b‖₂`.
    public let coefficients: [Double]
    /// The numerical rank: singular values above `rcond · σ_max` count.
    public let rank: Int
    /// The singular values of `A`, in decreasing order.
    public let singularValues: [Double]
    /// `‖A x − b‖₂²` at the solution.
    public let residualSumOfSquares: Double
}

extension Matrix {
    /// Returns the Cholesky factorization; see `CholeskyFactorization`.
    public func cholesky() throws -> CholeskyFactorization { try CholeskyFactorization(self) }

    /// Returns the symmetric eigendecomposition; see `SymmetricEigendecomposition`.
    public func symmetricEigendecomposition() throws -> SymmetricEigendecomposition { try SymmetricEigendecomposition(self) }

    /// Returns the thin QR factorization; see `QRFactorization`.
    public func qr() throws -> QRFactorization { try QRFactorization(self) }

    /// Solves `min ‖A x − b‖₂` for any shape and rank, returning the minimum-norm solution.
    ///
    /// - Parameter rcond: singular values at or below `rcond · σ_max` are treated as zero;
    ///   the default `max(m, n) · ε` is LAPACK's usual choice.
    /// - Throws: `.dimensionMismatch` when `b.count != rows`, `.nonFinite` for NaN/∞ input,
    ///   `.lapackFailure` when the SVD does not converge.
    public func leastSquares(_ b: [Double], rcond: Double? = nil) throws -> LeastSquaresSolution {
        guard b.count == rows else {
            throw NumericsError.dimensionMismatch(operation: "least squares", seen: "right-hand side of length \(b.count)", expected: "length \(rows)")
        }
        try requireFinite("least squares")
        if let k = b.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "least squares right-hand side", row: k, column: 0, value: b[k])
        }
        let m = rows, n = columns, ldb = Swift.max(m, n, 1)
        var a = self
        var rhs = b + [Double](repeating: 0, count: ldb - m)
        var s = [Double](repeating: 0, count: Swift.min(m, n))
        var rank: Int32 = 0
        let cond = rcond ?? Double(Swift.max(m, n)) * Double.ulpOfOne
        if m > 0 && n > 0 {
            try check(LAPACKE_dgelsd(LAPACK_COL_MAJOR, Int32(m), Int32(n), 1, &a.storage, Int32(Swift.max(m, 1)),
                                     &rhs, Int32(ldb), &s, cond, &rank), "dgelsd")
        }
        let x = Array(rhs.prefix(n))
        let residual = try multiplied(by: x).adding(b, scaledBy: -1)
        return LeastSquaresSolution(coefficients: x, rank: Int(rank), singularValues: s,
                                    residualSumOfSquares: residual.dot(residual))
    }

    /// The singular values in decreasing order (LAPACK `dgesdd`, values only).
    ///
    /// - Throws: `.nonFinite` for NaN/∞ entries, `.lapackFailure` when the SVD fails.
    public func singularValues() throws -> [Double] {
        try requireFinite("singular values")
        let k = Swift.min(rows, columns)
        guard k > 0 else { return [] }
        var a = self
        var s = [Double](repeating: 0, count: k)
        var u = [Double](repeating: 0, count: 1), vt = [Double](repeating: 0, count: 1)
        try check(LAPACKE_dgesdd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(rows), Int32(columns),
                                 &a.storage, Int32(rows), &s, &u, 1, &vt, 1), "dgesdd")
        return s
    }

    /// The operator (spectral) norm `‖A‖₂ = σ_max`; zero for an empty matrix.
    public func operatorNorm() throws -> Double { try singularValues().first ?? 0 }

    /// `log |det A|` and the sign of `det A` for a square matrix, by LU with partial pivoting
    /// (LAPACK `dgetrf`). A singular matrix gives `(-∞, 0)`.
    public func logAbsDeterminant() throws -> (logAbs: Double, sign: Double) {
        try requireSquare(self, "determinant")
        try requireFinite("determinant")
        let n = rows
        guard n > 0 else { return (0, 1) }
        var a = self
        var pivots = [Int32](repeating: 0, count: n)
        let info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), &a.storage, Int32(n), &pivots)
        if info > 0 { return (-.infinity, 0) }
        try check(info, "dgetrf")
        var logAbs = 0.0, sign = 1.0
        for i in 0..<n {
            let d = a[i, i]
            logAbs += log(abs(d))
            if d < 0 { sign = -sign }
            if pivots[i] != Int32(i + 1) { sign = -sign }
        }
        return (logAbs, sign)
    }
}

extension Matrix {
    /// The eigenvalues, in increasing order, of the real symmetric tridiagonal matrix with the
    /// given diagonal (`n` values) and off-diagonal (`n − 1` values; more are ignored) — LAPACK
    /// `dsterf` (Pal–Walker–Kahan root-free QL/QR), values only.
    ///
    /// - Throws: `.dimensionMismatch` for an off-diagonal shorter than `n − 1`, `.nonFinite`
    ///   for NaN/∞ entries, `.lapackFailure` when the iteration does not converge.
    /// - Complexity: O(n²).
    public static func symmetricTridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) throws -> [Double] {
        let n = diagonal.count
        guard n > 0 else { return [] }
        guard offDiagonal.count >= n - 1 else {
            throw NumericsError.dimensionMismatch(operation: "tridiagonal eigenvalues", seen: "\(offDiagonal.count) off-diagonal values",
                                                  expected: "\(n - 1) for \(n) diagonal values")
        }
        if let k = diagonal.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "tridiagonal eigenvalues", row: k, column: k, value: diagonal[k])
        }
        if let k = offDiagonal.prefix(n - 1).firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "tridiagonal eigenvalues", row: k + 1, column: k, value: offDiagonal[k])
        }
        var d = diagonal, e = Array(offDiagonal.prefix(n - 1)) + [0]
        try check(LAPACKE_dsterf(Int32(n), &d, &e), "dsterf")
        return d
    }
}
