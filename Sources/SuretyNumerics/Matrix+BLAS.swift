import CLinAlg

/// Matrix products through BLAS levels 2 and 3 (OpenBLAS).
extension Matrix {
    /// Whether an operand enters a product as itself or as its transpose.
    public enum Transpose: Sendable {
        case none, transposed
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// Returns `alpha · op(self) · op(other)`, with `op` the identity or the transpose
    /// (BLAS `dgemm`).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when the inner dimensions differ.
    /// - Complexity: O(m·n·k) flops, run by OpenBLAS's blocked kernels.
    public func multiplied(
        by other: Matrix, transposeSelf: Transpose = .none, transposeOther: Transpose = .none, alpha: Double = 1
    ) throws -> Matrix {
        let (m, k) = transposeSelf == .none ? (rows, columns) : (columns, rows)
        let (k2, n) = transposeOther == .none ? (other.rows, other.columns) : (other.columns, other.rows)
        guard k == k2 else {
            throw NumericsError.dimensionMismatch(
                operation: "matrix product", seen: "\(m)×\(k) times \(k2)×\(n)",
                expected: "inner dimensions equal")
        }
        var c = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return c }
        if k == 0 { return c }
        cblas_dgemm(CblasColMajor, transposeSelf.cblas, transposeOther.cblas,
                    Int32(m), Int32(n), Int32(k), alpha,
                    storage, Int32(Swift.max(rows, 1)), other.storage, Int32(Swift.max(other.rows, 1)),
                    0, &c.storage, Int32(Swift.max(m, 1)))
        return c
    }

    /// Returns `op(self) · x` (BLAS `dgemv`).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when `x` has the wrong length.
    public func multiplied(by x: [Double], transpose: Transpose = .none) throws -> [Double] {
        let (m, n) = transpose == .none ? (rows, columns) : (columns, rows)
        guard x.count == n else {
            throw NumericsError.dimensionMismatch(
                operation: "matrix-vector product", seen: "\(m)×\(n) times a vector of length \(x.count)",
                expected: "a vector of length \(n)")
        }
        var y = [Double](repeating: 0, count: m)
        guard m > 0, n > 0 else { return y }
        cblas_dgemv(CblasColMajor, transpose.cblas, Int32(rows), Int32(columns), 1,
                    storage, Int32(Swift.max(rows, 1)), x, 1, 0, &y, 1)
        return y
    }

    /// The Gram matrix `selfᵀ · self` (BLAS `dsyrk`), exactly symmetric.
    ///
    /// - Complexity: about half the flops of the general product.
    public func gram() -> Matrix {
        let n = columns
        var c = Matrix(rows: n, columns: n)
        guard n > 0, rows > 0 else { return c }
        cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(n), Int32(rows), 1,
                    storage, Int32(rows), 0, &c.storage, Int32(n))
        c.symmetrizeFromLower()
        return c
    }

    /// Copies the lower triangle onto the upper one.
    mutating func symmetrizeFromLower() {
        let n = rows
        storage.withUnsafeMutableBufferPointer { a in
            for j in 0..<n {
                for i in (j + 1)..<Swift.max(j + 1, n) { a[j + i * n] = a[i + j * n] }
            }
        }
    }

    /// The product of two matrices. Traps when inner dimensions differ, like an
    /// out-of-range index; use `multiplied(by:)` to get a thrown error instead.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        do { return try lhs.multiplied(by: rhs) } catch { preconditionFailure("\(error)") }
    }

    /// The matrix-vector product. Traps when the length is wrong; use
    /// `multiplied(by:)` to get a thrown error instead.
    public static func * (lhs: Matrix, rhs: [Double]) -> [Double] {
        do { return try lhs.multiplied(by: rhs) } catch { preconditionFailure("\(error)") }
    }
}
