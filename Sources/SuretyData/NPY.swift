import Foundation
import SuretyNumerics

/// The element types of NPY files that Surety reads and writes.
public enum NPYElementType: String, Sendable, CaseIterable {
    case float64 = "<f8"
    case float32 = "<f4"
    case int64 = "<i8"

    var size: Int { self == .float32 ? 4 : 8 }
}

/// A numeric array from a NumPy `.npy` file, held as doubles.
public struct NPYArray: Sendable, Equatable {
    /// The shape, outermost dimension first (an empty shape is a scalar).
    public var shape: [Int]
    /// The elements in C (row-major) order, converted to `Double` exactly.
    public var values: [Double]
    /// The element type found in the file.
    public var elementType: NPYElementType

    public init(shape: [Int], values: [Double], elementType: NPYElementType = .float64) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the number of values")
        self.shape = shape
        self.values = values
        self.elementType = elementType
    }

    /// The array as a matrix: a 2-D array `(n, d)` becomes `n × d`; a 1-D array of length
    /// `n` becomes `n × 1`.
    ///
    /// - Throws: `NumericsError.dimensionMismatch` for arrays of other ranks.
    public func matrix() throws -> Matrix {
        switch shape.count {
        case 1: return try Matrix(rows: shape[0], columns: 1, columnMajor: values)
        case 2: return try Matrix(rows: shape[0], columns: shape[1], rowMajor: values)
        default:
            throw NumericsError.dimensionMismatch(operation: "NPY to matrix", seen: "an array of shape \(shape)", expected: "a 1-D or 2-D array")
        }
    }
}

