import Foundation
import SuretyData

/// A per-dataset ledger of privacy spent, kept in a JSON file beside the data: it refuses a
/// release that would take the total ε past the declared budget (basic composition). The δ of
/// (ε, δ) releases is recorded and summed (``spentDelta``) but not capped.
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
    public var neighbours: String
    public var entries: [Entry]

    /// ε spent so far.
    public var spent: Double { entries.reduce(0) { $0 + $1.epsilon } }
    /// δ spent so far (basic composition adds the δ's too; recorded, not capped).
    public var spentDelta: Double { entries.reduce(0) { $0 + ($1.delta ?? 0) } }
    public var remaining: Double { budget - spent }

    /// A new ledger with nothing spent.
    public init(budget: Double, relation: NeighbourRelation) throws {
        guard budget > 0, budget.isFinite else {
            throw DataError(file: "<ledger>", line: 1, column: 1, seen: "budget \(budget)", expected: "a finite total ε > 0")
        }
        self.budget = budget
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
        return ledger
    }

    /// Checks that a spend of `epsilon` under `relation` fits, without recording it.
    ///
    /// - Throws: ``DataError`` naming `file` when it would exceed the budget or the relation
    ///   is not the ledger's.
    public func check(_ epsilon: Double, relation: NeighbourRelation, file: String) throws {
        guard epsilon > 0, epsilon.isFinite else {
            throw DataError(file: file, line: 1, column: 1, seen: "a spend of ε = \(epsilon)", expected: "a finite ε > 0")
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
    /// - Throws: ``DataError`` (and writes nothing) when ``check(_:relation:file:)`` refuses.
    public mutating func spend(_ epsilon: Double, delta: Double = 0, label: String, relation: NeighbourRelation, recordingTo url: URL) throws {
        try check(epsilon, relation: relation, file: url.path)
        var next = self
        next.entries.append(Entry(label: label, epsilon: epsilon, delta: delta > 0 ? delta : nil, date: ISO8601DateFormatter().string(from: Date())))
        try JSONConfig.write(next, to: url)
        self = next
    }
}
