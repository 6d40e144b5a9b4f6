import Foundation
import SuretyNumerics

/// How ``ProbabilisticCircuit/marginalBounds(lower:upper:method:)`` bounds the marginals over
/// a box of leaf probabilities (COLEP, Theorem 1 and spec §3.2).
public enum BoundMethod: Sendable, Hashable {
    /// Per component: exact by monotonicity when its rules allow it, else exact by vertex
    /// enumeration when it has at most `enumerationLimit` variables, else the decoupled
    /// relaxation.
    case automatic(enumerationLimit: Int = 12)
    /// Exact by monotonicity: two circuit evaluations. Fails for a component whose rules are
    /// not (after sign flips) implications between two literals or unit clauses.
    case monotone
    /// Exact by evaluating every vertex of each component's box: `2^k` evaluations for the
    /// largest component of `k` variables. Fails when `k > limit`.
    case vertexEnumeration(limit: Int = 16)
    /// Sound for any circuit with non-negative weights, usually loose: two evaluations.
    case decoupled
}

/// How the bound on one variable was obtained.
public enum BoundKind: String, Sendable, Hashable {
    /// Exact extremes, at the vertex given by the monotone orientation.
    case exactByMonotonicity = "exact-monotone"
    /// Exact extremes, by enumerating the vertices of the component's box.
    case exactByVertexEnumeration = "exact-vertex-enumeration"
    /// A sound but not tight interval (decoupled relaxation).
    case soundRelaxation = "sound-relaxation"
    /// The variable is in no rule: its marginal is its input, bounded by the input box.
    case independent
}

/// Bounds on every marginal over a box of leaf probabilities.
public struct MarginalBounds: Sendable {
    /// Rows × variables: `min` of `π_j` over the row's box (or a sound lower bound).
    public var lower: Matrix
    /// Rows × variables: `max` of `π_j` over the row's box (or a sound upper bound).
    public var upper: Matrix
    /// Per variable, how its bounds were obtained.
    public var kinds: [BoundKind]
}

