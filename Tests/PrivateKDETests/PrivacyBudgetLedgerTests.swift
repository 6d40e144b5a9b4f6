import Foundation
import SuretyData
import Testing
@testable import PrivateKDE

@Suite struct PrivacyBudgetLedgerTests {
    @Test func refusesOverspendingAndLeavesTheFileAlone() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var ledger = try PrivacyBudgetLedger(budget: 1, relation: .addRemove)
        try ledger.spend(0.6, label: "build 1", relation: .addRemove, recordingTo: url)
        #expect(try PrivacyBudgetLedger.load(from: url) == ledger)
        let before = try Data(contentsOf: url)
        let error = #expect(throws: DataError.self) { try ledger.spend(0.5, label: "build 2", relation: .addRemove, recordingTo: url) }
        #expect(error?.expected.contains("remaining ε = 0.4") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: url) == before)
        #expect(throws: DataError.self) { try ledger.spend(0.1, label: "other relation", relation: .replaceOne, recordingTo: url) }
        try ledger.spend(0.4, label: "build 2", relation: .addRemove, recordingTo: url)
        #expect(abs(try PrivacyBudgetLedger.load(from: url).remaining) < 1e-12)
        #expect(throws: DataError.self) { try PrivacyBudgetLedger(budget: 0, relation: .addRemove) }
        #expect(throws: DataError.self) { try ledger.spend(-1, label: "negative", relation: .addRemove, recordingTo: url) }
    }

    /// δ is capped too: a pure-ε ledger refuses any δ > 0; a ledger with a δ budget sums the
    /// δ's (basic composition) and refuses the spend that would pass it, leaving the file alone;
    /// a ledger file without the δ field (written before it existed) loads as pure-ε.
    @Test func capsDelta() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-delta-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var pure = try PrivacyBudgetLedger(budget: 2, relation: .addRemove)
        let refusal = #expect(throws: DataError.self) { try pure.spend(0.5, delta: 1e-6, label: "zCDP", relation: .addRemove, recordingTo: url) }
        #expect(refusal?.expected.contains("no δ budget") == true)
        try pure.spend(0.5, label: "pure", relation: .addRemove, recordingTo: url)

        var ledger = try PrivacyBudgetLedger(budget: 2, deltaBudget: 1e-5, relation: .addRemove)
        try ledger.spend(0.5, delta: 6e-6, label: "first", relation: .addRemove, recordingTo: url)
        let before = try Data(contentsOf: url)
        let over = #expect(throws: DataError.self) { try ledger.spend(0.5, delta: 6e-6, label: "second", relation: .addRemove, recordingTo: url) }
        #expect(over?.expected.contains("remaining δ") == true, "\(String(describing: over))")
        #expect(try Data(contentsOf: url) == before)
        try ledger.spend(0.5, delta: 4e-6, label: "second", relation: .addRemove, recordingTo: url)
        #expect(abs(try PrivacyBudgetLedger.load(from: url).spentDelta - 1e-5) < 1e-18)
        #expect(throws: DataError.self) { try PrivacyBudgetLedger(budget: 1, deltaBudget: 1, relation: .addRemove) }

        let old = #"{"budget": 1, "neighbours": "add-remove", "entries": []}"#
        try old.write(to: url, atomically: true, encoding: .utf8)
        #expect(try PrivacyBudgetLedger.load(from: url).deltaBudget == nil)
    }
}
