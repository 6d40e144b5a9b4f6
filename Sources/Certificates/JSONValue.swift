/// A JSON value, the currency of certificate fields (`parameters`, `results`, `evidence`).
///
/// Numbers keep their kind (`integer` or `number`) for faithful printing, but compare by
/// value: `.integer(3) == .number(3.0)`. JSON has no NaN or infinities; they are written as
/// the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, which `doubleValue` reads back and
/// which compare equal to the numbers they stand for.
public enum JSONValue: Sendable, Codable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value as a double: numbers, and the strings that stand for non-finite numbers.
    public var doubleValue: Double? {
        switch self {
        case let .integer(i): return Double(i)
        case let .number(x): return x
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }

    /// The value as an integer, when it is one exactly.
    public var intValue: Int? {
        switch self {
        case let .integer(i): return i
        case let .number(x): return Int(exactly: x)
        default: return nil
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    public var objectValue: [String: JSONValue]? { if case let .object(o) = self { return o } else { return nil } }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x == y
        case (.integer, _), (.number, _), (_, .integer), (_, .number):
            // Numbers compare by value; "NaN"/"Infinity"/"-Infinity" equal their numbers.
            guard let x = a.doubleValue, let y = b.doubleValue else { return false }
            return x == y || (x.isNaN && y.isNaN)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(b): hasher.combine(b)
        case .integer, .number: hasher.combine(doubleValue!)
        case let .string(s): if let x = doubleValue { hasher.combine(x) } else { hasher.combine(s) }
        case let .array(a): hasher.combine(a)
        case let .object(o): hasher.combine(o)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .integer(i) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .integer(i): try c.encode(i)
        case let .number(x):
            if x.isFinite { try c.encode(x) } else { try c.encode(JSONValue.nonFiniteName(x)) }
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    static func nonFiniteName(_ x: Double) -> String { x.isNaN ? "NaN" : (x > 0 ? "Infinity" : "-Infinity") }

    /// The canonical text: object keys sorted, numbers in shortest round-trip form,
    /// two-space indentation, arrays of scalars on one line.
    public var description: String { CanonicalJSON.render(self) }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// Wraps an array of doubles.
    public init(_ values: [Double]) { self = .array(values.map(JSONValue.number)) }
    /// Wraps an array of integers.
    public init(_ values: [Int]) { self = .array(values.map(JSONValue.integer)) }
}

/// Writes JSON in one canonical form, so that the same certificate always has the same bytes.
enum CanonicalJSON {
    static func render(_ value: JSONValue, indent: Int = 0) -> String {
        var out = ""
        write(value, indent: indent, into: &out)
        return out
    }

    static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .integer(i): out += String(i)
        case let .number(x): out += x.isFinite ? number(x) : string(JSONValue.nonFiniteName(x))
        case let .string(s): out += string(s)
        case let .array(a):
            if a.isEmpty { out += "[]"; return }
            if a.allSatisfy(\.isScalar) {
                out += "["
                for (k, v) in a.enumerated() {
                    if k > 0 { out += ", " }
                    write(v, indent: indent, into: &out)
                }
                out += "]"
            } else {
                out += "[\n"
                for (k, v) in a.enumerated() {
                    out += String(repeating: "  ", count: indent + 1)
                    write(v, indent: indent + 1, into: &out)
                    out += k + 1 < a.count ? ",\n" : "\n"
                }
                out += String(repeating: "  ", count: indent) + "]"
            }
        case let .object(o):
            writeObject(o.sorted { $0.key < $1.key }.map { ($0.key, .value($0.value)) }, indent: indent, into: &out)
        }
    }

    /// A member of an object being written: a value, or text already in JSON form
    /// (for numbers `JSONValue` cannot hold, such as a `UInt64` seed).
    enum Member {
        case value(JSONValue)
        case raw(String)
    }

    /// An object whose members appear in the given order.
    static func writeObject(_ members: [(key: String, member: Member)], indent: Int, into out: inout String) {
        if members.isEmpty { out += "{}"; return }
        out += "{\n"
        for (k, entry) in members.enumerated() {
            out += String(repeating: "  ", count: indent + 1) + string(entry.key) + ": "
            switch entry.member {
            case let .value(v): write(v, indent: indent + 1, into: &out)
            case let .raw(text): out += text
            }
            out += k + 1 < members.count ? ",\n" : "\n"
        }
        out += String(repeating: "  ", count: indent) + "}"
    }

    /// Swift's shortest round-trip form is valid JSON for finite doubles ("1e-05", "0.1", "3.0").
    static func number(_ x: Double) -> String { x == 0 ? (x.sign == .minus ? "-0.0" : "0.0") : "\(x)" }

    static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }
}
