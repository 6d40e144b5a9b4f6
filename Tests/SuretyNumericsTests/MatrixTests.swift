import Foundation
import Testing
@testable import SuretyNumerics

@Suite struct MatrixTests {
    let a = try! Matrix([[1, 2], [3, 4]])
    let b = try! Matrix([[5, 6], [7, 8]])

    @Test func layoutIsColumnMajor() throws {
        #expect(a.storage == [1, 3, 2, 4])
        #expect(a[1, 0] == 3)
        #expect(a.row(1) == [3, 4])
        #expect(a.column(1) == [2, 4])
        #expect(a.transposed == (try Matrix([[1, 3], [2, 4]])))
    }

    @Test func constructionRejectsWrongShapes() {
        #expect(throws: NumericsError.self) { try Matrix(rows: 2, columns: 2, columnMajor: [1, 2, 3]) }
        #expect(throws: NumericsError.self) { try Matrix([[1, 2], [3]]) }
    }

    @Test func slicing() throws {
        let m = try Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(m.submatrix(rows: 1..<3, columns: 0..<2) == (try Matrix([[4, 5], [7, 8]])))
        #expect(m.selectingRows([2, 0]) == (try Matrix([[7, 8, 9], [1, 2, 3]])))
        #expect(m.selectingColumns([2]) == Matrix.column([3, 6, 9]))
        #expect(m.diagonal == [1, 5, 9])
    }

    @Test func productsMatchHandComputation() throws {
        #expect(a * b == (try Matrix([[19, 22], [43, 50]])))
        #expect(try a.multiplied(by: b, transposeSelf: .transposed) == (try Matrix([[26, 30], [38, 44]])))
        #expect(try a.multiplied(by: b, transposeOther: .transposed) == (try Matrix([[17, 23], [39, 53]])))
        #expect(a * [1, 1] == [3, 7])
        #expect(try a.multiplied(by: [1, 1], transpose: .transposed) == [4, 6])
        #expect(a.gram() == (try Matrix([[10, 14], [14, 20]])))
        #expect(throws: NumericsError.self) { try a.multiplied(by: Matrix(rows: 3, columns: 1)) }
        #expect(throws: NumericsError.self) { try a.multiplied(by: [1, 2, 3]) }
    }

    @Test func vectorHelpers() {
        #expect([1, 2, 3].dot([4, 5, 6]) == 32)
        #expect([3.0, 4.0].euclideanNorm == 5)
        #expect([1e300, 1e300].euclideanNorm.isFinite)
        #expect([1, 2].adding([10, 20], scaledBy: 0.5) == [6, 12])
        #expect([1, 2, 3, 4].sampleVariance == 5.0 / 3.0)
    }

