import Foundation
import SuretyData

/// The rules file format.
///
/// One item per line; `#` starts a comment that runs to the end of the line; blank lines are
/// ignored. Variables are declared before use, on lines that start with `variables:`,
/// `classes:` or `concepts:` followed by names separated by spaces or commas. A rule is a
/// formula followed by attributes:
///
///     classes:  stop yield
///     concepts: octagon triangle
///     stop => octagon            w=1.5   pc=shape
///     yield => triangle          w=1.5   pc=shape
///     stop & yield => octagon    w=hard  pc=shape
///     stop => !triangle          w=2
///     octagon | triangle         w=0.5   pc=shape
///
/// * formula: `l₁ & … & l_k => m₁ | … | m_n`, or a clause `m₁ | … | m_n` (one literal is a
///   unit clause); a literal is `name` or `!name`;
/// * `w=` (required): a finite weight `≥ 0` or `hard`;
/// * `pc=` (optional): the circuit the rule belongs to, ``KnowledgeBase/defaultCircuit`` if absent.
///
/// Names are letters, digits, `_`, `.` and `-`. Every error is a ``DataError`` with the
/// line and column of the offending text.
extension KnowledgeBase {
    /// Parses rules-file text. `file` is the name used in error messages.
    public static func parse(_ text: String, file: String = "<rules>") throws -> KnowledgeBase {
        var parser = RulesParser(file: file)
        // Split on scalars: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for (offset, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            try parser.parse(line: Array(line), number: offset + 1)
        }
        return try KnowledgeBase(variables: parser.variables, rules: parser.rules)
    }

    /// Reads and parses a rules file.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(url, expected: "a readable rules file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError(file: url.path, line: 1, column: 1, seen: "bytes that are not UTF-8", expected: "a UTF-8 text file")
        }
        self = try KnowledgeBase.parse(text, file: url.path)
    }

    /// The knowledge base in the rules file format (parses back to an equal knowledge base).
    public var rulesText: String {
        var lines: [String] = []
        for role in [Role.variable, .class, .concept] {
            let names = variables.filter { $0.role == role }.map(\.name)
            if !names.isEmpty { lines.append("\(RulesParser.keyword(for: role)): \(names.joined(separator: " "))") }
        }
        func text(_ l: Literal) -> String { (l.isPositive ? "" : "!") + variables[l.variable].name }
        for rule in rules {
            var formula = rule.consequent.map(text).joined(separator: " | ")
            if !rule.antecedent.isEmpty { formula = rule.antecedent.map(text).joined(separator: " & ") + " => " + formula }
            let weight: String
            switch rule.weight {
            case .hard: weight = "hard"
            case .soft(let w): weight = "\(w)"
            }
            lines.append("\(formula)  w=\(weight)  pc=\(rule.circuit)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Line-by-line parser state for the rules format.
struct RulesParser {
    let file: String
    var variables: [KnowledgeBase.Variable] = []
    var rules: [Rule] = []
    private var index: [String: Int] = [:]

    init(file: String) { self.file = file }

    static func keyword(for role: KnowledgeBase.Role) -> String {
        switch role {
        case .variable: return "variables"
        case .class: return "classes"
        case .concept: return "concepts"
        }
    }

    private enum Token {
        case name(String), not, and, or, implies, attribute(key: String, value: String, valueColumn: Int)
    }

    private func error(_ line: Int, _ column: Int, _ seen: String, _ expected: String) -> DataError {
        DataError(file: file, line: line, column: column, seen: seen, expected: expected)
    }

    mutating func parse(line raw: [Unicode.Scalar], number: Int) throws {
        var chars = raw
        if let hash = chars.firstIndex(of: "#") { chars = Array(chars[..<hash]) }
        if chars.last == "\r" { chars.removeLast() }
        var i = 0
        func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        func readName() -> String {
            let start = i
            while i < chars.count, KnowledgeBase.isNameScalar(chars[i]) { i += 1 }
            return String(String.UnicodeScalarView(chars[start..<i]))
        }
        func describe(at k: Int) -> String {
            k < chars.count ? "'\(String(String.UnicodeScalarView(chars[k...].prefix(12))))'" : "the end of the line"
        }
        skipSpace()
        guard i < chars.count else { return }

        // Declaration?
        let lineStart = i
        let first = readName()
        var j = i
        while j < chars.count, chars[j] == " " || chars[j] == "\t" { j += 1 }
        if !first.isEmpty, j < chars.count, chars[j] == ":" {
            let roles: [String: KnowledgeBase.Role] = ["variables": .variable, "classes": .class, "concepts": .concept]
            guard let role = roles[first] else {
                throw error(number, lineStart + 1, "'\(first):'", "'variables:', 'classes:' or 'concepts:' to declare names, or a rule")
            }
            i = j + 1
            var declared = 0
            while true {
                while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "," { i += 1 }
                if i == chars.count { break }
                let column = i + 1
                let name = readName()
                guard !name.isEmpty else { throw error(number, column, describe(at: i), "a variable name (letters, digits, '_', '.', '-')") }
                guard index[name] == nil else {
                    throw error(number, column, "'\(name)' declared a second time", "each variable declared once")
                }
                index[name] = variables.count
                variables.append(KnowledgeBase.Variable(name: name, role: role))
                declared += 1
            }
            guard declared > 0 else { throw error(number, j + 2, "no names after '\(first):'", "at least one variable name") }
            return
        }
        i = lineStart

        // Rule: tokens first.
        var tokens: [(token: Token, column: Int)] = []
        while true {
            skipSpace()
            if i == chars.count { break }
            let column = i + 1
            switch chars[i] {
            case "!": tokens.append((.not, column)); i += 1
            case "&": tokens.append((.and, column)); i += 1
            case "|": tokens.append((.or, column)); i += 1
            case "=" where i + 1 < chars.count && chars[i + 1] == ">": tokens.append((.implies, column)); i += 2
            case let c where KnowledgeBase.isNameScalar(c):
                let name = readName()
                if i < chars.count, chars[i] == "=", !(i + 1 < chars.count && chars[i + 1] == ">") {
                    i += 1
                    let valueColumn = i + 1
                    let start = i
                    while i < chars.count, chars[i] != " ", chars[i] != "\t" { i += 1 }
                    tokens.append((.attribute(key: name, value: String(String.UnicodeScalarView(chars[start..<i])), valueColumn: valueColumn), column))
                } else {
                    tokens.append((.name(name), column))
                }
            default:
                throw error(number, column, describe(at: i), "a variable name, '!', '&', '|', '=>' or an attribute such as 'w=1.5'")
            }
        }

        // Formula.
        var sides: [[Literal]] = [[]]
        var sideOps: [Token?] = [nil]
        var k = 0
        var expectLiteral = true
        formula: while k < tokens.count {
            let (token, column) = tokens[k]
            switch token {
            case .not, .name:
                guard expectLiteral else { throw error(number, column, "another literal", "'&', '|' or '=>' between literals") }
                var positive = true
                if case .not = token {
                    k += 1
                    guard k < tokens.count, case .name = tokens[k].token else {
                        throw error(number, k < tokens.count ? tokens[k].column : chars.count + 1,
                                    k < tokens.count ? "something else after '!'" : "the end of the line", "a variable name after '!'")
                    }
                    positive = false
                }
                guard case .name(let name) = tokens[k].token else { fatalError("unreachable") }
                guard let v = index[name] else {
                    throw error(number, tokens[k].column, "unknown variable '\(name)'",
                                "a name declared earlier on a 'variables:', 'classes:' or 'concepts:' line")
                }
                sides[sides.count - 1].append(Literal(v, isPositive: positive))
                expectLiteral = false
                k += 1
            case .and, .or:
                let symbol = { if case .and = token { return "&" } else { return "|" } }()
                guard !expectLiteral else { throw error(number, column, "'\(symbol)'", "a literal") }
                if let previous = sideOps[sideOps.count - 1] {
                    let same: Bool
                    switch (previous, token) {
                    case (.and, .and), (.or, .or): same = true
                    default: same = false
                    }
                    guard same else {
                        throw error(number, column, "'&' and '|' mixed on one side", "'a & b => c | d' (conjunction left of '=>', disjunction right)")
                    }
                }
                sideOps[sideOps.count - 1] = token
                expectLiteral = true
                k += 1
            case .implies:
                guard !expectLiteral else { throw error(number, column, "'=>'", "a literal before '=>'") }
                guard sides.count == 1 else { throw error(number, column, "a second '=>'", "one implication per rule") }
                if case .or = sideOps[0] {
                    throw error(number, column, "'|' left of '=>'", "a conjunction 'a & b' left of '=>'")
                }
                sides.append([])
                sideOps.append(nil)
                expectLiteral = true
                k += 1
            case .attribute:
                break formula
            }
        }
        let end = k < tokens.count ? tokens[k].column : chars.count + 1
        if expectLiteral {
            throw error(number, end, k < tokens.count ? "an attribute" : "the end of the line", "a literal")
        }
        if sides.count == 2, case .and = sideOps[1] ?? .or {
            throw error(number, end, "'&' right of '=>'", "a disjunction 'c | d' right of '=>' (or one rule per consequent)")
        }
        if sides.count == 1, case .and = sideOps[0] ?? .or {
            throw error(number, end, "a conjunction without '=>'", "an implication 'a & b => c' or a clause 'a | b'")
        }

        // Attributes.
        var weight: RuleWeight?
        var circuit: String?
        while k < tokens.count {
            guard case let .attribute(key, value, valueColumn) = tokens[k].token else {
                throw error(number, tokens[k].column, "formula text after the attributes", "attributes ('w=…', 'pc=…') at the end of the rule")
            }
            switch key {
            case "w":
                guard weight == nil else { throw error(number, tokens[k].column, "a second 'w='", "one weight per rule") }
                if value == "hard" {
                    weight = .hard
                } else if let w = Double(value), w.isFinite, w >= 0, value.unicodeScalars.allSatisfy({ "0123456789.eE+-".unicodeScalars.contains($0) }) {
                    weight = .soft(w)
                } else {
                    throw error(number, valueColumn, "weight '\(value)'", "a finite number ≥ 0 or 'hard'")
                }
            case "pc":
                guard circuit == nil else { throw error(number, tokens[k].column, "a second 'pc='", "one circuit per rule") }
                guard KnowledgeBase.isValidName(value) else {
                    throw error(number, valueColumn, "circuit name '\(value)'", "a name of letters, digits, '_', '.' or '-'")
                }
                circuit = value
            default:
                throw error(number, tokens[k].column, "attribute '\(key)='", "'w=' (weight) or 'pc=' (circuit)")
            }
            k += 1
        }
        guard let weight else { throw error(number, chars.count + 1, "no weight", "'w=<number ≥ 0>' or 'w=hard' after the rule") }
        let location = SourceLocation(file: file, line: number, column: lineStart + 1)
        let rule = sides.count == 2
            ? Rule(antecedent: sides[0], consequent: sides[1], weight: weight, circuit: circuit ?? KnowledgeBase.defaultCircuit, source: location)
            : Rule(consequent: sides[0], weight: weight, circuit: circuit ?? KnowledgeBase.defaultCircuit, source: location)
        rules.append(rule)
    }
}
