import Foundation

/// One record of a CSV file: its fields as text, with where each field starts.
public struct CSVRecord: Sendable, Equatable {
    /// The fields, unquoted (`""` inside quotes becomes `"`), unquoted fields trimmed of
    /// surrounding spaces and tabs.
    public var fields: [String]
    /// The 1-based character column where each field starts.
    public var columns: [Int]
    /// The 1-based line on which the record starts.
    public var line: Int
    /// The 1-based column just past the record's last character (for "missing field" errors).
    public var endColumn: Int
}

/// A streaming reader of RFC 4180 CSV records, reading the input in fixed-size chunks so
/// that files of any size are read in bounded memory.
///
/// What it does with the awkward cases, deliberately:
/// - A UTF-8 byte-order mark at the start of the input is skipped.
/// - Lines may end in `\n`, `\r\n` or a lone `\r`; they are all one line ending.
/// - Blank lines hold no data and are skipped.
/// - Quoted fields may contain the delimiter, line endings and doubled quotes `""`.
/// - A quote inside an unquoted field, text after a closing quote, an unterminated quote or
///   bytes that are not UTF-8 are errors with file, line and column.
public final class CSVRecordReader {
    private let name: String
    private let delimiter: UInt8
    private let chunkSize: Int
    private let handle: FileHandle?
    private var buffer: [UInt8]
    private var position = 0
    private var exhausted: Bool
    private var line = 1
    private var column = 1
    private var atStart = true

