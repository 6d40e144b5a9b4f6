import Certificates
import Foundation
import SuretyData

/// The file a private structure is released in: versioned, self-describing, checksummed, and
/// holding nothing but noisy values and public parameters (no raw data, no exact counts, no
/// noise seed).
///
/// Layout (little-endian):
///
///     "SURETYDP"            8 bytes, magic
///     version               UInt32 (this reader: 1)
///     header length         UInt32, then the header: UTF-8 JSON (kind, public parameters,
///                           privacy statement)
///     body count            UInt64, then that many Float64 values
///     checksum              64 ASCII hex digits: SHA-256 of header bytes + body bytes
///
/// A truncated, tampered or wrong-version file is refused with a ``DataError`` (line 1, the
/// column is the byte offset + 1).
public enum PrivateStructureFile {
    public static let magic = Array("SURETYDP".utf8)
    public static let version: UInt32 = 1

    /// The bytes of a file holding `header` (must contain a string `kind`) and `body`.
    public static func encode(header: [String: JSONValue], body: [Double]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = Array(try encoder.encode(JSONValue.object(header)))
        var out = magic
        append(&out, version)
        append(&out, UInt32(headerBytes.count))
        out += headerBytes
        append(&out, UInt64(body.count))
        var bodyBytes: [UInt8] = []
        bodyBytes.reserveCapacity(body.count * 8)
        for x in body { append(&bodyBytes, x.bitPattern) }
        out += bodyBytes
        out += Array(InputDigest.sha256(of: headerBytes + bodyBytes).utf8)
        return out
    }

    /// Parses and checks a file's bytes.
    public static func decode(_ bytes: [UInt8], name: String) throws -> (header: [String: JSONValue], body: [Double]) {
        func fail(_ offset: Int, _ seen: String, _ expected: String) -> DataError {
            DataError(file: name, line: 1, column: offset + 1, seen: seen, expected: expected)
        }
        var offset = 0
        func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw fail(offset, "the end of the file (\(bytes.count) bytes)", "\(what) (\(count) more bytes): the file is truncated")
            }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
        guard Array(try take(8, "the magic 'SURETYDP'")) == magic else {
            throw fail(0, "bytes that are not 'SURETYDP'", "a Surety private-structure file")
        }
        let fileVersion = UInt32(littleEndian: try take(4, "the version"))
        guard fileVersion == version else {
            throw fail(8, "format version \(fileVersion)", "version \(version) (this build reads only that)")
        }
        let headerLength = Int(UInt32(littleEndian: try take(4, "the header length")))
        let headerStart = offset
        let headerBytes = Array(try take(headerLength, "the header"))
        let count = UInt64(littleEndian: try take(8, "the body length"))
        guard count <= UInt64(bytes.count / 8) else { throw fail(offset - 8, "a body of \(count) values", "no more values than the file can hold") }
        let bodyBytes = Array(try take(Int(count) * 8, "the body"))
        let checksum = String(decoding: try take(64, "the SHA-256 checksum"), as: UTF8.self)
        guard offset == bytes.count else { throw fail(offset, "\(bytes.count - offset) bytes after the checksum", "the end of the file") }
        guard checksum == InputDigest.sha256(of: headerBytes + bodyBytes) else {
            throw fail(offset - 64, "a checksum that does not match the contents", "an unmodified file (it was changed or damaged)")
        }
        guard case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)) else {
            throw fail(headerStart, "a header that is not a JSON object", "the JSON header written by Surety")
        }
        var body: [Double] = []
        body.reserveCapacity(Int(count))
        for k in 0..<Int(count) { body.append(Double(bitPattern: UInt64(littleEndian: bodyBytes[(k * 8)..<(k * 8 + 8)]))) }
        return (header, body)
    }

    /// The `kind` of a file's header, read without checking the body (to choose the reader,
    /// which then checks everything); `nil` when the bytes do not start like a Surety file.
    public static func kind(of bytes: [UInt8]) -> String? {
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else { return nil }
        let length = Int(UInt32(littleEndian: bytes[12..<16]))
        guard bytes.count - 16 >= length,
              case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes[16..<(16 + length)])) else { return nil }
        return header["kind"]?.stringValue
    }

    static func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }
}

extension FixedWidthInteger {
    /// Reads a little-endian integer from exactly `MemoryLayout<Self>.size` bytes.
    init(littleEndian bytes: ArraySlice<UInt8>) {
        var value: Self = 0
        for (k, byte) in bytes.enumerated() { value |= Self(byte) << (8 * k) }
        self = value
    }
}
