import Foundation
import SuretyData

/// A per-dataset ledger of privacy spent, kept in a JSON file beside the data: it refuses a
/// release that would take the total ε past the declared budget, or the total δ of (ε, δ)
/// releases past the declared δ budget (basic composition: ε's add and δ's add). A ledger
/// declared without a δ budget is a pure-ε ledger and refuses every release with δ > 0 —
/// the sound reading of a budget that says nothing about δ.
///
/// The file records the budget, the neighbour relation it is stated for, and every spend
/// (label, ε, time). Writes are atomic, so an interrupted build never leaves a half-written
/// ledger; a refused spend leaves the file unchanged.
public struct PrivacyBudgetLedger: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var label: String
        public var epsilon: Double
        /// δ of an (ε, δ) release (absent for pure ε).
        public var delta: Double?
        public var date: String
    }

    /// The total ε this dataset may ever spend.
    public var budget: Double
    /// The total δ this dataset may ever spend (nil: none — pure-ε releases only).
    public var deltaBudget: Double?
    public var neighbours: String
    public var entries: [Entry]

    /// ε spent so far.
    public var spent: Double { entries.reduce(0) { $0 + $1.epsilon } }
    /// δ spent so far (basic composition adds the δ's).
    public var spentDelta: Double { entries.reduce(0) { $0 + ($1.delta ?? 0) } }
    public var remaining: Double { budget - spent }

    /// A new ledger with nothing spent.
    ///
    /// - Parameter deltaBudget: the total δ allowed, in `(0, 1)`; nil for a pure-ε ledger.
    public init(budget: Double, deltaBudget: Double? = nil, relation: NeighbourRelation) throws {
        guard budget > 0, budget.isFinite else {
            throw DataError(file: "<ledger>", line: 1, column: 1, seen: "budget \(budget)", expected: "a finite total ε > 0")
        }
        if let deltaBudget, !(deltaBudget > 0 && deltaBudget < 1) {
            throw DataError(file: "<ledger>", line: 1, column: 1, seen: "δ budget \(deltaBudget)", expected: "a total δ in (0, 1)")
        }
        self.budget = budget
        self.deltaBudget = deltaBudget
        neighbours = relation.rawValue
        entries = []
    }

    /// Reads a ledger file.
    public static func load(from url: URL) throws -> PrivacyBudgetLedger {
        let ledger = try JSONConfig.load(PrivacyBudgetLedger.self, from: url)
        guard ledger.budget > 0, ledger.budget.isFinite, ledger.entries.allSatisfy({ $0.epsilon > 0 && $0.epsilon.isFinite }) else {
            throw DataError(file: url.path, line: 1, column: 1, seen: "a budget or spend that is not a finite positive ε",
                            expected: "a ledger written by Surety")
        }
        guard ledger.deltaBudget.map({ $0 > 0 && $0 < 1 }) ?? true, ledger.entries.allSatisfy({ $0.delta.map { $0 > 0 && $0 < 1 } ?? true }) else {
            throw DataError(file: url.path, line: 1, column: 1, seen: "a δ budget or δ spend outside (0, 1)", expected: "a ledger written by Surety")
        }
        return ledger
    }

    /// Checks that a spend of `(epsilon, delta)` under `relation` fits, without recording it.
    ///
    /// - Throws: ``DataError`` naming `file` when it would exceed the ε or δ budget (or δ > 0
    ///   on a pure-ε ledger), or the relation is not the ledger's.
    public func check(_ epsilon: Double, delta: Double = 0, relation: NeighbourRelation, file: String) throws {
        guard epsilon > 0, epsilon.isFinite else {
            throw DataError(file: file, line: 1, column: 1, seen: "a spend of ε = \(epsilon)", expected: "a finite ε > 0")
        }
        guard delta >= 0, delta < 1 else {
            throw DataError(file: file, line: 1, column: 1, seen: "a spend of δ = \(delta)", expected: "δ in [0, 1)")
        }
        if delta > 0 {
            guard let deltaBudget else {
                throw DataError(file: file, line: 1, column: 1, seen: "an (ε, δ) release with δ = \(delta)",
                                expected: "a pure-ε release: this ledger has no δ budget (create one with a δ budget to allow δ > 0)")
            }
            guard spentDelta + delta <= deltaBudget * (1 + 1e-12) else {
                throw DataError(file: file, line: 1, column: 1,
                                seen: "a spend of δ = \(delta) with \(spentDelta) of \(deltaBudget) already spent",
                                expected: "at most the remaining δ = \(max(0, deltaBudget - spentDelta)) (basic composition)")
            }
        }
        guard relation.rawValue == neighbours else {
            throw DataError(file: file, line: 1, column: 1, seen: "a release under '\(relation.rawValue)' neighbours",
                            expected: "'\(neighbours)', the relation this ledger's budget is stated for")
        }
        guard spent + epsilon <= budget * (1 + 1e-12) else {
            throw DataError(file: file, line: 1, column: 1,
                            seen: "a spend of ε = \(epsilon) with \(spent) of \(budget) already spent",
                            expected: "at most the remaining ε = \(max(0, remaining)) (basic composition)")
        }
    }

    /// Records a spend of `epsilon` for `label` and writes the ledger to `url` atomically.
    ///
    /// - Throws: ``DataError`` (and writes nothing) when ``check(_:delta:relation:file:)`` refuses.
    public mutating func spend(_ epsilon: Double, delta: Double = 0, label: String, relation: NeighbourRelation, recordingTo url: URL) throws {
        try check(epsilon, delta: delta, relation: relation, file: url.path)
        var next = self
        next.entries.append(Entry(label: label, epsilon: epsilon, delta: delta > 0 ? delta : nil, date: ISO8601DateFormatter().string(from: Date())))
        try JSONConfig.write(next, to: url)
        self = next
    }
}