/// Reading and writing NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// Supported: little-endian `float64`, `float32` and `int64`, in C or Fortran order, of any
/// rank. Anything else — big-endian data, other types, a truncated body, trailing bytes,
/// integers beyond 2⁵³ (which a double cannot hold exactly), non-finite values unless
/// allowed — is an error naming what was found.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the file at `url`.
    public static func read(url: URL, allowNonFinite: Bool = false) throws -> NPYArray {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(url, expected: "a readable .npy file")
        }
        return try decode([UInt8](data), name: url.path, allowNonFinite: allowNonFinite)
    }

    /// Decodes the bytes of an `.npy` file; `name` stands in for a file name in errors.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>", allowNonFinite: Bool = false) throws -> NPYArray {
        func fail(_ offset: Int, _ seen: String, _ expected: String) -> DataError {
            DataError(file: name, line: 1, column: offset + 1, seen: seen, expected: expected)
        }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail(0, bytes.count < 6 ? "\(bytes.count) bytes" : "no NPY magic string", "a file starting with \\x93NUMPY")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail(8, "a truncated header length", "4 bytes of header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail(6, "format version \(major).\(bytes[7])", "version 1.0, 2.0 or 3.0")
        }
        guard bytes.count >= headerStart + headerLength else {
            throw fail(bytes.count, "the file ending inside its header", "a header of \(headerLength) bytes")
        }
        guard let header = String(validating: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self) else {
            throw fail(headerStart, "a header that is not text", "an ASCII/UTF-8 header")
        }
        let fields = try parseHeader(header) { offset, seen, expected in fail(headerStart + offset, seen, expected) }
        guard let type = NPYElementType(rawValue: fields.descr) else {
            let hint = fields.descr.hasPrefix(">") ? " (this array is big-endian: save it with .astype('<f8'))" : ""
            throw fail(headerStart, "dtype \(quoted(fields.descr))", "'<f8', '<f4' or '<i8'" + hint)
        }
        let count = fields.shape.reduce(1, *)
        let bodyStart = headerStart + headerLength
        let expectedBytes = count * type.size
        guard bytes.count - bodyStart == expectedBytes else {
            throw fail(bodyStart, "\(bytes.count - bodyStart) bytes of data",
                       "\(expectedBytes) bytes for shape \(fields.shape) of \(type) (the file is \(bytes.count - bodyStart < expectedBytes ? "truncated" : "longer than its header says"))")
        }
        var values = [Double](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let offset = bodyStart + i * type.size
                let x: Double
                switch type {
                case .float64: x = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case .float32: x = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                case .int64:
                    let v = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                    guard v.magnitude <= 1 << 53 else {
                        throw fail(offset, "the integer \(v) at element \(i)", "integers of magnitude ≤ 2^53, which convert to double exactly")
                    }
                    x = Double(v)
                }
                if !x.isFinite && !allowNonFinite {
                    throw fail(offset, "the non-finite value \(x) at element \(i)", "finite values (NaN and infinities are rejected unless allowed)")
                }
                values[i] = x
            }
        }
        if fields.fortranOrder && fields.shape.count > 1 {
            values = fortranToC(values, shape: fields.shape)
        }
        return NPYArray(shape: fields.shape, values: values, elementType: type)
    }

    /// Reorders column-major (Fortran) elements into row-major (C) order.
    static func fortranToC(_ values: [Double], shape: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        var cStrides = [Int](repeating: 1, count: shape.count), fStrides = cStrides
        for k in stride(from: shape.count - 2, through: 0, by: -1) { cStrides[k] = cStrides[k + 1] * shape[k + 1] }
        for k in 1..<shape.count { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
        for c in 0..<values.count {
            var rest = c, f = 0
            for k in 0..<shape.count {
                let index = rest / cStrides[k]
                rest %= cStrides[k]
                f += index * fStrides[k]
            }
            out[c] = values[f]
        }
        return out
    }

    struct Header { var descr: String; var fortranOrder: Bool; var shape: [Int] }

    /// Parses the Python dict literal of an NPY header, e.g.
    /// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseHeader(_ text: String, fail: (Int, String, String) -> DataError) throws -> Header {
        let chars = Array(text.unicodeScalars)
        var i = 0
        func skipSpace() { while i < chars.count, chars[i].properties.isWhitespace { i += 1 } }
        func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard i < chars.count, chars[i] == c else {
                throw fail(i, i < chars.count ? quoted(String(chars[i])) : "the end of the header", quoted(String(c)))
            }
            i += 1
        }
        func string() throws -> String {
            skipSpace()
            guard i < chars.count, chars[i] == "'" || chars[i] == "\"" else {
                throw fail(i, i < chars.count ? quoted(String(chars[i])) : "the end of the header", "a quoted string")
            }
            let q = chars[i]; i += 1
            var s = ""
            while i < chars.count, chars[i] != q { s.unicodeScalars.append(chars[i]); i += 1 }
            guard i < chars.count else { throw fail(i, "an unterminated string", "a closing quote") }
            i += 1
            return s
        }
        var descr: String?, fortran: Bool?, shape: [Int]?
        try expect("{")
        while true {
            skipSpace()
            if i < chars.count, chars[i] == "}" { i += 1; break }
            let keyStart = i
            let key = try string()
            try expect(":")
            skipSpace()
            switch key {
            case "descr":
                descr = try string()
            case "fortran_order":
                if text.unicodeScalars.dropFirst(i).starts(with: "True".unicodeScalars) { fortran = true; i += 4 }
                else if text.unicodeScalars.dropFirst(i).starts(with: "False".unicodeScalars) { fortran = false; i += 5 }
                else { throw fail(i, "a value that is not True or False", "True or False for fortran_order") }
            case "shape":
                try expect("(")
                var dims = [Int]()
                while true {
                    skipSpace()
                    if i < chars.count, chars[i] == ")" { i += 1; break }
                    let start = i
                    while i < chars.count, chars[i].properties.numericType != nil { i += 1 }
                    guard let d = Int(String(String.UnicodeScalarView(chars[start..<i]))), d >= 0 else {
                        throw fail(start, "a malformed shape", "a tuple of non-negative integers such as (3, 4)")
                    }
                    dims.append(d)
                    skipSpace()
                    if i < chars.count, chars[i] == "," { i += 1 }
                }
                shape = dims
            default:
                throw fail(keyStart, "the key \(quoted(key))", "only 'descr', 'fortran_order' and 'shape'")
            }
            skipSpace()
            if i < chars.count, chars[i] == "," { i += 1 }
        }
        guard let descr, let fortran, let shape else {
            throw fail(0, "a header without " + [descr == nil ? "'descr'" : nil, fortran == nil ? "'fortran_order'" : nil, shape == nil ? "'shape'" : nil].compactMap { $0 }.joined(separator: ", "),
                       "all of 'descr', 'fortran_order' and 'shape'")
        }
        var total = 1
        for d in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 40 else { throw fail(0, "the shape \(shape)", "a shape with fewer than 2^40 elements") }
            total = product
        }
        return Header(descr: descr, fortranOrder: fortran, shape: shape)
    }

    /// Encodes an array as NPY version 1.0, C order, in the array's element type.
    ///
    /// - Throws: `DataError` when a value cannot be represented in the element type
    ///   (a non-integer or out-of-range value for `int64`).
    public static func encode(_ array: NPYArray) throws -> [UInt8] {
        let shapeText = array.shape.isEmpty ? "()" : array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.elementType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so that magic + version + length + header + "\n" is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        out.reserveCapacity(out.count + array.values.count * array.elementType.size)
        for (i, x) in array.values.enumerated() {
            switch array.elementType {
            case .float64: withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            case .float32: withUnsafeBytes(of: Float(x).bitPattern.littleEndian) { out.append(contentsOf: $0) }
            case .int64:
                guard let v = Int64(exactly: x) else {
                    throw DataError(file: "<npy encoder>", line: 1, column: 1, seen: "the value \(x) at element \(i)", expected: "an integer for an int64 array")
                }
                withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes an array to `url` atomically.
    public static func write(_ array: NPYArray, to url: URL) throws {
        try AtomicFileWriter.write(encode(array), to: url)
    }

    /// Writes a matrix as a 2-D float64 array of shape `(rows, columns)`.
    public static func write(_ matrix: Matrix, to url: URL) throws {
        try write(NPYArray(shape: [matrix.rows, matrix.columns], values: matrix.rowArrays.flatMap { $0 }), to: url)
    }
}
