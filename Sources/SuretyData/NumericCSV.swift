import Foundation
import SuretyNumerics

/// Which column of a CSV file holds the labels (which stay text; every other column must be numeric).
public enum LabelColumn: Sendable, Hashable {
    /// The column with this header name.
    case name(String)
    /// The column at this 0-based position.
    case index(Int)
}

/// How a numeric CSV file is read.
public struct CSVReadOptions: Sendable {
    /// The field separator.
    public var delimiter: Character = ","
    /// Whether the first record names the columns. Without a header, columns are named
    /// `x1, x2, …` and the label column can only be chosen by index.
    public var hasHeader = true
    /// The label column, if any.
    public var label: LabelColumn? = nil
    /// Whether `nan`, `inf` and `-inf` are accepted. Off by default: a non-finite value is
    /// reported as an error rather than passed on to a computation that would be silently
    /// poisoned by it.
    public var allowNonFinite = false

    public init(delimiter: Character = ",", hasHeader: Bool = true, label: LabelColumn? = nil, allowNonFinite: Bool = false) {
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.label = label
        self.allowNonFinite = allowNonFinite
    }
}

/// One parsed row of a numeric CSV file.
public struct NumericRow: Sendable, Equatable {
    /// The numeric fields in file order, the label column left out.
    public var values: [Double]
    /// The label, when a label column was chosen.
    public var label: String?
    /// The line the row starts on.
    public var line: Int
}

/// Streams the rows of a numeric CSV file in bounded memory, checking each as it goes:
/// every row must have as many fields as the header, every non-label field must be a
/// number, and (by default) finite.
public final class NumericCSVReader {
    private let records: CSVRecordReader
    private let options: CSVReadOptions
    private var raw = CSVRawRecord()
    private var firstRowPending = false
    /// Whether the C library's `strtod` reads a decimal point, i.e. the process has not set
    /// a locale with another one (Swift programs start in the C locale). When it has, numbers
    /// go through Swift's `Double(_:)`, which always uses the C locale.
    private let strtodUsesDecimalPoint = localeconv().map { String(cString: $0.pointee.decimal_point) == "." } ?? false
    private let fieldCount: Int
    /// The index of the label column among the fields, if any.
    public let labelIndex: Int?
    /// The names of the numeric columns, in order.
    public let columnNames: [String]
    /// The name of the label column, if any.
    public let labelName: String?

    /// Opens `url` and reads its header.
    ///
    /// - Throws: `DataError` for a missing or empty file, a bad header (empty or duplicate
    ///   names), or a label column that does not exist.
    public convenience init(url: URL, options: CSVReadOptions = .init()) throws {
        try self.init(records: CSVRecordReader(url: url, delimiter: options.delimiter), options: options)
    }

    /// Reads CSV text held in memory.
    public convenience init(text: String, name: String = "<memory>", options: CSVReadOptions = .init()) throws {
        try self.init(records: CSVRecordReader(text: text, name: name, delimiter: options.delimiter), options: options)
    }

    /// Reads records from an existing record reader (for custom chunk sizes or sources).
    public init(records: CSVRecordReader, options: CSVReadOptions = .init()) throws {
        self.records = records
        self.options = options
        let file = records.fileName
        guard try records.nextRecord(into: &raw) else {
            throw DataError(file: file, line: 1, column: 1, seen: "an empty file",
                            expected: options.hasHeader ? "a header row naming the columns" : "at least one row")
        }
        let first = raw
        var names: [String]
        if options.hasHeader {
            names = try (0..<first.count).map { try records.string(of: first, field: $0) }
            var seen = [String: Int]()
            for (k, n) in names.enumerated() {
                if n.isEmpty {
                    throw DataError(file: file, line: first.line, column: first.columns[k], seen: "an empty column name",
                                    expected: "a name for every column in the header")
                }
                if let earlier = seen[n] {
                    throw DataError(file: file, line: first.line, column: first.columns[k], seen: "the column name \(quoted(n)) a second time",
                                    expected: "distinct column names (it is also column \(earlier + 1))")
                }
                seen[n] = k
            }
        } else {
            names = (1...max(first.count, 1)).map { "x\($0)" }
            firstRowPending = true
        }
        fieldCount = names.count
        switch options.label {
        case nil:
            labelIndex = nil
        case let .name(label)?:
            guard options.hasHeader else {
                throw DataError(file: file, line: 1, column: 1, seen: "label column \(quoted(label)) requested by name in a file without a header",
                                expected: "a label given by index (0-based) when there is no header")
            }
            guard let k = names.firstIndex(of: label) else {
                throw DataError(file: file, line: first.line, column: 1, seen: "no column named \(quoted(label))",
                                expected: "one of " + names.map { quoted($0) }.joined(separator: ", "))
            }
            labelIndex = k
        case let .index(k)?:
            guard k >= 0 && k < names.count else {
                throw DataError(file: file, line: first.line, column: 1, seen: "label column index \(k)",
                                expected: "an index from 0 to \(names.count - 1) (the file has \(names.count) columns)")
            }
            labelIndex = k
        }
        labelName = labelIndex.map { names[$0] }
        if let k = labelIndex { names.remove(at: k) }
        columnNames = names
    }

