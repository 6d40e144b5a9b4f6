import ProbabilisticCircuits
import SuretyNumerics

/// COLEP's reasoning step: sensor probabilities in, knowledge-corrected probabilities out.
///
/// For each variable `j` (class or concept) and the circuits `R_j` whose rules mention it,
///
///     π_j = (1 − λ) · p_j + λ · Σ_{r ∈ R_j} β_r P_r(μ_j = 1 | p) / Σ_{r ∈ R_j} β_r,
///
/// the posterior marginals of the circuits (paper eq. 1) mixed with weights `β` over the
/// circuits that contain `j` — uniform by default, as in the certified path of the official
/// code, not its forward path, which used circuit 0 for every variable (spec §1.3, §8) — and
/// blended with the raw sensor by `λ` (the code's `pc_weight`). A variable in no circuit keeps
/// `π_j = p_j`. (The paper estimates `β` "from data by how often each PC predicts
/// correctly" without saying how; any fixed non-negative `β` keeps every guarantee, since it
/// is chosen before calibration.)
public struct KnowledgeCorrection: Sendable {
    public let knowledge: KnowledgeBase
    /// One compiled circuit per named circuit of the knowledge base.
    public let circuits: [ProbabilisticCircuit]
    /// `λ ∈ [0, 1]`: the weight of the circuits against the raw sensor.
    public let circuitShare: Double
    /// For each variable, the circuits whose rules mention it.
    public let containing: [[Int]]
    /// `β_r` per circuit, in ``circuits`` order.
    public let circuitWeights: [Double]

    /// Compiles the knowledge base's circuits.
    ///
    /// - Parameter circuitWeights: `β` by circuit name (missing names weigh 1); `nil` for uniform.
    /// - Throws: `NumericsError.domain` for `λ ∉ [0, 1]`, a weight for an unknown circuit or a
    ///   weight that is not finite and positive, or a circuit that does not compile.
    public init(knowledge: KnowledgeBase, circuitShare: Double = 0.5, circuitWeights: [String: Double]? = nil,
                options: CompilationOptions = CompilationOptions()) throws {
        guard circuitShare >= 0, circuitShare <= 1 else {
            throw NumericsError.domain(function: "knowledge correction", value: "λ = \(circuitShare)", expected: "0 ≤ λ ≤ 1")
        }
        for (name, weight) in circuitWeights ?? [:] {
            guard knowledge.circuitNames.contains(name) else {
                throw NumericsError.domain(function: "knowledge correction", value: "a weight for circuit '\(name)'",
                                           expected: "one of the circuits \(knowledge.circuitNames.joined(separator: ", "))")
            }
            guard weight > 0, weight.isFinite else {
                throw NumericsError.domain(function: "knowledge correction", value: "β = \(weight) for circuit '\(name)'", expected: "a finite weight > 0")
            }
        }
        self.circuitWeights = knowledge.circuitNames.map { circuitWeights?[$0] ?? 1 }
        self.knowledge = knowledge
        self.circuitShare = circuitShare
        let compiled = try knowledge.compile(options: options)
        circuits = compiled
        containing = knowledge.variables.indices.map { v in
            compiled.indices.filter { !compiled[$0].freeVariables.contains(v) }
        }
    }

    /// The sensors whose probabilities the corrected `π_v` depends on: `v` itself, and with
    /// `λ > 0` every variable of the circuit components that contain `v` (components are
    /// independent, so the others cancel in the marginal). A box that fails on any other sensor
    /// cannot change `π_v` or its bounds.
    public func inputs(of v: Int) -> Set<Int> {
        var out: Set<Int> = [v]
        guard circuitShare > 0 else { return out }
        for r in containing[v] {
            for component in circuits[r].components where component.variables.contains(v) { out.formUnion(component.variables) }
        }
        return out
    }

    /// The corrected probabilities of every variable (rows × variables, like the input).
    public func correct(_ p: Matrix) throws -> Matrix {
        let perCircuit = try circuits.map { try $0.marginals(probabilities: p).marginals }
        return try combine(p, perCircuit)
    }

    /// Bounds on every corrected probability over the box `lower ≤ p ≤ upper`, row by row.
    ///
    /// Each circuit's marginals are bounded by ``ProbabilisticCircuit/marginalBounds(lower:upper:method:)``
    /// and combined with the same non-negative weights, which is always sound. It is exact
    /// (``CorrectedBounds/exact``) when every circuit containing the variable is exact for it
    /// and they reach their extremes at one common vertex: a single circuit, or monotone
    /// circuits whose orientations agree relative to the variable (true for COLEP's
    /// `class ⇒ concept` knowledge).
    public func bounds(lower: Matrix, upper: Matrix, method: BoundMethod = .automatic()) throws -> CorrectedBounds {
        let perCircuit = try circuits.map { try $0.marginalBounds(lower: lower, upper: upper, method: method) }
        let lo = try combine(lower, perCircuit.map(\.lower))
        let hi = try combine(upper, perCircuit.map(\.upper))
        let exact = knowledge.variables.indices.map { v -> Bool in
            let rs = containing[v]
            if rs.isEmpty { return true }
            if rs.count == 1 { return perCircuit[rs[0]].kinds[v] != .soundRelaxation }
            // Several circuits: exact only if all are monotone and agree on every variable's
            // direction relative to v.
            var relative: [Int: Bool] = [:]
            for r in rs {
                guard perCircuit[r].kinds[v] == .exactByMonotonicity,
                      let component = circuits[r].components.first(where: { $0.variables.contains(v) }),
                      let orientation = component.monotoneOrientation else { return false }
                let own = orientation[component.variables.firstIndex(of: v)!]
                for (k, flipped) in zip(component.variables, orientation) {
                    let sign = flipped != own
                    if let known = relative[k], known != sign { return false }
                    relative[k] = sign
                }
            }
            return true
        }
        return CorrectedBounds(lower: lo, upper: hi, exact: exact)
    }

    /// `(1 − λ)·raw + λ·(β-weighted mean over the containing circuits)`, column by column.
    private func combine(_ raw: Matrix, _ perCircuit: [Matrix]) throws -> Matrix {
        let rows = raw.rows
        var out = raw.storage
        for v in knowledge.variables.indices where !containing[v].isEmpty {
            let total = containing[v].reduce(0.0) { $0 + circuitWeights[$1] }
            for i in 0..<rows {
                var mixed = 0.0
                for r in containing[v] { mixed += circuitWeights[r] * perCircuit[r][i, v] }
                out[v * rows + i] = (1 - circuitShare) * raw[i, v] + circuitShare * (mixed / total)
            }
        }
        return try Matrix(rows: rows, columns: raw.columns, columnMajor: out)
    }
}

/// Bounds on corrected probabilities over a box of sensor probabilities.
public struct CorrectedBounds: Sendable {
    /// Rows × variables.
    public var lower: Matrix
    /// Rows × variables.
    public var upper: Matrix
    /// Per variable: the bounds are the exact extremes (otherwise sound but possibly loose).
    public var exact: [Bool]
}
