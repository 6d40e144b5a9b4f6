import Foundation
import Testing
@testable import SuretyNumerics

@Suite struct TridiagonalAndGramSchmidtTests {
    /// The eigenvalues of tridiag(−1, 2, −1) of order n are 2 − 2cos(kπ/(n+1)), k = 1…n
    /// (increasing); bad shapes and NaN are errors; n = 0 and n = 1 are edges.
    @Test func tridiagonalEigenvaluesKnownValues() throws {
        for n in [1, 2, 7, 60] {
            let values = try Matrix.symmetricTridiagonalEigenvalues(diagonal: Array(repeating: 2, count: n), offDiagonal: Array(repeating: -1, count: max(n - 1, 0)))
            for (k, v) in values.enumerated() {
                #expect(abs(v - (2 - 2 * cos(Double(k + 1) * Double.pi / Double(n + 1)))) < 1e-13, "n = \(n), k = \(k + 1): \(v)")
            }
        }
        #expect(try Matrix.symmetricTridiagonalEigenvalues(diagonal: [], offDiagonal: []).isEmpty)
        #expect(throws: NumericsError.self) { try Matrix.symmetricTridiagonalEigenvalues(diagonal: [1, 2, 3], offDiagonal: [1]) }
        #expect(throws: NumericsError.self) { try Matrix.symmetricTridiagonalEigenvalues(diagonal: [1, .nan], offDiagonal: [1]) }
        #expect(throws: NumericsError.self) { try Matrix.symmetricTridiagonalEigenvalues(diagonal: [1, 2], offDiagonal: [.infinity]) }
    }

    /// Two Gram–Schmidt passes keep the list orthonormal to working precision even for nearly
    /// dependent inputs (the second vector 10⁻¹⁰ away from the first, a Hilbert-like sequence):
    /// the projection I − QQᵀ is idempotent to 10⁻¹⁴ (so Q is orthonormal), every input's residual
    /// vanishes, and a zero vector is not appended.
    @Test func gramSchmidtTwiceStaysOrthonormal() throws {
        let n = 12
        var list = OrthonormalColumns(dimension: n)
        let first = (0..<n).map { 1 / Double($0 + 1) }
        let inputs = [first, first.enumerated().map { $0.element + ($0.offset == 3 ? 1e-10 : 0) }]
            + (2..<8).map { k in (0..<n).map { 1 / Double($0 + k + 1) } }
        for v in inputs {
            let appended = list.append(orthogonalizing: v)
            #expect(appended)
        }
        #expect(list.count == 8)
        // Every input now lies in the span: its residual vanishes.
        for v in inputs { #expect(list.residual(of: v).euclideanNorm < 1e-13 * v.euclideanNorm) }
        // The stored list itself: project each basis direction out of e_i and check idempotence.
        for i in 0..<n {
            var e = [Double](repeating: 0, count: n); e[i] = 1
            let r = list.residual(of: e), rr = list.residual(of: r)
            #expect(zip(r, rr).allSatisfy { abs($0 - $1) < 1e-14 }, "projection not idempotent at e_\(i)")
        }
        let inSpan = inputs[2].adding(inputs[5], scaledBy: -3)
        #expect(list.residual(of: inSpan).euclideanNorm < 1e-15 * inSpan.euclideanNorm * 10)
        var copy = list
        let appendedZero = copy.append(orthogonalizing: [Double](repeating: 0, count: n))
        #expect(!appendedZero)
        #expect(copy.count == 8)
    }
}