    /// The file name used in errors.
    public var fileName: String { records.fileName }

    /// The next row, or `nil` at the end of the file.
    ///
    /// - Throws: `DataError` naming the line, column and value for a ragged row, a field that
    ///   is not a number, a non-finite number (unless allowed) or an empty label.
    public func nextRow() throws -> NumericRow? {
        if firstRowPending {
            firstRowPending = false
        } else {
            guard try records.nextRecord(into: &raw) else { return nil }
        }
        let file = records.fileName
        guard raw.count == fieldCount else {
            let column = raw.count > fieldCount ? raw.columns[fieldCount] : raw.endColumn
            throw DataError(file: file, line: raw.line, column: column, seen: "\(raw.count) fields",
                            expected: "\(fieldCount) fields, as in the \(options.hasHeader ? "header" : "first row")")
        }
        var values = [Double]()
        values.reserveCapacity(fieldCount)
        var label: String?
        for k in 0..<raw.count {
            if k == labelIndex {
                let text = try records.string(of: raw, field: k)
                guard !text.isEmpty else {
                    throw DataError(file: file, line: raw.line(ofField: k), column: raw.columns[k], seen: "an empty label",
                                    expected: "a label in column \(quoted(labelName ?? ""))")
                }
                label = text
                continue
            }
            values.append(try number(field: k))
        }
        return NumericRow(values: values, label: label, line: raw.line)
    }

    private func columnName(_ k: Int) -> String {
        let index = labelIndex.map { k > $0 ? k - 1 : k } ?? k
        return columnNames[index]
    }

    /// Parses field `k` of the current record as a decimal number, straight from its bytes.
    ///
    /// `strtod` (correctly rounded in glibc) must consume the whole field, so trailing junk
    /// and leading white space are reported rather than half-read, and hexadecimal floats are
    /// rejected. The decimal separator is always `.`: if the process runs under a locale with
    /// another one, the field is parsed by Swift's `Double(_:)` instead, which is
    /// locale-independent and accepts the same syntax.
    private func number(field k: Int) throws -> Double {
        let file = records.fileName
        let range = raw.ranges[k]
        let at = (line: raw.line(ofField: k), column: raw.columns[k])
        guard !range.isEmpty else {
            throw DataError(file: file, line: at.line, column: at.column, seen: "an empty field in column \(quoted(columnName(k)))",
                            expected: "a number (missing values are not allowed)")
        }
        let parsed: Double? = raw.bytes.withUnsafeBufferPointer { p in
            let first = p[range.lowerBound]
            guard first > 32, !Self.isHexadecimal(p, range) else { return nil }
            guard strtodUsesDecimalPoint else {
                return Double(String(decoding: UnsafeBufferPointer(rebasing: p[range]), as: UTF8.self))
            }
            let start = UnsafeRawPointer(p.baseAddress! + range.lowerBound).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            let x = strtod(start, &end)
            guard let end, UnsafeRawPointer(end) == UnsafeRawPointer(p.baseAddress! + range.upperBound) else { return nil }
            return x
        }
        guard let x = parsed else {
            let field = try records.string(of: raw, field: k)
            throw DataError(file: file, line: at.line, column: at.column, seen: "\(quoted(field)) in column \(quoted(columnName(k)))",
                            expected: "a decimal number such as 3.25 or -1e-4")
        }
        if !x.isFinite && !options.allowNonFinite {
            let field = try records.string(of: raw, field: k)
            let lowered = field.lowercased()
            let spelled = lowered.contains("nan") || lowered.contains("inf")
            throw DataError(file: file, line: at.line, column: at.column,
                            seen: spelled ? "the non-finite value \(quoted(field)) in column \(quoted(columnName(k)))"
                                          : "\(quoted(field)) in column \(quoted(columnName(k))), which overflows a double",
                            expected: "a finite number (NaN and infinities are rejected unless allowNonFinite is set)")
        }
        return x
    }

