import Foundation

/// A problem with an input file, located precisely enough to fix it by hand.
///
/// `line` and `column` are 1-based; `column` counts characters (Unicode scalars) from the
/// start of the line. For binary formats (NPY) the header is one line of text and the
/// column is the byte offset plus one.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file name as given by the caller (or `<memory>` for in-memory data).
    public var file: String
    public var line: Int
    public var column: Int
    /// What was found, quoted when it is text from the file.
    public var seen: String
    /// What was expected instead, phrased so the fix is clear.
    public var expected: String

    public init(file: String, line: Int, column: Int, seen: String, expected: String) {
        self.file = file
        self.line = line
        self.column = column
        self.seen = seen
        self.expected = expected
    }

    /// The error for a file that is missing or cannot be opened.
    ///
    /// - Parameter expected: what the file should have been, e.g. "a readable CSV file".
    public static func unreadable(_ url: URL, expected: String) -> DataError {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let seen = !exists ? "no such file" : isDirectory.boolValue ? "a directory" : "a file that cannot be read"
        return DataError(file: url.path, line: 1, column: 1, seen: seen, expected: expected)
    }

    /// The same error with any text quoted from the file withheld: for files whose contents are
    /// private, so that an error message (which may end up in a log) carries their position but
    /// not their values.
    public func withholdingValues() -> DataError {
        guard seen.contains("'") || seen.contains("\"") else { return self }
        return DataError(file: file, line: line, column: column, seen: "a value (withheld: the file's contents are private)", expected: expected)
    }

    /// `file:line:column: found …; expected …` — the format compilers use, so editors can jump to it.
    public var description: String {
        "\(file):\(line):\(column): found \(seen); expected \(expected)"
    }
}

/// Quotes a piece of input for an error message, shortened when long and with control
/// characters made visible.
func quoted<S: StringProtocol>(_ text: S, limit: Int = 40) -> String {
    var s = String(text)
    if s.count > limit { s = String(s.prefix(limit)) + "…" }
    let escaped = s.unicodeScalars.map { c -> String in
        switch c {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "'": return "\\'"
        default: return c.value < 0x20 || c.value == 0x7f ? "\\u{\(String(c.value, radix: 16))}" : String(c)
        }
    }.joined()
    return "'\(escaped)'"
}
