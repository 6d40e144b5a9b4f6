import ArgumentParser
import CommandLineSupport
import Foundation
import SuretyData
import TestableLearning

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score each row of a CSV with a learn certificate's halfspace (its standardization and intercept applied).",
        discussion: """
            Writes the rows (numeric columns, then the certificate's label column if the file has it) with two more columns: \
            score = ⟨w, z⟩ + b and prediction (the positive label iff score ≥ 0). The output appears complete or not at all. \
            The certificate's claim is not re-checked here: that is `halfspace verify`.
            """)

    @Option(help: "The certificate written by `halfspace learn` (kind halfspace.tester-learner).") var certificate: String
    @Argument(help: "CSV with a header row holding the certificate's feature columns (other numeric columns are copied).") var data: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Output CSV (written atomically).", valueName: "file")) var output: String

    func run() throws {
        try reportingErrors {
            let model = try HalfspacePredictor(contentsOf: URL(fileURLWithPath: certificate))
            let url = URL(fileURLWithPath: data)
            let names = try NumericCSVReader(url: url).columnNames
            let label = model.labelColumn.flatMap { names.contains($0) ? $0 : nil }
            let reader = try NumericCSVReader(url: url, options: .init(label: label.map { .name($0) }))
            let columns = try model.featureColumns.map { name in
                guard let k = reader.columnNames.firstIndex(of: name) else {
                    throw DataError(file: data, line: 1, column: 1, seen: "no column named '\(name)'",
                                    expected: "the certificate's \(model.featureColumns.count) feature columns: \(model.featureColumns.joined(separator: ", "))")
                }
                return k
            }
            let header = reader.columnNames + (label.map { [$0] } ?? []) + ["score", "prediction"]
            if let clash = ["score", "prediction"].first(where: { (reader.columnNames + (label.map { [$0] } ?? [])).contains($0) }) {
                throw DataError(file: data, line: 1, column: 1, seen: "a column already named '\(clash)'", expected: "no column named score or prediction (they are added)")
            }
            let writer = try CSVWriter(url: URL(fileURLWithPath: output), header: header)
            var rows = 0
            while let row = try reader.nextRow() {
                let score = model.score(columns.map { row.values[$0] })
                try writer.writeRow(fields: row.values.map { "\($0)" } + (row.label.map { [$0] } ?? []) + ["\(score)", score >= 0 ? model.positiveLabel : model.negativeLabel])
                rows += 1
            }
            guard rows > 0 else { throw DataError(file: data, line: 2, column: 1, seen: "no data rows", expected: "at least one row to score") }
            try writer.finish()
            if model.verdict != "accept" {
                StandardError.print("note: \(certificate) records the verdict '\(model.verdict ?? "none")': no near-optimality was certified for this halfspace")
            }
            StandardError.print("\(output): \(rows) rows scored with \(certificate) (d = \(model.weights.count)\(model.standardization == nil ? "" : ", standardized")\(model.intercept == 0 ? "" : ", intercept \(model.intercept)"))")
        }
    }
}
