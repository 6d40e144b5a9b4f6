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
    ///   - arithmetic: ``CircuitArithmetic/automatic`` (checked linear space, log-space
    ///     fallback) or ``CircuitArithmetic/logSpace``; the answers agree to rounding.
    /// - Returns: for each row, `log Z` and the marginals
    ///   `π_j = λ_j ∂Z/∂λ_j / (λ_j ∂Z/∂λ_j + λ_¬j ∂Z/∂λ_¬j)` — for a compiled circuit, exactly the COLEP corrected
    ///   probability of eq. (1) (conditioned on the evidence).
    /// - Throws: `NumericsError` when the shape is wrong, an entry is outside `[0, 1]`, or
    ///   evidence names an unknown variable.
    public func marginals(probabilities: Matrix, evidence: [Int: Bool] = [:],
                          arithmetic: CircuitArithmetic = .automatic) throws -> CircuitMarginals {
        try checkLeafProbabilities(probabilities, evidence: evidence)
        let rows = probabilities.rows
        var logZ = [Double](repeating: 0, count: rows)
        var marginals = [Double](repeating: 0, count: rows * variableCount)     // column-major
        var evaluator = CircuitEvaluator(self, arithmetic: arithmetic)
        let evidenceByVariable = (0..<variableCount).map { evidence[$0] }
        forEachChunk(rows: rows, width: evaluator.width) { range in
            evaluator.evaluate(count: range.count, downward: true) { v, positive, target in
                fillLeaf(probabilities, variable: v, positive: positive, evidence: evidenceByVariable[v], rows: range, into: target)
            }
            for (b, i) in range.enumerated() { logZ[i] = evaluator.logValue(node: root, row: b) }
            marginals.withUnsafeMutableBufferPointer { out in
                for v in 0..<variableCount {
                    let column = out.baseAddress! + v * rows + range.lowerBound
                    for b in 0..<range.count { column[b] = evaluator.marginal(variable: v, row: b) }
                }
            }
        }
        return CircuitMarginals(logPartition: logZ, marginals: try Matrix(rows: rows, columns: variableCount, columnMajor: marginals))
    }

    /// `log Z` for every row of leaf probabilities (upward pass only); see
    /// ``marginals(probabilities:evidence:arithmetic:)`` for the arguments.
    public func logPartition(probabilities: Matrix, evidence: [Int: Bool] = [:],
                             arithmetic: CircuitArithmetic = .automatic) throws -> [Double] {
        try checkLeafProbabilities(probabilities, evidence: evidence)
        var out = [Double](repeating: 0, count: probabilities.rows)
        var evaluator = CircuitEvaluator(self, arithmetic: arithmetic)
        let evidenceByVariable = (0..<variableCount).map { evidence[$0] }
        forEachChunk(rows: probabilities.rows, width: evaluator.width) { range in
            evaluator.evaluate(count: range.count, downward: false) { v, positive, target in
                fillLeaf(probabilities, variable: v, positive: positive, evidence: evidenceByVariable[v], rows: range, into: target)
            }
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

/// Writes the leaf values `λ` for one literal over `rows` of a probability matrix: `p` or
/// `1 − p`, or the evidence's 1 / 0.
func fillLeaf(_ p: Matrix, variable v: Int, positive: Bool, evidence: Bool?, rows: Range<Int>,
              into target: UnsafeMutablePointer<Double>) {
    if let observed = evidence, observed != positive {
        for b in 0..<rows.count { target[b] = 0 }
        return
    }
    p.storage.withUnsafeBufferPointer { s in
        let column = s.baseAddress! + v * p.rows + rows.lowerBound
        if positive {
            for b in 0..<rows.count { target[b] = column[b] + 0 }       // turns -0.0 into +0.0
        } else {
            for b in 0..<rows.count { target[b] = 1 - column[b] }
        }
    }
}