    /// Reads the file at `url`.
    ///
    /// - Parameters:
    ///   - delimiter: the field separator, an ASCII character (`,` by default; `\t` for TSV).
    ///   - chunkSize: bytes read at a time.
    /// - Throws: `DataError` when the file cannot be opened or the delimiter is not ASCII.
    public init(url: URL, delimiter: Character = ",", chunkSize: Int = 1 << 20) throws {
        name = url.path
        var isDirectory: ObjCBool = false
        // A directory opens as a handle on Linux and fails only at the first read, with an opaque error.
        guard !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) || !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: url.path) else {
            throw DataError.unreadable(url, expected: "a readable CSV file")
        }
        self.handle = handle
        self.delimiter = try Self.delimiterByte(delimiter, name)
        self.chunkSize = max(chunkSize, 1)
        buffer = []
        exhausted = false
    }

    /// Reads CSV text held in memory; `name` stands in for a file name in errors.
    public convenience init(text: String, name: String = "<memory>", delimiter: Character = ",") throws {
        try self.init(bytes: Array(text.utf8), name: name, delimiter: delimiter)
    }

    /// Reads CSV bytes held in memory (which need not be valid UTF-8: that is checked).
    public init(bytes: [UInt8], name: String = "<memory>", delimiter: Character = ",") throws {
        self.name = name
        handle = nil
        self.delimiter = try Self.delimiterByte(delimiter, name)
        chunkSize = 1 << 20
        buffer = bytes
        exhausted = true
    }

    deinit { try? handle?.close() }

    private static func delimiterByte(_ c: Character, _ name: String) throws -> UInt8 {
        guard let a = c.asciiValue, a != UInt8(ascii: "\""), a != 10, a != 13 else {
            throw DataError(file: name, line: 1, column: 1, seen: "delimiter \(quoted(String(c)))", expected: "an ASCII delimiter other than a quote or line ending")
        }
        return a
    }

    /// The file name used in errors.
    public var fileName: String { name }

    private func refill() throws {
        guard !exhausted, let handle else { exhausted = true; return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let chunk = try handle.read(upToCount: chunkSize) ?? Data()
        if chunk.isEmpty { exhausted = true } else { buffer.append(contentsOf: chunk) }
    }

    private func peek() throws -> UInt8? {
        if position == buffer.count {
            try refill()
            if position == buffer.count { return nil }
        }
        return buffer[position]
    }

    private func advance() {
        let b = buffer[position]
        position += 1
        if b == 10 { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }

    /// Consumes a line ending (`\n`, `\r\n` or `\r`) at the current position.
    private func consumeLineEnding() throws {
        guard let b = try peek() else { return }
        if b == 10 { advance(); return }
        if b == 13 {
            position += 1
            if try peek() == 10 { position += 1 }
            line += 1
            column = 1
        }
    }

    private func error(_ seen: String, _ expected: String, line: Int? = nil, column: Int? = nil) -> DataError {
        DataError(file: name, line: line ?? self.line, column: column ?? self.column, seen: seen, expected: expected)
    }

    private func text(_ bytes: [UInt8], line: Int, column: Int) throws -> String {
        // ASCII needs no validation (the common case for numeric files, and much faster).
        if bytes.withUnsafeBufferPointer({ p in p.allSatisfy { $0 < 0x80 } }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw error("bytes that are not UTF-8", "UTF-8 text", line: line, column: column)
        }
        return s
    }

    /// Field `k` of a raw record as text.
    ///
    /// - Throws: `DataError` when its bytes are not UTF-8.
    public func string(of record: CSVRawRecord, field k: Int) throws -> String {
        try text(Array(record.bytes[record.ranges[k]]), line: record.line(ofField: k), column: record.columns[k])
    }

    /// The next record, or `nil` at the end of the input.
    ///
    /// - Throws: `DataError` for malformed quoting or invalid UTF-8.
    public func nextRecord() throws -> CSVRecord? {
        var raw = CSVRawRecord()
        guard try nextRecord(into: &raw) else { return nil }
        var fields = [String]()
        fields.reserveCapacity(raw.count)
        for k in 0..<raw.count { fields.append(try string(of: raw, field: k)) }
        return CSVRecord(fields: fields, columns: raw.columns, line: raw.line, endColumn: raw.endColumn)
    }

    /// Reads the next record into `record`, reusing its storage; returns `false` at the end
    /// of the input. Fields are left as bytes (not yet checked to be UTF-8), each followed by
    /// a NUL byte, which lets numeric fields be parsed without building strings.
    ///
    /// - Throws: `DataError` for malformed quoting.
    public func nextRecord(into record: inout CSVRawRecord) throws -> Bool {
        if atStart {
            atStart = false
            if try peek() == 0xEF {
                // Look for the full BOM; it may straddle a chunk boundary.
                while buffer.count - position < 3, !exhausted { try refill() }
                if buffer.count - position >= 3, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF { position += 3 }
            }
        }
        // Skip blank lines.
        while let b = try peek(), b == 10 || b == 13 { try consumeLineEnding() }
        guard try peek() != nil else { return false }

        record.removeAll()
        record.line = line
        while true {
            // Leading spaces and tabs are not part of a field, quoted or not.
            while let b = try peek(), b == 32 || b == 9, b != delimiter { advance() }
            let fieldLine = line, fieldColumn = column
            let start = record.bytes.count
            if try peek() == UInt8(ascii: "\"") {
                advance()
                while true {
                    guard let b = try peek() else {
                        throw error("an unterminated quoted field", "a closing quote", line: fieldLine, column: fieldColumn)
                    }
                    if b == UInt8(ascii: "\"") {
                        advance()
                        if try peek() == UInt8(ascii: "\"") { advance(); record.bytes.append(b) } else { break }
                    } else if b == 13 {
                        // A line ending inside quotes is kept as \n.
                        try consumeLineEnding()
                        record.bytes.append(10)
                    } else {
                        advance()
                        record.bytes.append(b)
                    }
                }
                // Allow spaces between the closing quote and the delimiter.
                while let b = try peek(), (b == 32 || b == 9), b != delimiter { advance() }
                if let b = try peek(), b != delimiter, b != 10, b != 13 {
                    throw error(quoted(String(decoding: [b], as: UTF8.self)) + " after a closing quote", "the delimiter or the end of the line")
                }
            } else {
                // Scan the buffered bytes in one tight loop (the hot path for numeric files),
                // refilling only when a field straddles the chunk boundary.
                while true {
                    if position == buffer.count {
                        try refill()
                        if position == buffer.count { break }
                    }
                    let (stop, scalars) = buffer.withUnsafeBufferPointer { p -> (Int, Int) in
                        var i = position, scalars = 0
                        while i < p.count {
                            let b = p[i]
                            if b == delimiter || b == 10 || b == 13 || b == UInt8(ascii: "\"") { break }
                            if b & 0xC0 != 0x80 { scalars += 1 }
                            i += 1
                        }
                        return (i, scalars)
                    }
                    record.bytes.append(contentsOf: buffer[position..<stop])
                    column += scalars
                    position = stop
                    if stop < buffer.count { break }
                }
                if try peek() == UInt8(ascii: "\"") {
                    throw error("a quote inside an unquoted field", "quotes only around a whole field (\"…\"), with inner quotes doubled")
                }
                // Trim trailing spaces and tabs.
                while record.bytes.count > start, record.bytes[record.bytes.count - 1] == 32 || record.bytes[record.bytes.count - 1] == 9 {
                    record.bytes.removeLast()
                }
            }
            record.ranges.append(start..<record.bytes.count)
            record.bytes.append(0)
            record.columns.append(fieldColumn)
            record.fieldLines.append(fieldLine)
            record.endColumn = column
            if try peek() == delimiter {
                advance()
                continue
            }
            try consumeLineEnding()
            return true
        }
    }
}

/// One CSV record as bytes, for readers that parse fields without building strings
/// (see `CSVRecordReader.nextRecord(into:)`). Reused between records to avoid allocation.
public struct CSVRawRecord: Sendable {
    /// The fields' bytes, unquoted and trimmed like `CSVRecord.fields`, each followed by a NUL.
    public internal(set) var bytes: [UInt8] = []
    /// Where each field's bytes are in `bytes` (the NUL excluded).
    public internal(set) var ranges: [Range<Int>] = []
    /// The 1-based character column where each field starts.
    public internal(set) var columns: [Int] = []
    /// The 1-based line on which the record starts.
    public internal(set) var line = 1
    /// The 1-based column just past the record's last character.
    public internal(set) var endColumn = 1
    var fieldLines: [Int] = []

    public init() {}

    /// The number of fields.
    public var count: Int { ranges.count }

    /// The line on which field `k` starts (later than `line` after a quoted line break).
    public func line(ofField k: Int) -> Int { fieldLines[k] }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
        fieldLines.removeAll(keepingCapacity: true)
    }
}
