import PropertyBased
import Testing
import SuretyNumerics

/// Builds an `n × n` matrix from the first `n²` of `entries`.
func square(_ n: Int, _ entries: [Double]) -> Matrix {
    try! Matrix(rows: n, columns: n, columnMajor: Array(entries.prefix(n * n)))
}

@Suite struct NumericsProperties {
    @Test func choleskySolveHasSmallResidual() async {
        await propertyCheck(input: Gen.int(in: 1...12), Gen.double(in: -10...10).array(of: 144), Gen.double(in: -10...10).array(of: 12)) { n, entries, rhs in
            // A = BᵀB + I is symmetric positive definite with smallest eigenvalue ≥ 1.
            let b = square(n, entries)
            let a = b.gram() + .identity(n)
            let y = Array(rhs.prefix(n))
            let x = try a.cholesky().solve(y)
            let residual = (a * x).adding(y, scaledBy: -1).euclideanNorm
            // Backward-stable solve: residual ≤ c · n · ε · ‖A‖ · ‖x‖ (c = 10).
            let bound = 10 * Double(n) * Double.ulpOfOne * a.frobeniusNorm * x.euclideanNorm
            #expect(residual <= bound, "n = \(n): residual \(residual) > \(bound)")
            let logDet = try a.cholesky().logDeterminant
            let lu = try a.logAbsDeterminant()
            #expect(abs(logDet - lu.logAbs) <= 1e-10 * Swift.max(1, abs(logDet)))
        }
    }

    @Test func symmetricEigenReconstructsTheMatrix() async {
        await propertyCheck(input: Gen.int(in: 1...12), Gen.double(in: -5...5).array(of: 144)) { n, entries in
            let b = square(n, entries)
            let a = 0.5 * (b + b.transposed)
            let e = try a.symmetricEigendecomposition()
            let scale = Swift.max(a.frobeniusNorm, 1)
            #expect((e.applying { $0 } - a).maxAbsoluteEntry <= 1e-12 * scale)
            #expect((e.vectors.gram() - .identity(n)).maxAbsoluteEntry <= 1e-12)
            #expect(zip(e.values, e.values.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test func qrAndSVDLeastSquaresAgreeOnFullRankProblems() async {
        await propertyCheck(input: Gen.int(in: 1...6), Gen.double(in: -3...3).array(of: 120), Gen.double(in: -3...3).array(of: 20)) { n, entries, rhs in
            let m = n + 5
            let a = try Matrix(rows: m, columns: n, columnMajor: Array(entries.prefix(m * n)))
            let y = Array(rhs.prefix(m))
            let svd = try a.leastSquares(y)
            guard svd.rank == n, let smallest = svd.singularValues.last, smallest > 1e-6 * svd.singularValues[0] else { return }
            let qr = try a.qr().solve(y)
            let condition = svd.singularValues[0] / smallest
            for (u, v) in zip(qr, svd.coefficients) {
                #expect(abs(u - v) <= 1e-13 * condition * condition * Swift.max(1, svd.coefficients.euclideanNorm))
            }
        }
    }

    @Test func clopperPearsonIntervalsContainTheEstimateAndNest() async {
        await propertyCheck(input: Gen.int(in: 1...5000), Gen.double(in: 0...1), Gen.double(in: 0.001...0.2)) { n, fraction, delta in
            let k = Int((fraction * Double(n)).rounded(.down))
            let wide = try ConcentrationBounds.clopperPearson(successes: k, trials: n, failureProbability: delta / 10)
            let narrow = try ConcentrationBounds.clopperPearson(successes: k, trials: n, failureProbability: delta)
            let estimate = Double(k) / Double(n)
            #expect(narrow.contains(estimate))
            #expect(wide.lowerBound <= narrow.lowerBound && narrow.upperBound <= wide.upperBound)
        }
    }
}
