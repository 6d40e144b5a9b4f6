import Foundation
import Testing
@testable import SuretyData
import SuretyNumerics

@Suite struct NPYTests {
    /// The bytes numpy 2.x writes for `np.save(f, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))`.
    static let numpyBytes: [UInt8] = {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        let padded = header + String(repeating: " ", count: 128 - 10 - header.count - 1) + "\n"
        var b: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.count), 0] + Array(padded.utf8)
        for x in [1.0, 2, 3, 4, 5, 6] { withUnsafeBytes(of: x.bitPattern.littleEndian) { b.append(contentsOf: $0) } }
        return b
    }()

    @Test func readsNumpysLayout() throws {
        let a = try NPY.decode(Self.numpyBytes)
        #expect(a.shape == [2, 3])
        #expect(try a.matrix() == (try Matrix([[1, 2, 3], [4, 5, 6]])))
        #expect(Self.numpyBytes.count == 128 + 48)
    }

    @Test(arguments: NPYElementType.allCases)
    func roundTripsEachType(type: NPYElementType) throws {
        let a = NPYArray(shape: [2, 2], values: [1, -2, 3.5, 1e6], elementType: type == .int64 ? .int64 : type)
        let values = type == .int64 ? [1, -2, 3, 1e6] : a.values
        let b = NPYArray(shape: [2, 2], values: values, elementType: type)
        let bytes = try NPY.encode(b)
        #expect((bytes.count - 128) % type.size == 0 && bytes.count >= 64 && (bytes.count - 4 * type.size) % 64 == 0)
        #expect(try NPY.decode(bytes) == b)
    }

    @Test func fortranOrderIsReordered() throws {
        var bytes = Self.numpyBytes
        let header = String(decoding: bytes[10..<128], as: UTF8.self).replacingOccurrences(of: "False", with: "True ")
        bytes.replaceSubrange(10..<128, with: Array(header.utf8))
        let a = try NPY.decode(bytes)
        // Column-major 1..6 in a 2×3 array is [[1, 3, 5], [2, 4, 6]].
        #expect(a.values == [1, 3, 5, 2, 4, 6])
    }

    @Test func rejectsBadFiles() throws {
        func expectError(_ bytes: [UInt8], _ seen: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try NPY.decode(bytes, name: "a.npy")
                Issue.record("expected an error", sourceLocation: sourceLocation)
            } catch let e as DataError {
                #expect(e.seen.contains(seen), "\(e)", sourceLocation: sourceLocation)
            } catch { Issue.record("\(error)", sourceLocation: sourceLocation) }
        }
        let good = Self.numpyBytes
        expectError(Array(good.dropLast(3)), "bytes of data")
        expectError(good + [0], "bytes of data")
        expectError(Array("not a numpy file".utf8), "no NPY magic")
        expectError(Array(good.prefix(4)), "4 bytes")
        var v = good; v[6] = 9
        expectError(v, "format version 9")
        expectError(replace(good, "<f8", ">f8"), "dtype '>f8'")
        expectError(replace(good, "<f8", "<c8"), "dtype '<c8'")
        expectError(replace(good, "(2, 3)", "(2, x)"), "malformed shape")
        expectError(replace(good, "'shape'", "'shapx'"), "the key 'shapx'")
        var nan = good
        withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { nan.replaceSubrange(128..<136, with: $0) }
        expectError(nan, "non-finite")
        #expect(try NPY.decode(nan, allowNonFinite: true).values[0].isNaN)
        let big = NPYArray(shape: [1], values: [0], elementType: .int64)
        var bigBytes = try NPY.encode(big)
        withUnsafeBytes(of: Int64.max.littleEndian) { bigBytes.replaceSubrange((bigBytes.count - 8)..., with: $0) }
        expectError(bigBytes, "the integer 9223372036854775807")
        #expect(throws: DataError.self) { try NPY.encode(NPYArray(shape: [1], values: [0.5], elementType: .int64)) }
    }

    func replace(_ bytes: [UInt8], _ a: String, _ b: String) -> [UInt8] {
        let header = String(decoding: bytes[10..<128], as: UTF8.self).replacingOccurrences(of: a, with: b)
        var out = bytes
        out.replaceSubrange(10..<128, with: Array(header.utf8))
        return out
    }

    @Test func writesMatricesAtomically() throws {
        let url = temporaryURL("m.npy")
        defer { try? FileManager.default.removeItem(at: url) }
        let m = try Matrix([[1, 2], [3, 4], [5, 6]])
        try NPY.write(m, to: url)
        #expect(try NPY.read(url: url).matrix() == m)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.contains(url.lastPathComponent) && $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct JSONConfigTests {
    /// A key given twice in one object is refused where it stands (Foundation's decoder keeps
    /// one copy silently and other readers the other, so a file could say two things), also
    /// when the second spelling escapes it; the same key in different objects, and a string
    /// value equal to a key, are fine.
    @Test func duplicateKeysAreRefused() throws {
        struct Pair: Decodable { var a: Int; var b: [String: Int] }
        #expect(throws: Never.self) { try JSONConfig.decode(Pair.self, from: Data(#"{"a": 1, "b": {"a": 2, "c": 3}, "x": "a"}"#.utf8)) }
        for (text, column) in [(#"{"a": 1, "b": {}, "a": 2}"#, 19), (#"{"a": 1, "b": {}, "a": 2}"#, 19), (#"{"a": 1, "b": {"c": 1,\#n"c": 2}}"#, 1)] {
            do {
                _ = try JSONConfig.decode(Pair.self, from: Data(text.utf8), name: "x.json")
                Issue.record("accepted \(text)")
            } catch let error as DataError {
                #expect(error.column == column && error.seen.contains("a second time"), "\(error)")
            }
        }
    }

    /// Nesting deeper than 256 levels is a located error, not a stack overflow (the decoder
    /// recursed once per level and crashed at about 4 000).
    @Test func deepNestingIsAnError() throws {
        for text in [String(repeating: "[", count: 100_000), String(repeating: #"{"a":"#, count: 10_000)] {
            #expect(throws: DataError.self) { try JSONConfig.decode([Int].self, from: Data(text.utf8)) }
        }
        #expect(throws: Never.self) { try JSONConfig.decode([[[Int]]].self, from: Data("[[[1]]]".utf8)) }
    }

    struct Config: Codable, Equatable {
        var alpha: Double
        var name: String
        var inner: Inner
        struct Inner: Codable, Equatable { var count: Int }
    }

    @Test func writesSortedPrettyJSONAtomically() throws {
        let url = temporaryURL("config.json")
        defer { try? FileManager.default.removeItem(at: url) }
        let config = Config(alpha: 0.25, name: "a/b", inner: .init(count: 2))
        try JSONConfig.write(config, to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(text.range(of: "\"alpha\"")!.lowerBound < text.range(of: "\"inner\"")!.lowerBound)
        #expect(text.contains("\"a/b\""))
        #expect(try JSONConfig.load(Config.self, from: url) == config)
        #expect(throws: EncodingError.self) { try JSONConfig.write(Config(alpha: .nan, name: "", inner: .init(count: 0)), to: url) }
        #expect(try JSONConfig.load(Config.self, from: url) == config)  // a failed write leaves the old file
    }

    @Test func decodesAndLocatesErrors() throws {
        let good = #"{"alpha": 0.1, "name": "x", "inner": {"count": 3}}"#
        #expect(try JSONConfig.decode(Config.self, from: Data(good.utf8)) == Config(alpha: 0.1, name: "x", inner: .init(count: 3)))

        let wrongType = "{\n  \"alpha\": 0.1,\n  \"name\": \"x\",\n  \"inner\": {\"count\": \"three\"}\n}"
        do {
            _ = try JSONConfig.decode(Config.self, from: Data(wrongType.utf8), name: "c.json")
            Issue.record("expected an error")
        } catch let e as DataError {
            #expect(e.line == 4 && e.column == 13, "\(e)")
            #expect(e.seen.contains("inner.count"), "\(e)")
        }

        let missing = #"{"alpha": 0.1, "inner": {"count": 3}}"#
        #expect(throws: DataError.self) { try JSONConfig.decode(Config.self, from: Data(missing.utf8)) }

        let syntax = "{\n  \"alpha\": 0.1,\n  \"name\": x\n}"
        do {
            _ = try JSONConfig.decode(Config.self, from: Data(syntax.utf8), name: "s.json")
            Issue.record("expected an error")
        } catch let e as DataError {
            #expect(e.line == 3 && e.column == 11, "\(e)")
            #expect(e.seen == "'x'", "\(e)")
        }
        #expect(throws: DataError.self) { try JSONConfig.decode(Config.self, from: Data("  ".utf8)) }
    }
}
