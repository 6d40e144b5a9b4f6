import SuretyNumerics

/// Which datasets count as neighbours — the unit of privacy. Stored with every structure.
public enum NeighbourRelation: String, Sendable, Hashable, CaseIterable {
    /// Add or remove one row (unbounded DP; the default, as in OpenDP, Tumult and Google's
    /// libraries). One row changes each tree level's counts by 1 in ℓ1; `n` is private.
    case addRemove = "add-remove"
    /// Replace one row (bounded DP): one decrement and one increment per level, ℓ1 change 2;
    /// `n` is public.
    case replaceOne = "replace-one"

    /// The ℓ1 change of one tree level's counts between neighbours.
    public var levelSensitivity: Int { self == .addRemove ? 1 : 2 }
}

/// A public, data-independent interval `[lower, upper]` for one coordinate.
public struct PublicInterval: Sendable, Hashable {
    public let lower: Double
    public let upper: Double

    /// - Throws: `NumericsError.domain` unless `lower < upper`, both finite, and the width
    ///   `upper − lower` is finite too (`[−10³⁰⁸, 10³⁰⁸]` is not: every leaf index and scaled
    ///   value computed from it would be ∞ or NaN).
    public init(_ lower: Double, _ upper: Double) throws {
        guard lower.isFinite, upper.isFinite, lower < upper, (upper - lower).isFinite else {
            throw NumericsError.domain(function: "public domain", value: "[\(lower), \(upper)]",
                                       expected: "finite bounds with lower < upper and a finite width upper − lower")
        }
        self.lower = lower
        self.upper = upper
    }

    public var width: Double { upper - lower }

    /// Whether the interval can be cut into `2^levels` leaves of a normal (not subnormal, not
    /// zero) width: narrower leaves make the ring radii of the ℓ1 query stop growing (a query
    /// that never ends), so builders and readers refuse them.
    func allowsLeaves(levels: Int) -> Bool {
        width / Double(1 << levels) >= Double.leastNormalMagnitude
    }

    /// `v` clamped into the interval (clamping is data-independent, so it costs no privacy; it
    /// only changes accuracy for values outside the declared domain).
    public func clamp(_ v: Double) -> Double { min(max(v, lower), upper) }

    /// Every column of `points` clamped to its interval.
    public static func clamped(_ points: Matrix, by box: [PublicInterval]) throws -> Matrix {
        try mapped(points, by: box) { interval, v in interval.clamp(v) }
    }

    /// Every column of `points` clamped to its interval and mapped affinely onto `[0, 1]`.
    public static func unitScaled(_ points: Matrix, by box: [PublicInterval]) throws -> Matrix {
        try mapped(points, by: box) { interval, v in (interval.clamp(v) - interval.lower) / interval.width }
    }

    private static func mapped(_ points: Matrix, by box: [PublicInterval], _ f: (PublicInterval, Double) -> Double) throws -> Matrix {
        guard box.count == points.columns else {
            throw NumericsError.dimensionMismatch(operation: "public domain", seen: "points with \(points.columns) coordinates",
                                                  expected: "\(box.count), one per interval")
        }
        let n = points.rows
        var values = points.storage
        for (j, interval) in box.enumerated() {
            for i in 0..<n { values[j * n + i] = f(interval, values[j * n + i]) }
        }
        return try Matrix(rows: n, columns: points.columns, columnMajor: values)
    }
}

/// The checks every private builder makes before touching the data.
enum ReleaseChecks {
    /// `ε` must be finite and positive. (Tools refuse ε above 100, where `e^ε > 10^43` and the
    /// statement protects nothing; the library accepts any finite ε, which tests use to make the
    /// noise negligible.)
    static func epsilon(_ epsilon: Double, _ operation: String) throws {
        guard epsilon > 0, epsilon.isFinite else {
            throw NumericsError.domain(function: operation, value: "ε = \(epsilon)", expected: "a finite ε > 0")
        }
    }

    /// Every value finite, and (when given) one public interval per coordinate.
    static func points(_ points: Matrix, domains: [PublicInterval]? = nil, _ operation: String) throws {
        if let domains, domains.count != points.columns {
            throw NumericsError.dimensionMismatch(operation: operation, seen: "\(domains.count) domains for \(points.columns) coordinates",
                                                  expected: "one public interval per coordinate")
        }
        if let k = points.storage.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: operation, row: k % max(points.rows, 1), column: k / max(points.rows, 1),
                                          value: points.storage[k])
        }
    }
}
