import Foundation

/// Loading JSON configuration files into `Decodable` types with errors a person can act on.
public enum JSONConfig {
    /// Decodes a `T` from the JSON file at `url`.
    ///
    /// - Throws: `DataError` with the line and column of a syntax error, or the key path and
    ///   the expected type for a missing key or a value of the wrong type.
    public static func load<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(url, expected: "a readable JSON file")
        }
        return try decode(type, from: data, name: url.path)
    }

    /// Writes `value` as JSON to `url` atomically: keys sorted, pretty-printed, ending in a
    /// newline, so that the same configuration always gives the same bytes.
    ///
    /// - Throws: `EncodingError` for values JSON cannot hold (NaN or infinities), or the
    ///   file system's error when the file cannot be written.
    public static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        try AtomicFileWriter.write(data, to: url)
    }

    /// Decodes a `T` from JSON bytes; `name` stands in for a file name in errors.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, name: String = "<memory>") throws -> T {
        let text = String(decoding: data, as: UTF8.self)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw DataError(file: name, line: 1, column: 1, seen: "an empty file", expected: "a JSON object")
        }
        if let (offset, seen, expected) = JSONStructure.firstProblem(in: Array(data)) {
            let (line, column) = position(ofByte: offset, in: text)
            throw DataError(file: name, line: line, column: column, seen: seen, expected: expected)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, text: text, name: name)
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "the top level" }
        return codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }

    /// The 1-based line and column where the key at the end of `codingPath` appears in
    /// `text`, found by walking the keys in order; line 1, column 1 when it cannot be found.
    public static func position(of codingPath: [any CodingKey], in text: String) -> (line: Int, column: Int) {
        var offset = text.startIndex
        for key in codingPath where key.intValue == nil {
            guard let r = text.range(of: "\"\(key.stringValue)\"", range: offset..<text.endIndex) else { break }
            offset = r.lowerBound
        }
        let prefix = text[..<offset]
        let line = prefix.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
        return (line, column)
    }

    static func position(ofByte offset: Int, in text: String) -> (Int, Int) {
        let bytes = text.utf8.prefix(offset)
        let line = bytes.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        let lineStart = bytes.lastIndex(of: 10).map { text.utf8.index(after: $0) } ?? text.utf8.startIndex
        let column = text.utf8[lineStart..<text.utf8.index(text.utf8.startIndex, offsetBy: offset)].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        return (line, column)
    }

    static func describe(_ error: DecodingError, text: String, name: String) -> DataError {
        switch error {
        case let .keyNotFound(key, context):
            let (line, column) = position(of: context.codingPath, in: text)
            return DataError(file: name, line: line, column: column, seen: "no key \"\(key.stringValue)\" in \(path(context.codingPath))",
                             expected: "the key \"\(key.stringValue)\"")
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            let (line, column) = position(of: context.codingPath, in: text)
            return DataError(file: name, line: line, column: column, seen: "a value of the wrong type at \(path(context.codingPath))",
                             expected: "\(type)")
        case let .dataCorrupted(context):
            if let (offset, found, wanted) = JSONSyntax.firstError(in: Array(text.utf8)) {
                let (line, column) = position(ofByte: offset, in: text)
                return DataError(file: name, line: line, column: column, seen: found, expected: wanted)
            }
            let (line, column) = position(of: context.codingPath, in: text)
            return DataError(file: name, line: line, column: column, seen: "an invalid value at \(path(context.codingPath))",
                             expected: context.debugDescription)
        @unknown default:
            return DataError(file: name, line: 1, column: 1, seen: "\(error)", expected: "a valid configuration")
        }
    }
}

/// The checks Foundation's decoder does not make, run before it: an object with the same key
/// twice (the decoder keeps one silently, other readers another — so a certificate could say
/// one thing to `verify` and another to `jq`), and nesting deeper than `maxDepth` (the decoder
/// recurses once per level and overflows the stack at a few thousand).
enum JSONStructure {
    /// Deeper nesting is refused; Surety's files nest a handful of levels.
    static let maxDepth = 256

