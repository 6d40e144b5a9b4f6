import Foundation
import SuretyData

/// A per-dataset ledger of privacy spent, kept in a JSON file beside the data: it refuses a
/// release that would take the total ε past the declared budget, or the total δ of (ε, δ)
/// releases past the declared δ budget (basic composition: ε's add and δ's add). A ledger
/// declared without a δ budget is a pure-ε ledger and refuses every release with δ > 0 —
/// the sound reading of a budget that says nothing about δ.
///
/// The file records the budget, the neighbour relation it is stated for, and every spend
/// (label, ε, time). A release goes through
/// ``charge(_:delta:label:relation:to:creating:release:)``, the only way to record a spend:
/// under an exclusive lock (on the ledger's directory) it re-reads the ledger, checks
/// the spend, records it and writes the ledger atomically, and only then runs the code that
/// writes the release. So concurrent runs cannot overspend, and a crash or failure after
/// the charge leaves the spend recorded, never refunded: the ledger never records less than
/// what was released. A refused spend leaves the file unchanged.
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

    /// Charges a spend of `(epsilon, delta)` under `relation` to the ledger file at `url`,
    /// and only then runs `release`, the code that writes the release.
    ///
    /// Under an exclusive lock on the ledger's directory (``FileLock``), the ledger is read afresh
    /// (or created from `newLedger` when there is no file yet), the spend checked, appended
    /// and written atomically; the lock is then released and `release` runs. A process that
    /// dies inside `release` has already paid.
    ///
    /// - Parameters:
    ///   - label: what the spend was for (recorded).
    ///   - newLedger: the ledger to create when `url` does not exist; when it does, its
    ///     budgets must equal the file's (budgets are fixed when a ledger is created).
    /// - Returns: what `release` returns.
    /// - Throws: ``DataError`` when the spend does not fit, the file is missing (and no
    ///   `newLedger`), damaged, or declares other budgets — nothing is recorded and `release`
    ///   does not run; ``ChargedReleaseFailure`` when `release` throws — the spend stays
    ///   recorded.
    @discardableResult
    public static func charge<T>(_ epsilon: Double, delta: Double = 0, label: String, relation: NeighbourRelation, to url: URL,
                                 creating newLedger: PrivacyBudgetLedger? = nil, release: () throws -> T) throws -> T {
        // One ledger, one name: through a symbolic link the atomic rename would replace the link
        // with a new file (and lock another lock file), through a second hard link it would split
        // the two names — either way the real ledger would miss the spend (found by a reviewer).
        guard let url = FileLock.canonicalPath(of: url.path) else {
            throw DataError(file: url.path, line: 1, column: 1, seen: "a ledger in a directory that does not exist",
                            expected: "an existing directory to hold the ledger")
        }
        if let links = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.referenceCount] as? Int, links > 1 {
            throw DataError(file: url.path, line: 1, column: 1, seen: "a ledger with \(links) hard links",
                            expected: "a ledger with one name (an update would split the names and lose spends)")
        }
        try FileLock.withExclusiveLock(onDirectory: lock(of: url)) {
            var ledger = try current(at: url, creating: newLedger)
            try ledger.check(epsilon, delta: delta, relation: relation, file: url.path)
            ledger.entries.append(Entry(label: label, epsilon: epsilon, delta: delta > 0 ? delta : nil,
                                        date: ISO8601DateFormatter().string(from: Date())))
            try JSONConfig.write(ledger, to: url)
        }
        do {
            return try release()
        } catch {
            throw ChargedReleaseFailure(ledger: url.path, label: label, epsilon: epsilon, delta: delta, underlying: error)
        }
    }

    /// Checks, without recording anything or taking the lock, that a spend would fit the ledger
    /// at `url` as it stands now: an early refusal before expensive work. The spend itself
    /// goes through ``charge(_:delta:label:relation:to:creating:release:)``, which checks again.
    ///
    /// - Throws: ``DataError`` as ``charge(_:delta:label:relation:to:creating:release:)`` would.
    public static func check(_ epsilon: Double, delta: Double = 0, relation: NeighbourRelation, at url: URL,
                             creating newLedger: PrivacyBudgetLedger? = nil) throws {
        try current(at: url, creating: newLedger).check(epsilon, delta: delta, relation: relation, file: url.path)
    }

    /// What is locked while the ledger at `url` is charged: its directory. Not a lock file
    /// beside it — a reviewer deleted `LEDGER.lock` in a loop while 16 builds charged, and
    /// newcomers locked fresh files beside the held, unlinked one (up to 16 releases on a budget
    /// for 3, 3 recorded). A directory holding the ledger cannot be removed, and the ledger's own
    /// inode changes at every atomic update. Ledgers in one directory share the lock.
    public static func lock(of url: URL) -> URL {
        url.deletingLastPathComponent()
    }

    /// The ledger at `url`, or `newLedger` when there is no file; a file whose budgets differ
    /// from `newLedger`'s is refused.
    static func current(at url: URL, creating newLedger: PrivacyBudgetLedger?) throws -> PrivacyBudgetLedger {
        guard FileManager.default.fileExists(atPath: url.path) else {
            guard let newLedger else {
                throw DataError(file: url.path, line: 1, column: 1, seen: "no ledger file", expected: "an existing ledger, or a budget to create one")
            }
            return newLedger
        }
        let ledger = try load(from: url)
        if let newLedger, newLedger.budget != ledger.budget || newLedger.deltaBudget != ledger.deltaBudget {
            let declared = { (l: PrivacyBudgetLedger) in "ε \(l.budget), \(l.deltaBudget.map { "δ \($0)" } ?? "no δ")" }
            throw DataError(file: url.path, line: 1, column: 1, seen: "a ledger with the budget \(declared(ledger)), not \(declared(newLedger))",
                            expected: "the budgets it was created with (budgets are fixed when a ledger is created)")
        }
        return ledger
    }

    /// The error of a release that failed after its spend was recorded: the spend stays in
    /// the ledger (a release may have left the process before the failure, so it is never
    /// refunded).
    public struct ChargedReleaseFailure: Error, CustomStringConvertible {
        public var ledger: String
        public var label: String
        public var epsilon: Double
        public var delta: Double
        /// What the release threw.
        public var underlying: any Error

        /// The sentence that says the spend was kept.
        public var note: String {
            "the spend of ε = \(epsilon)\(delta > 0 ? ", δ = \(delta)" : "") for '\(label)' stays recorded in \(ledger): "
                + "a release that fails after its charge is never refunded"
        }

        public var description: String { "\(underlying); \(note)" }
    }
}
