import Foundation
import SuretyNumerics

/// Marginals of a batch of queries.
public struct CircuitMarginals: Sendable {
    /// `log Z` per row: the log of the circuit's value at that row's leaves (with evidence).
    /// `-∞` when the evidence contradicts the hard rules.
    public var logPartition: [Double]
    /// `P(μ_j = 1 | evidence)` per row and variable (rows × variables); NaN on rows whose
    /// `logPartition` is `-∞`.
    public var marginals: Matrix
}

extension ProbabilisticCircuit {
    /// Exact posterior marginals `P(μ_j = 1)` of every variable for every row of leaf
    /// probabilities, in one upward and one downward pass per row (log space).
    ///
    /// - Parameters:
    ///   - probabilities: rows × ``variableCount``; entry `(i, j)` is `p_j` for row `i`, used
    ///     as the leaves `λ_{j} = p_j`, `λ_{¬j} = 1 − p_j`. Entries must lie in `[0, 1]`.
    ///   - evidence: variables observed as true or false for every row (their opposite leaf is
    ///     set to zero).
    /// - Returns: for each row, `log Z` and the marginals
    ///   `π_j = λ_j · ∂Z/∂λ_j / Z` — for a compiled circuit, exactly the COLEP corrected
    ///   probability of eq. (1) (conditioned on the evidence).
    /// - Throws: `NumericsError` when the shape is wrong, an entry is outside `[0, 1]`, or
    ///   evidence names an unknown variable.
    public func marginals(probabilities: Matrix, evidence: [Int: Bool] = [:]) throws -> CircuitMarginals {
        try checkLeafProbabilities(probabilities, evidence: evidence)
        let rows = probabilities.rows
        var out = CircuitMarginals(logPartition: [Double](repeating: 0, count: rows),
                                   marginals: Matrix(rows: rows, columns: variableCount))
        var evaluator = CircuitEvaluator(self)
        forEachChunk(rows: rows, width: evaluator.width) { range in
            evaluator.setLeaves(count: range.count) { v, positive, target in
                fillLogLeaf(probabilities, variable: v, positive: positive, evidence: evidence[v], rows: range, into: target)
            }
            evaluator.upward(count: range.count)
            evaluator.downward(count: range.count)
            for (b, i) in range.enumerated() {
                let logZ = evaluator.logValue(node: root, row: b)
                out.logPartition[i] = logZ
                for v in 0..<variableCount {
                    let leaf = Int(positiveLeaf[v])
                    out.marginals[i, v] = logZ == -.infinity ? .nan
                        : exp(evaluator.logValue(node: leaf, row: b) + evaluator.logDerivative(node: leaf, row: b) - logZ)
                }
            }
        }
        return out
    }

    /// `log Z` for every row of leaf probabilities (upward pass only); see
    /// ``marginals(probabilities:evidence:)`` for the arguments.
    public func logPartition(probabilities: Matrix, evidence: [Int: Bool] = [:]) throws -> [Double] {
        try checkLeafProbabilities(probabilities, evidence: evidence)
        var out = [Double](repeating: 0, count: probabilities.rows)
        var evaluator = CircuitEvaluator(self)
        forEachChunk(rows: probabilities.rows, width: evaluator.width) { range in
            evaluator.setLeaves(count: range.count) { v, positive, target in
                fillLogLeaf(probabilities, variable: v, positive: positive, evidence: evidence[v], rows: range, into: target)
            }
            evaluator.upward(count: range.count)
            for (b, i) in range.enumerated() { out[i] = evaluator.logValue(node: root, row: b) }
        }
        return out
    }

    func checkLeafProbabilities(_ p: Matrix, evidence: [Int: Bool] = [:]) throws {
        guard p.columns == variableCount else {
            throw NumericsError.dimensionMismatch(operation: "circuit query", seen: "\(p.columns) columns",
                                                  expected: "one column per variable (\(variableCount))")
        }
        for (k, x) in p.storage.enumerated() where !(x >= 0 && x <= 1) {
            throw circuitError("probability \(x) at row \(k % max(p.rows, 1)), variable \(k / max(p.rows, 1))", expected: "a number in [0, 1]")
        }
        for v in evidence.keys where !(0..<variableCount).contains(v) {
            throw circuitError("evidence on variable \(v)", expected: "a variable below \(variableCount)")
        }
    }
}

/// Calls `body` with consecutive row ranges of at most `width` rows.
func forEachChunk(rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
    var start = 0
    while start < rows {
        let end = min(rows, start + width)
        body(start..<end)
        start = end
    }
}

/// Writes `log λ` for one leaf over `rows` of a probability matrix: `log p` or `log(1 − p)`,
/// or the evidence's 0 / −∞.
func fillLogLeaf(_ p: Matrix, variable v: Int, positive: Bool, evidence: Bool?, rows: Range<Int>,
                 into target: UnsafeMutablePointer<Double>) {
    if let observed = evidence, observed != positive {
        for b in 0..<rows.count { target[b] = -.infinity }
        return
    }
    p.storage.withUnsafeBufferPointer { s in
        let column = s.baseAddress! + v * p.rows + rows.lowerBound
        if positive {
            for b in 0..<rows.count { target[b] = log(column[b]) }
        } else {
            for b in 0..<rows.count { target[b] = log1p(-column[b]) }
        }
    }
}
