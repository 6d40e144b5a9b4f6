import Foundation

/// A table of text for the terminal: a header row, a rule, and aligned columns (numbers
/// right-aligned, text left-aligned).
///
/// ```swift
/// var table = TextTable(header: ["method", "coverage", "set size"])
/// table.append(["COLEP", 0.912, 1.84])
/// print(table.render())
/// ```
public struct TextTable: Sendable {
    /// A table cell: text, or a number formatted with a fixed number of significant digits.
    public enum Cell: Sendable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
        case text(String)
        case number(Double, digits: Int)
        case integer(Int)

        public init(stringLiteral value: String) { self = .text(value) }
        public init(floatLiteral value: Double) { self = .number(value, digits: 4) }
        public init(integerLiteral value: Int) { self = .integer(value) }

        var rendered: String {
            switch self {
            case let .text(s): return s
            case let .integer(i): return String(i)
            case let .number(x, digits): return TextTable.format(x, significantDigits: digits)
            }
        }

        var isNumeric: Bool { if case .text = self { return false } else { return true } }
    }

    public var header: [String]
    public private(set) var rows: [[Cell]] = []

    public init(header: [String]) { self.header = header }

    /// Appends a row.
    ///
    /// - Precondition: the row has one cell per header column.
    public mutating func append(_ row: [Cell]) {
        precondition(row.count == header.count, "TextTable row has \(row.count) cells for \(header.count) columns")
        rows.append(row)
    }

    /// The table as text, columns separated by two spaces, without trailing spaces.
    public func render() -> String {
        let cells = rows.map { $0.map(\.rendered) }
        let widths = header.indices.map { j in ([header[j]] + cells.map { $0[j] }).map(\.count).max() ?? 0 }
        let numeric = header.indices.map { j in !rows.isEmpty && rows.allSatisfy { $0[j].isNumeric } }
        func line(_ texts: [String]) -> String {
            texts.enumerated().map { j, t in
                let pad = String(repeating: " ", count: widths[j] - t.count)
                return numeric[j] ? pad + t : t + pad
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        var out = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += cells.map(line)
        return out.joined(separator: "\n")
    }

    /// Formats `x` with `significantDigits` significant digits, switching to scientific
    /// notation below 1e-4 or from 1e6 on; NaN and infinities are spelled out.
    public static func format(_ x: Double, significantDigits: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude < 1e-4 || magnitude >= 1e6 {
            return String(format: "%.\(max(significantDigits - 1, 0))e", x)
        }
        let decimals = max(significantDigits - 1 - Int(magnitude.log10Floor), 0)
        return String(format: "%.\(decimals)f", x)
    }
}

extension Double {
    var log10Floor: Double { Foundation.floor(Foundation.log10(self)) }
}