    /// Whether the bytes are a hexadecimal float ("0x1p3", "-0X10"), which `strtod` accepts
    /// but a CSV of decimal numbers should not contain.
    static func isHexadecimal(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        if i < range.upperBound, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i += 1 }
        guard i + 1 < range.upperBound, p[i] == UInt8(ascii: "0") else { return false }
        return p[i + 1] | 0x20 == UInt8(ascii: "x")
    }
}

/// A numeric data set read whole: a feature matrix, its column names and optional labels.
public struct NumericTable: Sendable, Equatable {
    /// The numeric column names.
    public var columnNames: [String]
    /// `rows × columnNames.count`, one row per data row.
    public var features: Matrix
    /// One label per row when the file had a label column.
    public var labels: [String]?
    /// The label column's name.
    public var labelName: String?

    public init(columnNames: [String], features: Matrix, labels: [String]? = nil, labelName: String? = nil) {
        self.columnNames = columnNames
        self.features = features
        self.labels = labels
        self.labelName = labelName
    }

    /// Reads a whole numeric CSV file.
    ///
    /// - Parameter minimumRows: fewer data rows than this is an error (default 1: a file
    ///   with only a header is reported, not returned as an empty data set).
    /// - Throws: `DataError` as `NumericCSVReader` does, and for too few rows.
    public static func readCSV(url: URL, options: CSVReadOptions = .init(), minimumRows: Int = 1) throws -> NumericTable {
        try read(NumericCSVReader(url: url, options: options), minimumRows: minimumRows)
    }

    /// Reads CSV text held in memory.
    public static func readCSV(text: String, name: String = "<memory>", options: CSVReadOptions = .init(), minimumRows: Int = 1) throws -> NumericTable {
        try read(NumericCSVReader(text: text, name: name, options: options), minimumRows: minimumRows)
    }

    static func read(_ reader: NumericCSVReader, minimumRows: Int) throws -> NumericTable {
        var rowMajor = [Double]()
        var labels = [String]()
        var count = 0
        while let row = try reader.nextRow() {
            rowMajor.append(contentsOf: row.values)
            if let l = row.label { labels.append(l) }
            count += 1
        }
        guard count >= minimumRows else {
            throw DataError(file: reader.fileName, line: 2, column: 1, seen: "\(count) data rows", expected: "at least \(minimumRows)")
        }
        let features = try Matrix(rows: count, columns: reader.columnNames.count, rowMajor: rowMajor)
        return NumericTable(columnNames: reader.columnNames, features: features,
                            labels: reader.labelIndex == nil ? nil : labels, labelName: reader.labelName)
    }

    /// Writes the table as CSV (header, then one row per data row, label last), atomically.
    /// Numbers are written in the shortest form that reads back to the same double.
    public func writeCSV(to url: URL) throws {
        let writer = try CSVWriter(url: url, header: columnNames + (labelName.map { [$0] } ?? []))
        for i in 0..<features.rows {
            try writer.writeRow(features.row(i), label: labels?[i])
        }
        try writer.finish()
    }
}

/// Writes CSV files row by row, atomically: the file appears complete at `finish()` or not at all.
public final class CSVWriter {
    private let file: AtomicFileWriter
    private let columns: Int

    /// Starts a file at `url` with the given header.
    public init(url: URL, header: [String]) throws {
        file = try AtomicFileWriter(destination: url)
        columns = header.count
        try file.write(header.map(Self.escape).joined(separator: ",") + "\n")
    }

    /// Appends one row of numbers, with an optional trailing label.
    ///
    /// Numbers use Swift's shortest round-trip form, so reading the file back gives the
    /// same doubles bit for bit.
    public func writeRow(_ values: [Double], label: String? = nil) throws {
        precondition(values.count + (label == nil ? 0 : 1) == columns, "row length does not match the header")
        var line = values.map { "\($0)" }.joined(separator: ",")
        if let label { line += (values.isEmpty ? "" : ",") + Self.escape(label) }
        try file.write(line + "\n")
    }

    /// Appends a row of text fields, quoted where needed.
    public func writeRow(fields: [String]) throws {
        precondition(fields.count == columns, "row length does not match the header")
        try file.write(fields.map(Self.escape).joined(separator: ",") + "\n")
    }

    /// Moves the finished file into place.
    public func finish() throws { try file.commit() }

    static func escape(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s != s.trimmingCharacters(in: .whitespaces) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
