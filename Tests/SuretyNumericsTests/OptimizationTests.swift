import Foundation
import SuretyNumerics
import Testing

@Suite struct OptimizationTests {
    /// Nonnegative least squares against brute force: on 40 random problems (4–7 rows, 3–9
    /// columns) the residual equals the best over every support set whose unconstrained
    /// solution is positive (the global minimum of the convex problem), and the result meets
    /// the KKT conditions.
    @Test func nonnegativeLeastSquaresMatchesEnumeration() throws {
        var rng = RandomStream(seed: 41)
        for trial in 0..<40 {
            let m = 4 + trial % 4, n = 3 + trial % 7
            let a = try Matrix(rows: m, columns: n, columnMajor: Normal.standard.samples(count: m * n, using: &rng))
            let b = Normal.standard.samples(count: m, using: &rng)
            let x = try a.nonnegativeLeastSquares(b)
            #expect(x.allSatisfy { $0 >= 0 })
            let residual = try b.adding(a.multiplied(by: x), scaledBy: -1)
            let gradient = try a.multiplied(by: residual, transpose: .transposed)
            for j in 0..<n {
                #expect(x[j] > 0 ? abs(gradient[j]) < 1e-9 : gradient[j] < 1e-9, "trial \(trial), column \(j)")
            }
            var best = b.dot(b)                                                 // x = 0
            for mask in 1..<(1 << n) {
                let set = (0..<n).filter { mask & (1 << $0) != 0 }
                guard set.count <= m else { continue }
                let z = try a.selectingColumns(set).leastSquares(b)
                if z.coefficients.allSatisfy({ $0 > 0 }) { best = min(best, z.residualSumOfSquares) }
            }
            #expect(abs(residual.dot(residual) - best) <= 1e-10 * max(1, best), "trial \(trial)")
        }
    }

    /// Nelder–Mead finds the Rosenbrock minimum (1, 1) and the minimum of a shifted quadratic
    /// in 5 parameters. (On a non-smooth maximum such as max(|x − 1|, |y + 2|) it can stall at
    /// a kink — measured — which is why the moment estimator's ERM starts it from candidates.)
    @Test func nelderMead() {
        var search = NelderMead()
        search.maxEvaluations = 5000
        search.tolerance = 1e-16
        let rosenbrock = search.minimize({ 100 * pow($0[1] - $0[0] * $0[0], 2) + pow(1 - $0[0], 2) }, start: [-1.2, 1], step: 0.5)
        #expect(abs(rosenbrock.point[0] - 1) < 1e-4 && abs(rosenbrock.point[1] - 1) < 1e-4, "\(rosenbrock)")
        let target = [1.0, -2, 0.5, 3, -0.25]
        let bowl = search.minimize({ p in zip(p, target).enumerated().reduce(0) { $0 + Double($1.0 + 1) * pow($1.1.0 - $1.1.1, 2) } },
                                   start: [0, 0, 0, 0, 0], step: 1)
        #expect(zip(bowl.point, target).allSatisfy { abs($0 - $1) < 1e-4 }, "\(bowl)")
    }
}
