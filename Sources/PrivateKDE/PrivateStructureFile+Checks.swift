import Certificates
import SuretyData

/// The checks every reader of a ``PrivateStructureFile`` makes on the fields it uses, before
/// computing anything with them, with each refusal located in the file (line 1, the column is
/// the byte offset + 1, as for every error of the format): a header field at the header's first
/// byte, a body value at its own eight bytes.
///
/// The checksum only proves that a file is the one its writer wrote, not that the writer was
/// Surety: a file edited by hand (or by an attacker) and re-checksummed must end in a
/// ``DataError``, never in a trap or a query that does not end. So every number is checked to be
/// finite and in its range, every integer-valued body entry to be an integer small enough that
/// the sums a query takes of them cannot overflow, and every product of header integers that
/// sizes the body is computed with overflow checks before it is compared with the body's length.
struct StructureFileChecks {
    let header: [String: JSONValue]
    let body: [Double]
    let name: String
    let kind: String
    /// The byte offset of the first body value.
    let bodyOffset: Int

    /// The largest magnitude of an integer-valued body entry (a noisy count or a noisy integer
    /// sum): `2⁵⁷`, so that a query's sum of up to `2L = 48` of them fits in 64 bits. A build
    /// never writes more: counts are at most `n` plus noise below `2⁴⁵`, and prefix sums of leaf
    /// centres at most `n·2²¹` (`n < 2³⁶` rows).
    static let integerLimit = Double(Int64(1) << 57)

    /// - Parameter bytes: the file, already accepted by ``PrivateStructureFile/decode(_:name:)``.
    init(bytes: [UInt8], header: [String: JSONValue], body: [Double], name: String, kind: String) {
        self.header = header
        self.body = body
        self.name = name
        self.kind = kind
        bodyOffset = 16 + Int(UInt32(littleEndian: bytes[12..<16])) + 8
    }

    /// An error about the header field `key`.
    func headerError(_ key: String, _ seen: String, expected: String) -> DataError {
        DataError(file: name, line: 1, column: 17, seen: "header field '\(key)' \(seen)", expected: "\(expected) (a '\(kind)' file)")
    }

    /// An error about body value `index`.
    func bodyError(at index: Int, _ seen: String, expected: String) -> DataError {
        DataError(file: name, line: 1, column: bodyOffset + 8 * index + 1, seen: "body value \(index) \(seen)",
                  expected: "\(expected) (a '\(kind)' file)")
    }

    /// The integer header field `key`, which must lie in `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = header[key] else { throw headerError(key, "missing", expected: "an integer in \(range)") }
        guard let n = value.intValue, range.contains(n) else { throw headerError(key, "= \(value)", expected: "an integer in \(range)") }
        return n
    }

    /// The number header field `key`, which must be finite and pass `valid` (described by `expected`).
    func number(_ key: String, _ expected: String = "a finite number", where valid: (Double) -> Bool = { _ in true }) throws -> Double {
        guard let value = header[key] else { throw headerError(key, "missing", expected: expected) }
        guard let x = value.doubleValue, x.isFinite, valid(x) else { throw headerError(key, "= \(value)", expected: expected) }
        return x
    }

    /// `a·b` and sums of such products, `nil` on overflow: the body lengths a header implies.
    static func product(_ factors: Int...) -> Int? {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            result = p
        }
        return result
    }

    static func sum(_ terms: Int?...) -> Int? {
        var result = 0
        for t in terms {
            guard let t else { return nil }
            let (s, overflow) = result.addingReportingOverflow(t)
            if overflow { return nil }
            result = s
        }
        return result
    }

    /// Refuses a body whose length is not `expected` (`nil`: the header's sizes overflow).
    func bodyCount(_ expected: Int?, _ what: @autoclosure () -> String) throws {
        guard let expected, body.count == expected else {
            throw DataError(file: name, line: 1, column: bodyOffset - 7,
                            seen: "\(body.count) body values", expected: "\(expected.map(String.init) ?? "more than 2⁶³") for \(what()) (a '\(kind)' file)")
        }
    }

    /// The body values in `range` as 64-bit integers: each must be an integer of magnitude at
    /// most ``integerLimit``.
    func integers(_ range: Range<Int>) throws -> [Int64] {
        try range.map { k in
            let x = body[k]
            guard x == x.rounded(), abs(x) <= Self.integerLimit else {
                throw bodyError(at: k, "= \(x)", expected: "an integer count or sum of magnitude at most 2^57")
            }
            return Int64(x)
        }
    }

    /// The body values in `range`, each finite.
    func finite(_ range: Range<Int>) throws -> [Double] {
        if let k = range.first(where: { !body[$0].isFinite }) { throw bodyError(at: k, "= \(body[k])", expected: "a finite number") }
        return Array(body[range])
    }
}