    @Test func choleskyOfHandExample() throws {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]]; det = 8.
        let s = try Matrix([[4, 2], [2, 3]])
        let c = try s.cholesky()
        #expect(abs(c.lower[0, 0] - 2) < 1e-15)
        #expect(abs(c.lower[1, 0] - 1) < 1e-15)
        #expect(abs(c.lower[1, 1] - 2.0.squareRoot()) < 1e-15)
        #expect(c.lower[0, 1] == 0)
        #expect(abs(c.logDeterminant - log(8)) < 1e-14)
        // s · [1, 2] = [8, 8]
        let x = try c.solve([8, 8])
        #expect(abs(x[0] - 1) < 1e-14 && abs(x[1] - 2) < 1e-14)
    }

    @Test func choleskyRejectsBadInput() throws {
        #expect(throws: NumericsError.notPositiveDefinite(order: 2)) { try Matrix([[1, 2], [2, 1]]).cholesky() }
        #expect(throws: NumericsError.nonFinite(operation: "Cholesky", row: 1, column: 0, value: .infinity)) {
            try Matrix([[1, .infinity], [.infinity, 1]]).cholesky()
        }
        let nan = #expect(throws: NumericsError.self) { try Matrix([[4, 0], [1, .nan]]).cholesky() }
        #expect(nan?.description == "Cholesky: entry (1, 1) is nan; expected a finite number")
        #expect(throws: NumericsError.nonFinite(operation: "Cholesky", row: 0, column: 0, value: .infinity)) {
            try Matrix([[.infinity, 0], [0, 1]]).cholesky()
        }
        // Only the lower triangle is read, as in LAPACK: the upper one is not inspected.
        let lowerOnly = try Matrix([[4, 99], [2, 3]]).cholesky()
        #expect(abs(lowerOnly.lower[1, 0] - 1) < 1e-15)
        #expect(!(try Matrix([[4, 99], [2, 3]])).isSymmetric())
        #expect(throws: NumericsError.self) { try Matrix(rows: 2, columns: 3).cholesky() }
    }

    @Test func symmetricEigenOfHandExample() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
        let e = try Matrix([[2, 1], [1, 2]]).symmetricEigendecomposition()
        #expect(abs(e.values[0] - 1) < 1e-14 && abs(e.values[1] - 3) < 1e-14)
        let v = e.vectors.column(1)
        #expect(abs(abs(v[0]) - 0.5.squareRoot()) < 1e-14)
        #expect(abs(v[0] - v[1]) < 1e-14)
        #expect(throws: NumericsError.self) { try Matrix([[1, 0], [.nan, 1]]).symmetricEigendecomposition() }
        let root = e.applying { $0.squareRoot() }
        #expect(((root * root) - (try Matrix([[2, 1], [1, 2]]))).maxAbsoluteEntry < 1e-14)
    }

    @Test func qrLeastSquaresFitsALine() throws {
        // y = 1 + 2t at t = 0, 1, 2, 3: exact fit.
        let design = try Matrix([[1, 0], [1, 1], [1, 2], [1, 3]])
        let qr = try design.qr()
        let coefficients = try qr.solve([1, 3, 5, 7])
        #expect(abs(coefficients[0] - 1) < 1e-13 && abs(coefficients[1] - 2) < 1e-13)
        #expect((qr.q.gram() - .identity(2)).maxAbsoluteEntry < 1e-14)
        #expect(((qr.q * qr.r) - design).maxAbsoluteEntry < 1e-14)
        #expect(throws: NumericsError.singular(operation: "QR least squares")) {
            try Matrix([[1, 2], [2, 4], [3, 6]]).qr().solve([1, 2, 3])
        }
    }

    @Test func leastSquaresHandlesRankDeficiency() throws {
        // Columns equal: the minimum-norm solution splits the weight evenly.
        let design = try Matrix([[1, 1], [2, 2], [3, 3]])
        let s = try design.leastSquares([2, 4, 6])
        #expect(s.rank == 1)
        #expect(abs(s.coefficients[0] - 1) < 1e-12 && abs(s.coefficients[1] - 1) < 1e-12)
        #expect(s.residualSumOfSquares < 1e-20)
        // An overdetermined inconsistent system: mean of the observations.
        let m = try Matrix([[1], [1], [1]]).leastSquares([1, 2, 6])
        #expect(abs(m.coefficients[0] - 3) < 1e-14)
        #expect(abs(m.residualSumOfSquares - 14) < 1e-12)
        #expect(throws: NumericsError.self) { try design.leastSquares([1, .nan, 2]) }
    }

    @Test func normsAndDeterminants() throws {
        #expect(abs(try Matrix.diagonal([3, -5]).operatorNorm() - 5) < 1e-14)
        #expect(abs(try Matrix([[1, 2], [3, 4]]).singularValues()[0] - 5.464985704219043) < 1e-13)
        let d = try Matrix([[0, 1], [1, 0]]).logAbsDeterminant()
        #expect(abs(d.logAbs) < 1e-15 && d.sign == -1)
        let singular = try Matrix([[1, 2], [2, 4]]).logAbsDeterminant()
        #expect(singular.logAbs == -.infinity)
    }

    @Test func multivariateNormalFactorReconstructsCovariance() throws {
        let sigma = try Matrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]])
        let mvn = try MultivariateNormal(mean: [0, 0, 0], covariance: sigma)
        #expect(((mvn.factor * mvn.factor.transposed) - sigma).maxAbsoluteEntry < 1e-14)
        // Singular but positive semi-definite: the eigen square root is used.
        let rankOne = try Matrix([[1, 1], [1, 1]])
        let psd = try MultivariateNormal(mean: [0, 0], covariance: rankOne)
        #expect(((psd.factor * psd.factor.transposed) - rankOne).maxAbsoluteEntry < 1e-14)
        #expect(throws: NumericsError.self) { try MultivariateNormal(mean: [0, 0], covariance: Matrix([[1, 2], [2, 1]])) }
        #expect(throws: NumericsError.self) { try MultivariateNormal(mean: [0, 0], covariance: Matrix([[1, 0.5], [0.4, 1]])) }
    }
}
