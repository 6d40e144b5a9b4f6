import SuretyNumerics

/// Labelled points for halfspace learning: `n` rows of `d` coordinates (row-major, the layout
/// the per-sample loops of SGD and the tests read) and labels `±1`.
public struct LabeledSample: Sendable, Equatable {
    public let count: Int
    public let dimension: Int
    /// Row `i` is `values[i·d ..< (i+1)·d]`.
    public let values: [Double]
    /// `+1` or `−1`.
    public let labels: [Double]

    /// - Throws: `NumericsError` for `d < 1`, mismatched sizes, labels other than ±1 or
    ///   non-finite values.
    public init(dimension d: Int, values: [Double], labels: [Double]) throws {
        guard d >= 1 else { throw NumericsError.domain(function: "labelled sample", value: "d = \(d)", expected: "d ≥ 1") }
        guard values.count == labels.count * d else {
            throw NumericsError.dimensionMismatch(operation: "labelled sample", seen: "\(values.count) values for \(labels.count) labels",
                                                  expected: "\(labels.count * d) (d = \(d))")
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "labelled sample", row: k / d, column: k % d, value: values[k])
        }
        if let i = labels.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw NumericsError.domain(function: "labelled sample", value: "label \(labels[i]) in row \(i + 1)", expected: "+1 or −1")
        }
        count = labels.count
        dimension = d
        self.values = values
        self.labels = labels
    }

    /// From a points matrix (rows are points).
    public init(points: Matrix, labels: [Double]) throws {
        try self.init(dimension: points.columns, values: points.rowArrays.flatMap { $0 }, labels: labels)
    }

    /// Row `i`.
    @inlinable public func point(_ i: Int) -> ArraySlice<Double> { values[(i * dimension)..<((i + 1) * dimension)] }

    /// `⟨w, x_i⟩`.
    @inlinable public func projection(_ i: Int, onto w: [Double]) -> Double {
        var s = 0.0
        let base = i * dimension
        for j in 0..<dimension { s += w[j] * values[base + j] }
        return s
    }

    /// The rows in `range` (contiguous: splits are taken after one shuffle).
    public func rows(_ range: Range<Int>) -> LabeledSample {
        // The slice of a valid sample is valid: no checks needed.
        LabeledSample(unchecked: dimension, Array(values[(range.lowerBound * dimension)..<(range.upperBound * dimension)]),
                      Array(labels[range]))
    }

    init(unchecked d: Int, _ values: [Double], _ labels: [Double]) {
        count = labels.count
        dimension = d
        self.values = values
        self.labels = labels
    }

    /// The fraction of rows where `sign(⟨w, x⟩)` (with `sign(0) = +1`) differs from the label.
    public func error(of w: [Double]) -> Double {
        var wrong = 0
        for i in 0..<count where (projection(i, onto: w) >= 0 ? 1.0 : -1.0) != labels[i] { wrong += 1 }
        return Double(wrong) / Double(max(count, 1))
    }

    /// The sample with its rows in a random order (for splitting).
    public func shuffled(using generator: inout some RandomNumberGenerator) -> LabeledSample {
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var v = [Double](), l = [Double]()
        v.reserveCapacity(values.count)
        l.reserveCapacity(count)
        for i in order {
            v += point(i)
            l.append(labels[i])
        }
        return LabeledSample(unchecked: dimension, v, l)
    }
}
