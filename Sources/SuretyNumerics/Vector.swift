import CLinAlg

/// Vector helpers on `[Double]`, backed by BLAS level 1.
extension Array where Element == Double {
    /// The inner product `Σ self[i] · other[i]`.
    ///
    /// - Precondition: both arrays have the same length.
    public func dot(_ other: [Double]) -> Double {
        precondition(count == other.count, "dot: lengths \(count) and \(other.count) differ")
        guard !isEmpty else { return 0 }
        return cblas_ddot(Int32(count), self, 1, other, 1)
    }

    /// The Euclidean norm, computed with scaling so that it neither overflows nor underflows
    /// for representable results (BLAS `dnrm2`).
    public var euclideanNorm: Double {
        guard !isEmpty else { return 0 }
        return cblas_dnrm2(Int32(count), self, 1)
    }

    /// `self + alpha · x`, elementwise (BLAS `daxpy`).
    public func adding(_ x: [Double], scaledBy alpha: Double = 1) -> [Double] {
        precondition(count == x.count, "adding: lengths \(count) and \(x.count) differ")
        var y = self
        guard !isEmpty else { return y }
        cblas_daxpy(Int32(count), alpha, x, 1, &y, 1)
        return y
    }

    /// Every entry multiplied by `alpha`.
    public func scaled(by alpha: Double) -> [Double] { map { alpha * $0 } }

    /// The arithmetic mean; NaN for an empty array.
    public var mean: Double { isEmpty ? .nan : reduce(0, +) / Double(count) }

    /// The unbiased sample variance `Σ (x − x̄)² / (n − 1)`, computed in two passes;
    /// NaN when fewer than two entries.
    public var sampleVariance: Double {
        guard count > 1 else { return .nan }
        let m = mean
        return reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(count - 1)
    }
}
