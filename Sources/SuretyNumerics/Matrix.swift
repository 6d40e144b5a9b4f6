/// A dense real matrix stored column-major, the layout BLAS and LAPACK expect.
///
/// Entry `(i, j)` lives at `storage[i + j * rows]`. The value type has copy-on-write
/// semantics through its backing array, so passing a `Matrix` around is cheap.
/// Construction never fails silently: shapes that do not match the data throw.
public struct Matrix: Sendable, Equatable, Hashable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The entries in column-major order; `storage.count == rows * columns`.
    public internal(set) var storage: [Double]

    /// Creates a `rows × columns` matrix with every entry equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// Creates a matrix from entries given in column-major order.
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when `columnMajor.count != rows * columns`.
    public init(rows: Int, columns: Int, columnMajor: [Double]) throws {
        guard rows >= 0, columns >= 0, columnMajor.count == rows * columns else {
            throw NumericsError.dimensionMismatch(
                operation: "Matrix(rows:columns:columnMajor:)",
                seen: "\(columnMajor.count) entries",
                expected: "\(rows) × \(columns) = \(rows * columns) entries")
        }
        self.rows = rows
        self.columns = columns
        self.storage = columnMajor
    }

    /// Creates a matrix from entries given in row-major order (the order one writes them).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` when `rowMajor.count != rows * columns`.
    public init(rows: Int, columns: Int, rowMajor: [Double]) throws {
        guard rows >= 0, columns >= 0, rowMajor.count == rows * columns else {
            throw NumericsError.dimensionMismatch(
                operation: "Matrix(rows:columns:rowMajor:)",
                seen: "\(rowMajor.count) entries",
                expected: "\(rows) × \(columns) = \(rows * columns) entries")
        }
        var m = Matrix(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { m.storage[i + j * rows] = rowMajor[i * columns + j] }
        }
        self = m
    }

    /// Creates a matrix from a list of rows of equal length.
    ///
    /// - Throws: `NumericsError.dimensionMismatch` for ragged rows.
    public init(_ rowList: [[Double]]) throws {
        let columns = rowList.first?.count ?? 0
        for (i, row) in rowList.enumerated() where row.count != columns {
            throw NumericsError.dimensionMismatch(
                operation: "Matrix(_:)", seen: "row \(i) with \(row.count) entries",
                expected: "\(columns) entries like row 0")
        }
        try self.init(rows: rowList.count, columns: columns, rowMajor: rowList.flatMap { $0 })
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = 1 }
        return m
    }

    /// The square matrix with `values` on its diagonal and zeros elsewhere.
    public static func diagonal(_ values: [Double]) -> Matrix {
        let n = values.count
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = values[i] }
        return m
    }

    /// The `n × 1` matrix holding `vector`.
    public static func column(_ vector: [Double]) -> Matrix {
        Matrix(unchecked: vector.count, 1, vector)
    }

    /// Internal initializer for storage whose size the caller has already checked.
    init(unchecked rows: Int, _ columns: Int, _ storage: [Double]) {
        assert(storage.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Whether the matrix is square.
    public var isSquare: Bool { rows == columns }

    /// The entry in row `i`, column `j` (both zero-based). Out-of-range indices trap,
    /// as for arrays.
    public subscript(i: Int, j: Int) -> Double {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Matrix index out of range")
            return storage[i + j * rows]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Matrix index out of range")
            storage[i + j * rows] = newValue
        }
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] {
        precondition(j >= 0 && j < columns, "Matrix column out of range")
        return Array(storage[(j * rows)..<((j + 1) * rows)])
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < rows, "Matrix row out of range")
        return (0..<columns).map { storage[i + $0 * rows] }
    }

    /// The rows of the matrix, each as an array.
    public var rowArrays: [[Double]] { (0..<rows).map(row) }

    /// The diagonal entries.
    public var diagonal: [Double] { (0..<min(rows, columns)).map { storage[$0 + $0 * rows] } }

    /// The submatrix made of the given row and column ranges.
    public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
        precondition(rowRange.lowerBound >= 0 && rowRange.upperBound <= rows, "row range out of bounds")
        precondition(columnRange.lowerBound >= 0 && columnRange.upperBound <= columns, "column range out of bounds")
        var out = [Double]()
        out.reserveCapacity(rowRange.count * columnRange.count)
        for j in columnRange {
            out.append(contentsOf: storage[(rowRange.lowerBound + j * rows)..<(rowRange.upperBound + j * rows)])
        }
        return Matrix(unchecked: rowRange.count, columnRange.count, out)
    }

    /// The matrix made of the rows at `indices`, in that order (repeats allowed).
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, columns: columns)
        for j in 0..<columns {
            for (k, i) in indices.enumerated() { out.storage[k + j * indices.count] = storage[i + j * rows] }
        }
        return out
    }

    /// The matrix made of the columns at `indices`, in that order (repeats allowed).
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(rows * indices.count)
        for j in indices { out.append(contentsOf: storage[(j * rows)..<((j + 1) * rows)]) }
        return Matrix(unchecked: rows, indices.count, out)
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        storage.withUnsafeBufferPointer { a in
            t.storage.withUnsafeMutableBufferPointer { b in
                for j in 0..<columns {
                    for i in 0..<rows { b[j + i * columns] = a[i + j * rows] }
                }
            }
        }
        return t
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { storage.allSatisfy(\.isFinite) }

    /// Throws `NumericsError.nonFinite` naming the first NaN or infinite entry.
    public func requireFinite(_ operation: String) throws {
        if let k = storage.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: operation, row: k % max(rows, 1), column: k / max(rows, 1), value: storage[k])
        }
    }

    /// The Frobenius norm, computed without overflow for large entries.
    public var frobeniusNorm: Double { storage.euclideanNorm }

    /// The largest absolute entry (the max norm); zero for an empty matrix, NaN if any entry is NaN.
    public var maxAbsoluteEntry: Double {
        storage.reduce(0) { m, x in x.isNaN ? .nan : Swift.max(m, abs(x)) }
    }

    /// Whether the matrix is square and equals its transpose within `tolerance`
    /// relative to its largest entry. NaN entries make the answer `false`.
    ///
    /// - Complexity: O(n²), in cache-sized blocks so that the transposed accesses stay cheap.
    public func isSymmetric(tolerance: Double = 1e-12) -> Bool {
        guard isSquare else { return false }
        let n = rows
        let scale = Swift.max(maxAbsoluteEntry, Double.leastNormalMagnitude)
        let limit = tolerance * scale
        let block = 32
        return storage.withUnsafeBufferPointer { a in
            for jb in stride(from: 0, to: n, by: block) {
                for ib in stride(from: jb, to: n, by: block) {
                    for j in jb..<Swift.min(jb + block, n) {
                        // Strictly below the diagonal, within the row block.
                        let first = Swift.max(ib, j + 1), last = Swift.min(ib + block, n)
                        guard first < last else { continue }
                        for i in first..<last {
                            // `!(≤)` so that NaN counts as asymmetric.
                            if !(abs(a[i + j * n] - a[j + i * n]) <= limit) { return false }
                        }
                    }
                }
            }
            return true
        }
    }

    func requireSameShape(_ other: Matrix, _ operation: String) {
        precondition(rows == other.rows && columns == other.columns,
                     "\(operation): shapes \(rows)×\(columns) and \(other.rows)×\(other.columns) differ")
    }

    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        lhs.requireSameShape(rhs, "+")
        return Matrix(unchecked: lhs.rows, lhs.columns, zip(lhs.storage, rhs.storage).map(+))
    }

    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        lhs.requireSameShape(rhs, "-")
        return Matrix(unchecked: lhs.rows, lhs.columns, zip(lhs.storage, rhs.storage).map(-))
    }

    public static func * (scalar: Double, matrix: Matrix) -> Matrix {
        Matrix(unchecked: matrix.rows, matrix.columns, matrix.storage.map { scalar * $0 })
    }

    public static prefix func - (matrix: Matrix) -> Matrix { -1 * matrix }
}

extension Matrix: CustomStringConvertible {
    /// The matrix as rows of numbers, for debugging and test messages.
    public var description: String {
        "Matrix \(rows)×\(columns)\n" + rowArrays.map { $0.map { "\($0)" }.joined(separator: "  ") }.joined(separator: "\n")
    }
}
