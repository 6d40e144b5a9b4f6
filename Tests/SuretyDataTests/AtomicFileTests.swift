import Foundation
import Testing
@testable import SuretyData

@Suite struct AtomicFileTests {
    static func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    /// A file written with `permissions: 0o600` is never readable by others: the temporary file
    /// has the mode before the first byte goes in, and the rename keeps it, also over an
    /// existing file with a wider mode.
    @Test func permissionsHoldFromCreation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("secret.bin")
        try Data("old".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)

        let writer = try AtomicFileWriter(destination: url, permissions: 0o600)
        let temporary = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        #expect(temporary.count == 1)
        #expect(try Self.mode(directory.appendingPathComponent(temporary[0]).path) == 0o600, "the empty temporary file")
        try writer.write("exact sums")
        try writer.commit()
        #expect(try Self.mode(url.path) == 0o600)
        #expect(try String(contentsOf: url, encoding: .utf8) == "exact sums")

        try AtomicFileWriter.write(Array("public".utf8), to: url)
        #expect(try Self.mode(url.path).map { $0 & 0o600 } == 0o600)   // the default: 0o666 less the umask
    }
}