extension ProbabilisticCircuit {
    /// Lower and upper bounds on every marginal `π_j(p)` over the box `lower ≤ p ≤ upper` of
    /// leaf probabilities, row by row.
    ///
    /// Three methods (spec §3.2):
    /// * **monotonicity** — after the sign flips found at compile time every rule is an
    ///   implication between two literals (or a unit clause) with `w ≥ 0` or hard, so the
    ///   posterior is an FKG measure and `π_j` is monotone in each `p_k`; the extremes sit at
    ///   two vertices of the box and are exact;
    /// * **vertex enumeration** — `π_j` is a ratio of multilinear functions, linear-fractional
    ///   in each coordinate, so its extremes over a box sit at vertices; enumerating the `2^k`
    ///   vertices of a component of `k` variables is exact;
    /// * **decoupled relaxation** — the circuit is monotone in its leaf values, so evaluating
    ///   with `λ_x = p̲_x, λ_¬x = 1 − p̄_x` (resp. `p̄_x, 1 − p̲_x`) bounds the two halves
    ///   `Z_1, Z_0` of the partition function from below (above); the resulting interval for
    ///   `Z_1/(Z_1+Z_0)` is sound for any rules but not tight.
    ///
    /// Components are independent, so each uses its own method; ``MarginalBounds/kinds`` says
    /// which. Where `Z` vanishes at a vertex (hard rules with inputs at exactly 0 or 1), the
    /// bound falls back to the trivial `[0, 1]` for that row — still sound.
    ///
    /// - Throws: `NumericsError` when shapes differ, an entry is outside `[0, 1]`, some
    ///   `lower > upper`, or the requested method cannot serve some component.
    public func marginalBounds(lower: Matrix, upper: Matrix, method: BoundMethod = .automatic()) throws -> MarginalBounds {
        try checkLeafProbabilities(lower)
        try checkLeafProbabilities(upper)
        guard lower.rows == upper.rows else {
            throw NumericsError.dimensionMismatch(operation: "circuit bounds", seen: "\(lower.rows) lower rows and \(upper.rows) upper rows",
                                                  expected: "the same number of rows")
        }
        for k in lower.storage.indices where lower.storage[k] > upper.storage[k] {
            throw circuitError("lower bound \(lower.storage[k]) above upper bound \(upper.storage[k]) at row \(k % lower.rows), variable \(k / lower.rows)",
                               expected: "lower ≤ upper")
        }
        enum Plan { case monotone([Bool]), enumeration, decoupled }
        var plans: [Plan] = []
        for component in components {
            switch method {
            case .automatic(let limit):
                if let o = component.monotoneOrientation { plans.append(.monotone(o)) }
                else if component.variables.count <= limit { plans.append(.enumeration) }
                else { plans.append(.decoupled) }
            case .monotone:
                guard let o = component.monotoneOrientation else {
                    throw circuitError("a component (variables \(component.variables)) whose rules are not monotone",
                                       expected: "implications between two literals or unit clauses, for the monotone method")
                }
                plans.append(.monotone(o))
            case .vertexEnumeration(let limit):
                guard component.variables.count <= limit else {
                    throw circuitError("a component of \(component.variables.count) variables", expected: "at most \(limit) for vertex enumeration")
                }
                plans.append(.enumeration)
            case .decoupled:
                plans.append(.decoupled)
            }
        }

        let rows = lower.rows
        let lo = lower.storage, hi = upper.storage        // column-major: variable v at [v * rows ..< (v + 1) * rows]
        var outLower = lo, outUpper = hi
        var kinds = [BoundKind](repeating: .independent, count: variableCount)
        func column(_ v: Int) -> Range<Int> { (v * rows)..<((v + 1) * rows) }

        // Monotone components: two vertices shared by all of them.
        let monotone = zip(components, plans).compactMap { c, p -> (Component, [Bool])? in
            if case .monotone(let o) = p { return (c, o) } else { return nil }
        }
        if !monotone.isEmpty {
            var a = lo, b = lo
            for (component, orientation) in monotone {
                for (v, flipped) in zip(component.variables, orientation) {
                    a.replaceSubrange(column(v), with: (flipped ? hi : lo)[column(v)])
                    b.replaceSubrange(column(v), with: (flipped ? lo : hi)[column(v)])
                }
            }
            let atA = try marginals(probabilities: Matrix(rows: rows, columns: variableCount, columnMajor: a)).marginals.storage
            let atB = try marginals(probabilities: Matrix(rows: rows, columns: variableCount, columnMajor: b)).marginals.storage
            for (component, orientation) in monotone {
                for (v, flipped) in zip(component.variables, orientation) {
                    kinds[v] = .exactByMonotonicity
                    outLower.replaceSubrange(column(v), with: (flipped ? atB : atA)[column(v)])
                    outUpper.replaceSubrange(column(v), with: (flipped ? atA : atB)[column(v)])
                }
            }
        }

        // Enumerated components: vertex `code` of the largest is shared with the others' vertex `code mod 2^k`.
        let enumerated = zip(components, plans).compactMap { c, p -> Component? in
            if case .enumeration = p { return c } else { return nil }
        }
        if let widest = enumerated.map(\.variables.count).max() {
            for component in enumerated {
                for v in component.variables {
                    kinds[v] = .exactByVertexEnumeration
                    outLower.replaceSubrange(column(v), with: repeatElement(Double.infinity, count: rows))
                    outUpper.replaceSubrange(column(v), with: repeatElement(-Double.infinity, count: rows))
                }
            }
            var vertex = lo
            for code in 0..<(1 << widest) {
                for component in enumerated {
                    let local = code & ((1 << component.variables.count) - 1)
                    for (t, v) in component.variables.enumerated() {
                        vertex.replaceSubrange(column(v), with: (local >> t & 1 == 1 ? hi : lo)[column(v)])
                    }
                }
                let m = try marginals(probabilities: Matrix(rows: rows, columns: variableCount, columnMajor: vertex)).marginals.storage
                for component in enumerated {
                    for v in component.variables {
                        for k in column(v) where !m[k].isNaN {
                            outLower[k] = min(outLower[k], m[k])
                            outUpper[k] = max(outUpper[k], m[k])
                        }
                    }
                }
            }
        }

        // Decoupled components: one pass at each of the two leaf vectors.
        let decoupled = zip(components, plans).compactMap { c, p -> Component? in
            if case .decoupled = p { return c } else { return nil }
        }
        if !decoupled.isEmpty {
            var evaluator = CircuitEvaluator(self)
            let seeds = components.map(\.root)
            // log C_1, log C_0 per variable and row, at the low (m̲) and high (m̄) leaf vectors.
            var c1Low = [Double](repeating: 0, count: rows * variableCount), c0Low = c1Low, c1High = c1Low, c0High = c1Low
            for high in [false, true] {
                forEachChunk(rows: rows, width: evaluator.width) { range in
                    evaluator.evaluate(count: range.count, downward: true, seeds: seeds) { v, positive, target in
                        // m̲: λ_x = p̲, λ_¬x = 1 − p̄;  m̄: λ_x = p̄, λ_¬x = 1 − p̲.
                        fillLeaf(positive == high ? upper : lower, variable: v, positive: positive, evidence: nil, rows: range, into: target)
                    }
                    for component in decoupled {
                        for v in component.variables {
                            for (b, i) in range.enumerated() {
                                let d1 = evaluator.logDerivative(node: Int(positiveLeaf[v]), row: b)
                                let d0 = evaluator.logDerivative(node: Int(negativeLeaf[v]), row: b)
                                if high { c1High[v * rows + i] = d1; c0High[v * rows + i] = d0 } else { c1Low[v * rows + i] = d1; c0Low[v * rows + i] = d0 }
                            }
                        }
                    }
                }
            }
            for component in decoupled {
                for v in component.variables {
                    kinds[v] = .soundRelaxation
                    for k in column(v) {
                        // 𝕃 = 1/(1 + Z̄_0/Z̲_1), 𝕌 = 1/(1 + Z̲_0/Z̄_1).
                        let logZ1Low = log(lo[k]) + c1Low[k], logZ0High = log1p(-lo[k]) + c0High[k]
                        let logZ1High = log(hi[k]) + c1High[k], logZ0Low = log1p(-hi[k]) + c0Low[k]
                        outLower[k] = 1 / (1 + exp(logZ0High - logZ1Low))
                        outUpper[k] = 1 / (1 + exp(logZ0Low - logZ1High))
                    }
                }
            }
        }
        for k in outLower.indices {
            if outLower[k].isNaN || outLower[k] == .infinity { outLower[k] = 0 }
            if outUpper[k].isNaN || outUpper[k] == -.infinity { outUpper[k] = 1 }
        }
        let result = MarginalBounds(lower: try Matrix(rows: rows, columns: variableCount, columnMajor: outLower),
                                    upper: try Matrix(rows: rows, columns: variableCount, columnMajor: outUpper), kinds: kinds)
        return result
    }
}
