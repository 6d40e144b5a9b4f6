extension Matrix {
    /// `argmin ‖Ax − b‖₂` over `x ≥ 0`, by Lawson and Hanson's active-set algorithm
    /// (*Solving Least Squares Problems*, 1974, ch. 23): move the column with the largest
    /// gradient `Aᵀ(b − Ax)` into the passive set, solve the unconstrained problem on that set,
    /// and step back along the segment whenever a passive coefficient would turn negative.
    ///
    /// The result satisfies the KKT conditions to `tolerance`: every coefficient is `≥ 0`
    /// (exactly — negatives never leave the routine) and the gradient is `≤ tolerance` on the
    /// zero coefficients. Finite termination; `maxIterations` (default `3 · columns`) guards
    /// against cycling from rounding.
    ///
    /// - Parameter tolerance: the gradient threshold; the default `10 · max(m, n) · ε · ‖A‖₁ ‖b‖`
    ///   scales with the problem.
    /// - Throws: `.dimensionMismatch` for a right-hand side of the wrong length, `.nonFinite`
    ///   for NaN/∞ input, `.noConvergence` past `maxIterations`.
    public func nonnegativeLeastSquares(_ b: [Double], tolerance: Double? = nil, maxIterations: Int? = nil) throws -> [Double] {
        guard b.count == rows else {
            throw NumericsError.dimensionMismatch(operation: "nonnegative least squares", seen: "right-hand side of length \(b.count)", expected: "length \(rows)")
        }
        try requireFinite("nonnegative least squares")
        if let k = b.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "nonnegative least squares right-hand side", row: k, column: 0, value: b[k])
        }
        let n = columns
        var x = [Double](repeating: 0, count: n)
        guard rows > 0, n > 0 else { return x }
        let scale = (0..<n).map { j in column(j).reduce(0) { $0 + abs($1) } }.max()! * b.reduce(0) { $0 + abs($1) }
        let tol = tolerance ?? 10 * Double(Swift.max(rows, n)) * Double.ulpOfOne * Swift.max(scale, Double.leastNormalMagnitude)
        var passive = [Bool](repeating: false, count: n)
        let limit = maxIterations ?? 3 * n
        var iterations = 0
        while true {
            let residual = try b.adding(multiplied(by: x), scaledBy: -1)
            let gradient = try multiplied(by: residual, transpose: .transposed)
            var entering = -1, largest = tol
            for j in 0..<n where !passive[j] && gradient[j] > largest { largest = gradient[j]; entering = j }
            if entering < 0 { return x }
            passive[entering] = true
            while true {
                iterations += 1
                guard iterations <= limit else {
                    throw NumericsError.noConvergence(function: "nonnegative least squares", detail: "\(iterations) iterations")
                }
                let set = (0..<n).filter { passive[$0] }
                let z = try selectingColumns(set).leastSquares(b).coefficients
                if z.allSatisfy({ $0 > 0 }) {
                    for (i, j) in set.enumerated() { x[j] = z[i] }
                    break
                }
                // Step from x toward z until the first passive coefficient reaches zero.
                var alpha = 1.0, blocking = -1
                for (i, j) in set.enumerated() where z[i] <= 0 {
                    let step = x[j] / (x[j] - z[i])
                    if step < alpha { alpha = step; blocking = j }
                }
                for (i, j) in set.enumerated() {
                    x[j] += alpha * (z[i] - x[j])
                    if j == blocking || x[j] <= 0 {
                        x[j] = 0
                        passive[j] = false
                    }
                }
                if !passive.contains(true) { break }
            }
        }
    }
}
