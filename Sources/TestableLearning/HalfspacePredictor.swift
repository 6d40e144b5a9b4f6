import Certificates
import Foundation
import SuretyData

/// The halfspace a `halfspace.tester-learner` certificate records, ready to score new rows:
/// `score(x) = ⟨w, z⟩ + b` with `z = W(x − m̂)` when the run standardized (else `z = x`)
/// and `b = 0` without an intercept; the prediction is the positive label iff `score ≥ 0`.
///
/// Reading a certificate checks its kind and that the weights, the standardization and the
/// feature columns agree in dimension. It does not re-check the certificate's claim (that is
/// `halfspace verify`).
public struct HalfspacePredictor: Sendable, Equatable {
    public var weights: [Double]
    public var intercept: Double
    public var standardization: Standardization?
    /// The columns the rows must hold, in the order of `weights` (`x1…xd` for the embedded example).
    public var featureColumns: [String]
    public var labelColumn: String?
    public var positiveLabel: String
    public var negativeLabel: String
    /// `accept` or `reject`: a rejected run's halfspace still has its distribution-free bound, no more.
    public var verdict: String?

    public static let kind = "halfspace.tester-learner"

    /// - Throws: ``DataError`` located in `file` (the line of the offending key) for another
    ///   kind, missing weights, or sizes that disagree.
    public init(certificate c: Certificate, text: String, file: String) throws {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        func fail(_ path: [String], _ seen: String, _ expected: String) -> DataError {
            let (line, column) = JSONConfig.position(of: path.map(Key.init), in: text)
            return DataError(file: file, line: line, column: column, seen: seen, expected: expected)
        }
        guard c.kind == Self.kind else { throw fail(["kind"], "a '\(c.kind)' certificate", "a '\(Self.kind)' certificate written by halfspace learn") }
        func numbers(_ value: JSONValue?) -> [Double]? { value?.arrayValue?.compactMap(\.doubleValue) }
        guard let w = numbers(c.results["weights"]), !w.isEmpty, w.count == c.results["weights"]?.arrayValue?.count else {
            throw fail(["results", "weights"], "no weights", "results.weights: an array of numbers")
        }
        let d = w.count
        weights = w
        if let recorded = c.results["standardization"]?.objectValue {
            guard let mean = numbers(recorded["mean"]), let matrix = numbers(recorded["whitening"]), mean.count == d, matrix.count == d * d else {
                throw fail(["results", "standardization"], "a standardization of another size", "mean of \(d) and whitening of \(d * d) numbers (d = \(d) weights)")
            }
            standardization = try Standardization(mean: mean, whitening: matrix, fitRows: recorded["fit_rows"]?.intValue ?? 0)
        }
        if let recorded = c.results["intercept"]?.objectValue {
            guard let b = recorded["value"]?.doubleValue, b.isFinite else { throw fail(["results", "intercept"], "no intercept value", "results.intercept.value: a number") }
            intercept = b
        } else {
            intercept = 0
        }
        let columns = c.parameters["feature_columns"]?.arrayValue?.compactMap(\.stringValue) ?? (1...d).map { "x\($0)" }
        guard columns.count == d else {
            throw fail(["parameters", "feature_columns"], "\(columns.count) feature columns", "\(d), one per weight")
        }
        featureColumns = columns
        labelColumn = c.parameters["label_column"]?.stringValue
        positiveLabel = c.parameters["positive_label"]?.stringValue ?? "+1"
        negativeLabel = c.parameters["negative_label"]?.stringValue ?? "-1"
        verdict = c.results["verdict"]?.stringValue
    }

    /// Reads the certificate at `url`.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw DataError.unreadable(url, expected: "a certificate JSON file") }
        try self.init(certificate: try Certificate.decode(data, name: url.path), text: String(decoding: data, as: UTF8.self), file: url.path)
    }

    /// `⟨w, z⟩ + b` for a row of the feature columns, in order.
    public func score(_ x: [Double]) -> Double {
        let z = standardization?.apply(row: x) ?? x
        return zip(weights, z).reduce(intercept) { $0 + $1.0 * $1.1 }
    }

    /// The label `score(x) ≥ 0` predicts.
    public func label(_ x: [Double]) -> String { score(x) >= 0 ? positiveLabel : negativeLabel }
}
