/// An error raised by a numerical routine when its input breaks the routine's contract.
///
/// Every case says what was seen and what was expected, so that a person can act on it
/// without reading the source.
public enum NumericsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two operands have shapes that do not fit together.
    case dimensionMismatch(operation: String, seen: String, expected: String)
    /// An input held NaN or ±∞ where only finite numbers are allowed.
    case nonFinite(operation: String, row: Int, column: Int, value: Double)
    /// A symmetric matrix handed to a Cholesky factorization is not positive definite:
    /// its leading minor of order `order` is not positive.
    case notPositiveDefinite(order: Int)
    /// A matrix that must be invertible (or of full column rank) is not, to working precision.
    case singular(operation: String)
    /// A LAPACK routine returned a nonzero `info`.
    case lapackFailure(routine: String, info: Int)
    /// An argument lies outside the function's domain.
    case domain(function: String, value: String, expected: String)
    /// An iterative routine did not reach its tolerance.
    case noConvergence(function: String, detail: String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(operation, seen, expected):
            return "\(operation): shapes do not fit: saw \(seen), expected \(expected)"
        case let .nonFinite(operation, row, column, value):
            return "\(operation): entry (\(row), \(column)) is \(value); expected a finite number"
        case let .notPositiveDefinite(order):
            return "Cholesky: the leading minor of order \(order) is not positive; expected a symmetric positive-definite matrix"
        case let .singular(operation):
            return "\(operation): the matrix is singular (or rank-deficient) to working precision"
        case let .lapackFailure(routine, info):
            return "\(routine) failed with info = \(info)"
        case let .domain(function, value, expected):
            return "\(function): argument \(value) is outside the domain; expected \(expected)"
        case let .noConvergence(function, detail):
            return "\(function) did not converge: \(detail)"
        }
    }
}
