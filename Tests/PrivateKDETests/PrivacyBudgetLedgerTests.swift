import Foundation
import Synchronization
import SuretyData
import Testing
@testable import PrivateKDE

@Suite struct PrivacyBudgetLedgerTests {
    /// A ledger path in a fresh directory (the lock file goes beside it).
    static func scratchLedger(_ name: String = "ledger.json") throws -> (url: URL, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory.appendingPathComponent(name), directory)
    }

    /// Charges `epsilon` with a release that does nothing.
    static func spend(_ epsilon: Double, delta: Double = 0, _ label: String, relation: NeighbourRelation = .addRemove, at url: URL,
                      creating newLedger: PrivacyBudgetLedger? = nil) throws {
        try PrivacyBudgetLedger.charge(epsilon, delta: delta, label: label, relation: relation, to: url, creating: newLedger) {}
    }

    /// Charges `epsilon` from `threads` threads at once; the numbers released and refused (over
    /// budget), and any other failure.
    static func chargeConcurrently(threads: Int, epsilon: Double, to url: URL, creating ledger: PrivacyBudgetLedger)
        -> (released: Int, refused: Int, failures: [String]) {
        let released = Mutex(0), refused = Mutex(0), failures = Mutex<[String]>([])
        let done = DispatchGroup()
        for k in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    try PrivacyBudgetLedger.charge(epsilon, label: "thread \(k)", relation: .addRemove, to: url, creating: ledger) {
                        released.withLock { $0 += 1 }
                    }
                } catch let error as DataError where error.expected.contains("remaining ε") {
                    refused.withLock { $0 += 1 }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        done.wait()
        return (released.withLock { $0 }, refused.withLock { $0 }, failures.withLock { $0 })
    }

    @Test func refusesOverspendingAndLeavesTheFileAlone() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try PrivacyBudgetLedger(budget: 1, relation: .addRemove)
        #expect(throws: DataError.self) { try Self.spend(0.6, "no ledger yet, none to create", at: url) }
        try Self.spend(0.6, "build 1", at: url, creating: ledger)
        #expect(try PrivacyBudgetLedger.load(from: url).entries.map(\.epsilon) == [0.6])
        let before = try Data(contentsOf: url)
        var ran = false
        let error = #expect(throws: DataError.self) {
            try PrivacyBudgetLedger.charge(0.5, label: "build 2", relation: .addRemove, to: url) { ran = true }
        }
        #expect(!ran, "a refused charge ran its release")
        #expect(error?.expected.contains("remaining ε = 0.4") == true, "\(String(describing: error))")
        #expect(throws: DataError.self) { try PrivacyBudgetLedger.check(0.5, relation: .addRemove, at: url) }
        #expect(try Data(contentsOf: url) == before)
        #expect(throws: DataError.self) { try Self.spend(0.1, "other relation", relation: .replaceOne, at: url) }
        let other = try PrivacyBudgetLedger(budget: 2, relation: .addRemove)
        let fixed = #expect(throws: DataError.self) { try Self.spend(0.1, "another budget", at: url, creating: other) }
        #expect(fixed?.expected.contains("fixed when a ledger is created") == true)
        try Self.spend(0.4, "build 2", at: url, creating: ledger)
        #expect(abs(try PrivacyBudgetLedger.load(from: url).remaining) < 1e-12)
        #expect(throws: DataError.self) { try PrivacyBudgetLedger(budget: 0, relation: .addRemove) }
        #expect(throws: DataError.self) { try Self.spend(-1, "negative", at: url) }
    }

    /// The spend is on disk before the release runs, and a release that fails (a crash
    /// between charge and release, simulated by throwing where the release would be written)
    /// leaves it recorded: the ledger never records less than what was released.
    @Test func aFailedReleaseStaysCharged() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Crash: Error {}
        let failure = #expect(throws: PrivacyBudgetLedger.ChargedReleaseFailure.self) {
            try PrivacyBudgetLedger.charge(0.7, label: "crashes", relation: .addRemove, to: url,
                                           creating: try PrivacyBudgetLedger(budget: 1, relation: .addRemove)) {
                // Where the release would be written, the charge is already durable.
                #expect(try PrivacyBudgetLedger.load(from: url).entries.map(\.label) == ["crashes"])
                throw Crash()
            }
        }
        #expect(failure?.underlying is Crash)
        #expect(failure?.note.contains("stays recorded") == true)
        #expect(try PrivacyBudgetLedger.load(from: url).spent == 0.7)
        #expect(throws: DataError.self) { try Self.spend(0.7, "a retry does not get the spend back", at: url) }
    }

    /// Many threads charging one ledger at once: exactly ⌊budget/ε⌋ succeed, and the ledger's
    /// total equals the sum of the releases that ran. Each charge opens its own lock
    /// descriptor, so the threads exclude each other as processes do.
    @Test func concurrentChargesFromThreadsNeverOverspend() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try PrivacyBudgetLedger(budget: 1, relation: .addRemove)
        let (released, refused, failures) = Self.chargeConcurrently(threads: 12, epsilon: 0.3, to: url, creating: ledger)
        #expect(failures.isEmpty, "\(failures)")
        #expect(released == 3 && refused == 12 - 3)
        let book = try PrivacyBudgetLedger.load(from: url)
        #expect(book.entries.count == released && abs(book.spent - 0.3 * Double(released)) < 1e-12)
        #expect(book.spent <= book.budget)
    }

    /// A clean-up deleting `*.lock` again and again while charges run: with the lock on a
    /// `LEDGER.lock` file, a reviewer saw 16 concurrent builds release 6–16 spends on a budget
    /// for 3, with 3 recorded (an inode re-check did not close it: 4 of 3 here). The lock is now
    /// the ledger's directory; every charge must stay exclusive.
    @Test func deletingTheLockFileDoesNotBreakExclusion() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try PrivacyBudgetLedger(budget: 1, relation: .addRemove)
        let stop = Mutex(false)
        let deleter = Thread {
            // What a clean-up of `*.lock` would remove (the lock used to live there).
            let stray = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".lock")
            while !stop.withLock({ $0 }) { try? FileManager.default.removeItem(at: stray) }
        }
        deleter.start()
        let (released, _, failures) = Self.chargeConcurrently(threads: 16, epsilon: 0.3, to: url, creating: ledger)
        stop.withLock { $0 = true }
        let book = try PrivacyBudgetLedger.load(from: url)
        #expect(failures.isEmpty, "\(failures)")
        #expect(released == 3 && book.entries.count == 3, "released \(released), recorded \(book.entries.count)")
        #expect(book.spent <= book.budget)
    }

    /// A ledger reached through a symbolic link is charged at its real path (the rename used to
    /// replace the link with a new file, and the real ledger missed the spend); a hard-linked
    /// ledger is refused (an update would split the names).
    @Test func linksDoNotSplitTheLedger() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = try PrivacyBudgetLedger(budget: 1, relation: .addRemove)
        try PrivacyBudgetLedger.charge(0.1, label: "first", relation: .addRemove, to: url, creating: ledger) {}
        let alias = directory.appendingPathComponent("alias.json")
        try FileManager.default.createSymbolicLink(at: alias, withDestinationURL: url)
        try PrivacyBudgetLedger.charge(0.6, label: "through the link", relation: .addRemove, to: alias) {}
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: alias.path) == url.path)
        #expect(throws: DataError.self) { try PrivacyBudgetLedger.charge(0.6, label: "over", relation: .addRemove, to: url) {} }
        #expect(try PrivacyBudgetLedger.load(from: url).spent == 0.7)
        let hard = directory.appendingPathComponent("hard.json")
        try FileManager.default.linkItem(at: url, to: hard)
        let error = #expect(throws: DataError.self) { try PrivacyBudgetLedger.charge(0.1, label: "hard", relation: .addRemove, to: hard) {} }
        #expect(error?.seen.contains("hard links") == true)
    }

    /// δ is capped too: a pure-ε ledger refuses any δ > 0; a ledger with a δ budget sums the
    /// δ's (basic composition) and refuses the spend that would pass it, leaving the file alone;
    /// a ledger file without the δ field (written before it existed) loads as pure-ε.
    @Test func capsDelta() throws {
        let (url, directory) = try Self.scratchLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pureURL = directory.appendingPathComponent("pure.json")
        let pure = try PrivacyBudgetLedger(budget: 2, relation: .addRemove)
        let refusal = #expect(throws: DataError.self) { try Self.spend(0.5, delta: 1e-6, "zCDP", at: pureURL, creating: pure) }
        #expect(refusal?.expected.contains("no δ budget") == true)
        try Self.spend(0.5, "pure", at: pureURL, creating: pure)

        let ledger = try PrivacyBudgetLedger(budget: 2, deltaBudget: 1e-5, relation: .addRemove)
        try Self.spend(0.5, delta: 6e-6, "first", at: url, creating: ledger)
        let before = try Data(contentsOf: url)
        let over = #expect(throws: DataError.self) { try Self.spend(0.5, delta: 6e-6, "second", at: url) }
        #expect(over?.expected.contains("remaining δ") == true, "\(String(describing: over))")
        #expect(try Data(contentsOf: url) == before)
        try Self.spend(0.5, delta: 4e-6, "second", at: url)
        #expect(abs(try PrivacyBudgetLedger.load(from: url).spentDelta - 1e-5) < 1e-18)
        #expect(throws: DataError.self) { try PrivacyBudgetLedger(budget: 1, deltaBudget: 1, relation: .addRemove) }

        let old = #"{"budget": 1, "neighbours": "add-remove", "entries": []}"#
        try old.write(to: url, atomically: true, encoding: .utf8)
        #expect(try PrivacyBudgetLedger.load(from: url).deltaBudget == nil)
    }
}
