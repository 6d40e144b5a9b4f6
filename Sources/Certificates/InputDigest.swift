import Crypto
import Foundation
import SuretyData

/// An input file named in a certificate, with the SHA-256 of its bytes.
public struct InputDigest: Codable, Sendable, Hashable {
    /// The path as the user gave it (relative paths are resolved against a base directory
    /// when the certificate is verified).
    public var path: String
    /// The lowercase hexadecimal SHA-256 of the file's bytes.
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }

    /// Hashes the file at `url`, reading it in 1 MiB chunks (bounded memory for any size).
    ///
    /// - Parameter recordedPath: the path to record (defaults to `url.path`).
    /// - Throws: `DataError` when the file cannot be read.
    public static func of(file url: URL, recordedPath: String? = nil) throws -> InputDigest {
        InputDigest(path: recordedPath ?? url.path, sha256: try sha256(of: url))
    }

    /// The hexadecimal SHA-256 of the file at `url`.
    ///
    /// - Throws: `DataError` for anything but a readable regular file (a directory, or a
    ///   device such as `/dev/zero` that would never end).
    public static func sha256(of url: URL) throws -> String {
        let type = (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path))?[.type] as? FileAttributeType
        if let type, type != .typeRegular {
            throw DataError(file: url.path, line: 1, column: 1, seen: type == .typeDirectory ? "a directory" : "a special file (\(type.rawValue))",
                            expected: "a regular input file")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw DataError.unreadable(url, expected: "a readable input file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    /// The hexadecimal SHA-256 of bytes in memory (for embedded example data).
    public static func sha256(of bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }
}
