import Certificates
import Foundation
import PrivateKDE
import SuretyData
import SuretyNumerics

/// The embedded classification examples (Examples/dpkde-classify): scikit-learn's digits
/// (shared with Examples/colep-digits) and breast_cancer, each split 80/20 by a seeded shuffle,
/// with public domains from the data's documentation (pixels 0–16; the breast-cancer feature
/// ranges of scikit-learn's dataset description).
enum ClassificationExamples {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples")
    }

    static func all(seed: UInt64, bandwidth: Double) throws -> [Classify.Task] {
        let digits = root.appendingPathComponent("colep-digits/digits.csv")
        let cancer = root.appendingPathComponent("dpkde-classify/breast_cancer.csv")
        let cancerBounds = root.appendingPathComponent("dpkde-classify/breast_cancer.bounds.csv")
        let boundsTable = try NumericTable.readCSV(url: cancerBounds, options: .init(label: .index(0)))
        let cancerDomain = try (0..<boundsTable.features.rows).map { try PublicInterval(boundsTable.features[$0, 0], boundsTable.features[$0, 1]) }
        return [
            try task("digits", digits, domain: { Array(repeating: try PublicInterval(0, 16), count: $0) }, seed: seed, bandwidth: bandwidth),
            try task("breast_cancer", cancer, domain: { _ in cancerDomain }, seed: seed, bandwidth: bandwidth,
                     extraInputs: [try InputDigest.of(file: cancerBounds, recordedPath: "Examples/dpkde-classify/breast_cancer.bounds.csv")]),
        ]
    }

    static func task(_ name: String, _ url: URL, domain: (Int) throws -> [PublicInterval], seed: UInt64, bandwidth: Double,
                     extraInputs: [InputDigest] = []) throws -> Classify.Task {
        let table = try NumericTable.readCSV(url: url, options: .init(label: .name("label")))
        let labels = table.labels ?? []
        var rng = RandomStream(seed: seed)
        var order = Array(0..<table.features.rows)
        order.shuffle(using: &rng)
        let cut = order.count * 4 / 5
        func subset(_ rows: ArraySlice<Int>) throws -> NumericTable {
            let matrix = try Matrix(rows: rows.count, columns: table.features.columns,
                                    rowMajor: rows.flatMap { table.features.row($0) })
            return NumericTable(columnNames: table.columnNames, features: matrix, labels: rows.map { labels[$0] }, labelName: table.labelName)
        }
        return Classify.Task(name: name, train: try subset(order[..<cut]), test: try subset(order[cut...]),
                             classes: Array(Set(labels)).sorted(), domain: try domain(table.features.columns), bandwidth: bandwidth,
                             inputs: [try InputDigest.of(file: url, recordedPath: "Examples/" + url.pathComponents.suffix(2).joined(separator: "/"))] + extraInputs)
    }
}
