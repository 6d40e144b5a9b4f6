import CLinAlg
import SuretyNumerics

/// The linear-algebra workload both benchmark executables time: three operations at
/// `n = 1000`, each as a raw OpenBLAS/LAPACKE call and through SuretyNumerics.
///
/// The raw versions copy their input first where the routine overwrites it, as the wrapper
/// must, so that each pair does the same numerical work and their difference is the
/// wrapper's own cost (validation, allocation of the result, zeroing a triangle).
public struct LinearAlgebraWorkload: @unchecked Sendable {
    public let n: Int
    /// Uniform entries in [−0.5, 0.5) from `RandomStream(seed: 2026)`.
    public let general: Matrix
    public let other: Matrix
    /// `AᵀA / n + I`, symmetric positive definite.
    public let spd: Matrix

    public init(n: Int = 1000) {
        self.n = n
        var rng = RandomStream(seed: 2026)
        general = try! Matrix(rows: n, columns: n, columnMajor: (0..<(n * n)).map { _ in rng.nextUniform() - 0.5 })
        other = general.transposed
        spd = (1.0 / Double(n)) * general.gram() + .identity(n)
    }

    /// One operation in its two forms.
    public struct Pair: Sendable {
        public let name: String
        public let raw: @Sendable () -> Double
        public let wrapped: @Sendable () throws -> Double
    }

    /// The pairs; each closure returns one entry of its result so the work cannot be elided.
    public var pairs: [Pair] {
        let n = n, general = general, other = other, spd = spd
        return [
            Pair(name: "dgemm", raw: {
                var c = [Double](repeating: 0, count: n * n)
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                            general.storage, Int32(n), other.storage, Int32(n), 0, &c, Int32(n))
                return c[n + 1]
            }, wrapped: {
                try general.multiplied(by: other)[1, 1]
            }),
            Pair(name: "Cholesky", raw: {
                var l = spd.storage
                precondition(LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), &l, Int32(n)) == 0)
                return l[n + 1]
            }, wrapped: {
                try spd.cholesky().lower[1, 1]
            }),
            Pair(name: "eigen", raw: {
                var v = spd.storage
                var w = [Double](repeating: 0, count: n)
                precondition(LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "L")), Int32(n), &v, Int32(n), &w) == 0)
                return w[n - 1]
            }, wrapped: {
                try spd.symmetricEigendecomposition().values[n - 1]
            }),
        ]
    }
}
