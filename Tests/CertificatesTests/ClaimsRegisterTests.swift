import Foundation
import Testing

/// `Certificates/CLAIMS.md` cannot drift from the code: every certificate kind written anywhere
/// in `Sources/` has a row, and every row names falsification tests that exist.
@Suite struct ClaimsRegisterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The register's summary rows: id → the `Target.test` names of its falsification-test column.
    static func rows() throws -> [String: [String]] {
        let text = try String(contentsOf: root.appendingPathComponent("Certificates/CLAIMS.md"), encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, let id = cells[1].firstMatch(of: /`([^`]+)`/)?.1 else { continue }
            rows[String(id)] = cells[4].matches(of: /`([A-Za-z]+Tests)\.([A-Za-z0-9_]+)`/).map { "\($0.1).\($0.2)" }
        }
        return rows
    }

    /// Every certificate kind in the sources (`kind: "tool.what"` or `fileKind = "tool.what"`).
    static func kindsInSources() throws -> Set<String> {
        var kinds = Set<String>()
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /(?:kind:|fileKind =)\s*"([a-z]+\.[a-z0-9-]+)"/) { kinds.insert(String(match.1)) }
        }
        return kinds
    }

    @Test func everyKindInTheSourcesHasARow() throws {
        let kinds = try Self.kindsInSources(), rows = try Self.rows()
        #expect(kinds.count >= 15, "found only \(kinds.sorted()) in Sources/")
        let missing = kinds.subtracting(rows.keys).sorted()
        #expect(missing.isEmpty, "certificate kinds without a row in Certificates/CLAIMS.md: \(missing)")
    }

    @Test func everyRowNamesFalsificationTestsThatExist() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 15)
        for (id, tests) in rows.sorted(by: { $0.key < $1.key }) {
            #expect(!tests.isEmpty, "row \(id) names no falsification test")
            for name in tests {
                let parts = name.split(separator: ".")
                let directory = Self.root.appendingPathComponent("Tests/\(parts[0])")
                let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
                let found = try files.filter { $0.pathExtension == "swift" }.contains {
                    try String(contentsOf: $0, encoding: .utf8).contains("func \(parts[1])(")
                }
                #expect(found, "row \(id) names \(name), but no test func \(parts[1]) exists in Tests/\(parts[0])")
            }
        }
    }
}
