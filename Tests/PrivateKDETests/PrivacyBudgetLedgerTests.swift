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
}