    /// The byte offset of the first duplicate key or too-deep value, what was found there and
    /// what was expected; `nil` when there is none. Syntax is left to the decoder.
    ///
    /// - Complexity: O(n), no recursion.
    static func firstProblem(in b: [UInt8]) -> (Int, String, String)? {
        // One frame per open object or array: the keys seen so far (objects), and whether the
        // next string at this level is a key.
        struct Frame { var isObject: Bool; var expectsKey: Bool; var keys: Set<String> }
        var stack: [Frame] = []
        var i = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if stack.count >= maxDepth {
                    return (i, "nesting deeper than \(maxDepth) levels", "a document nested at most \(maxDepth) levels deep")
                }
                stack.append(Frame(isObject: b[i] == UInt8(ascii: "{"), expectsKey: b[i] == UInt8(ascii: "{"), keys: []))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
                i += 1
            case UInt8(ascii: ","):
                if let top = stack.indices.last, stack[top].isObject { stack[top].expectsKey = true }
                i += 1
            case UInt8(ascii: "\""):
                let start = i
                guard let (text, end) = string(b, from: i) else { return nil }   // unterminated: the decoder reports it
                i = end
                if let top = stack.indices.last, stack[top].isObject, stack[top].expectsKey {
                    stack[top].expectsKey = false
                    if !stack[top].keys.insert(text).inserted {
                        return (start, "the key \"\(text)\" a second time in one object", "each key at most once per object")
                    }
                }
            default:
                i += 1
            }
        }
        return nil
    }

    /// The unescaped text of the string starting at `b[i]` (a quote) and the offset after its
    /// closing quote; `nil` when it does not end.
    static func string(_ b: [UInt8], from start: Int) -> (String, Int)? {
        var units: [UInt16] = []
        var bytes: [UInt8] = []
        func flushBytes() { units += String(decoding: bytes, as: UTF8.self).utf16; bytes.removeAll() }
        var i = start + 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                flushBytes()
                return (String(decoding: units, as: UTF16.self), i + 1)
            }
            guard c == UInt8(ascii: "\\"), i + 1 < b.count else { bytes.append(c); i += 1; continue }
            flushBytes()
            let e = b[i + 1]
            switch e {
            case UInt8(ascii: "u"):
                guard i + 6 <= b.count, let code = UInt16(String(decoding: b[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) else { return nil }
                units.append(code)
                i += 6
                continue
            case UInt8(ascii: "n"): units.append(10)
            case UInt8(ascii: "t"): units.append(9)
            case UInt8(ascii: "r"): units.append(13)
            case UInt8(ascii: "b"): units.append(8)
            case UInt8(ascii: "f"): units.append(12)
            default: units.append(UInt16(e))   // \" \\ \/ (others are the decoder's to refuse)
            }
            i += 2
        }
        return nil
    }
}

/// A JSON syntax checker whose only job is to say where the first error is, since
/// Foundation's decoder reports only that the data "was not valid JSON".
enum JSONSyntax {
    /// The byte offset of the first syntax error, what was found there and what was expected;
    /// `nil` when the text is valid JSON.
    static func firstError(in b: [UInt8]) -> (Int, String, String)? {
        var i = 0
        struct Failure: Error { let offset: Int; let found: String; let expected: String }
        func found() -> String {
            i < b.count ? "'" + String(decoding: [b[i]], as: UTF8.self) + "'" : "the end of the file"
        }
        func space() { while i < b.count, [9, 10, 13, 32].contains(b[i]) { i += 1 } }
        func literal(_ word: String) throws {
            for c in word.utf8 {
                guard i < b.count, b[i] == c else { throw Failure(offset: i, found: found(), expected: "the literal \(word)") }
                i += 1
            }
        }
        func string() throws {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw Failure(offset: i, found: found(), expected: "a string in double quotes") }
            i += 1
            while i < b.count, b[i] != UInt8(ascii: "\"") {
                if b[i] < 0x20 { throw Failure(offset: i, found: "a control character inside a string", expected: "an escaped character such as \\n") }
                i += b[i] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard i < b.count else { throw Failure(offset: i, found: "the end of the file inside a string", expected: "a closing quote") }
            i += 1
        }
        func number() throws {
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            guard Double(String(decoding: b[start..<i], as: UTF8.self)) != nil else {
                i = start
                throw Failure(offset: start, found: found(), expected: "a value (object, array, string, number, true, false or null)")
            }
        }
        func value() throws {
            space()
            guard i < b.count else { throw Failure(offset: i, found: found(), expected: "a value") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1; space()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return }
                while true {
                    space(); try string(); space()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw Failure(offset: i, found: found(), expected: "':' after the key") }
                    i += 1
                    try value(); space()
                    guard i < b.count else { throw Failure(offset: i, found: found(), expected: "',' or '}'") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return }
                    throw Failure(offset: i, found: found(), expected: "',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1; space()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return }
                while true {
                    try value(); space()
                    guard i < b.count else { throw Failure(offset: i, found: found(), expected: "',' or ']'") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return }
                    throw Failure(offset: i, found: found(), expected: "',' or ']'")
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }
        do {
            try value(); space()
            if i < b.count { return (i, found(), "the end of the file after the top-level value") }
            return nil
        } catch let f as Failure {
            return (f.offset, f.found, f.expected)
        } catch {
            return nil
        }
    }
}
