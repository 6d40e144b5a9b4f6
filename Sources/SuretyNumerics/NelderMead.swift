/// Derivative-free local minimization by the Nelder–Mead simplex method (Nelder & Mead 1965,
/// with the standard coefficients: reflection 1, expansion 2, contraction ½, shrink ½).
///
/// A local method with no global guarantee: callers that need a global minimum start it from
/// several points. Suited to a handful of parameters; on a non-smooth objective (a maximum
/// of distances, say) it can stall at a kink short of the minimum, so start it near one.
public struct NelderMead: Sendable {
    /// Stop when the objective values across the simplex differ by at most this.
    public var tolerance = 1e-10
    public var maxEvaluations = 2000

    public init() {}

    /// The best point found and its value.
    ///
    /// - Parameters:
    ///   - start: the first vertex; the others are `start + step·e_i`.
    ///   - step: the initial edge length per coordinate.
    public func minimize(_ f: ([Double]) -> Double, start: [Double], step: Double) -> (point: [Double], value: Double) {
        let n = start.count
        guard n > 0 else { return (start, f(start)) }
        var simplex = [start] + (0..<n).map { i -> [Double] in var v = start; v[i] += step; return v }
        var values = simplex.map(f)
        var evaluations = n + 1
        func combine(_ a: [Double], _ b: [Double], _ t: Double) -> [Double] { zip(a, b).map { $0 + t * ($1 - $0) } }
        while evaluations < maxEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            if values[n] - values[0] <= tolerance { break }
            var centroid = [Double](repeating: 0, count: n)
            for v in simplex.prefix(n) { for i in 0..<n { centroid[i] += v[i] / Double(n) } }
            let reflected = combine(centroid, simplex[n], -1)
            let fr = f(reflected); evaluations += 1
            if fr < values[0] {
                let expanded = combine(centroid, simplex[n], -2)
                let fe = f(expanded); evaluations += 1
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let outside = fr < values[n]
                let contracted = combine(centroid, outside ? reflected : simplex[n], 0.5)
                let fc = f(contracted); evaluations += 1
                if fc < (outside ? fr : values[n]) {
                    simplex[n] = contracted; values[n] = fc
                } else {
                    for i in 1...n {
                        simplex[i] = combine(simplex[0], simplex[i], 0.5)
                        values[i] = f(simplex[i])
                    }
                    evaluations += n
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return (simplex[best], values[best])
    }
}
