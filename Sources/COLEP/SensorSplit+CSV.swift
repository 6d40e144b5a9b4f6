import Foundation
import ProbabilisticCircuits
import SuretyData

/// How the sensor columns of a data file are to be read.
public enum EstimateKind: String, Sendable, CaseIterable {
    /// Integer vote counts `0…N`: how many of `N` noisy copies the sensor said yes on.
    case votes
    /// Monte-Carlo mean probabilities in `[0, 1]` over `N` noisy copies.
    case mean
}

extension SensorSplit {
    /// Reads one split from CSV.
    ///
    /// Layout: a header row naming a `label` column and one column per variable of the
    /// knowledge base (classes and concepts, any order, each exactly once); then one row per
    /// sample: the class name in `label`, and each sensor's estimate — a vote count out of
    /// `draws` (`.votes`) or a mean probability (`.mean`).
    ///
    /// - Throws: ``DataError`` with file, line and column for a missing or unknown column, a
    ///   class name that is not a declared class, a count outside `0…draws` or a probability
    ///   outside `[0, 1]`, a short row, or an empty file.
    public static func readCSV(url: URL, knowledge: KnowledgeBase, kind: EstimateKind, draws: Int) throws -> SensorSplit {
        let reader = try CSVRecordReader(url: url)
        let file = reader.fileName
        guard draws >= 1 else {
            throw DataError(file: file, line: 1, column: 1, seen: "N = \(draws) draws", expected: "N ≥ 1 noise draws per estimate")
        }
        guard let header = try reader.nextRecord() else {
            throw DataError(file: file, line: 1, column: 1, seen: "an empty file", expected: "a header row: label, then one column per variable")
        }
        var columnOf = [Int](repeating: -1, count: knowledge.variables.count)
        var labelColumn = -1
        for (k, name) in header.fields.enumerated() {
            if name == "label" {
                guard labelColumn < 0 else {
                    throw DataError(file: file, line: header.line, column: header.columns[k], seen: "a second 'label' column", expected: "one label column")
                }
                labelColumn = k
            } else if let v = knowledge.index(of: name) {
                guard columnOf[v] < 0 else {
                    throw DataError(file: file, line: header.line, column: header.columns[k], seen: "a second column '\(name)'", expected: "each variable once")
                }
                columnOf[v] = k
            } else {
                throw DataError(file: file, line: header.line, column: header.columns[k], seen: "column '\(name)'",
                                expected: "'label' or a variable of the knowledge file")
            }
        }
        guard labelColumn >= 0 else {
            throw DataError(file: file, line: header.line, column: header.endColumn, seen: "no 'label' column", expected: "a column named 'label' with each sample's class")
        }
        if let missing = columnOf.firstIndex(of: -1) {
            throw DataError(file: file, line: header.line, column: header.endColumn, seen: "no column for variable '\(knowledge.variables[missing].name)'",
                            expected: "one column per variable of the knowledge file")
        }
        let classes = knowledge.variables(withRole: .class)
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { (knowledge.variables[$0.element].name, $0.offset) })
        var estimates: [[SmoothingEstimate]] = [], labels: [Int] = []
        while let record = try reader.nextRecord() {
            guard record.fields.count == header.fields.count else {
                throw DataError(file: file, line: record.line, column: record.endColumn, seen: "\(record.fields.count) fields",
                                expected: "\(header.fields.count) fields, as in the header")
            }
            let name = record.fields[labelColumn]
            guard let label = classIndex[name] else {
                throw DataError(file: file, line: record.line, column: record.columns[labelColumn], seen: "label '\(name)'",
                                expected: "one of the classes: \(classes.map { knowledge.variables[$0].name }.joined(separator: ", "))")
            }
            labels.append(label)
            estimates.append(try columnOf.map { k in
                let text = record.fields[k]
                switch kind {
                case .votes:
                    guard let count = Int(text), count >= 0, count <= draws else {
                        throw DataError(file: file, line: record.line, column: record.columns[k], seen: "'\(text)'",
                                        expected: "a vote count between 0 and N = \(draws)")
                    }
                    return .votes(count: count, draws: draws)
                case .mean:
                    guard let p = Double(text), p >= 0, p <= 1 else {
                        throw DataError(file: file, line: record.line, column: record.columns[k], seen: "'\(text)'",
                                        expected: "a mean probability in [0, 1]")
                    }
                    return .meanProbability(p, draws: draws)
                }
            })
        }
        guard !labels.isEmpty else {
            throw DataError(file: file, line: header.line + 1, column: 1, seen: "no data rows", expected: "one row per sample after the header")
        }
        return SensorSplit(estimates: estimates, labels: labels)
    }

    /// Writes the split as CSV in the layout ``readCSV(url:knowledge:kind:draws:)`` reads
    /// (votes as counts, means and exact values as probabilities), atomically.
    public func writeCSV(to url: URL, knowledge: KnowledgeBase) throws {
        let classes = knowledge.variables(withRole: .class)
        var text = (["label"] + knowledge.variables.map(\.name)).joined(separator: ",") + "\n"
        for (row, label) in zip(estimates, labels) {
            let fields = row.map { e -> String in
                switch e {
                case let .votes(count, _): return String(count)
                case let .meanProbability(p, _), let .exact(p): return String(p)
                }
            }
            text += ([knowledge.variables[classes[label]].name] + fields).joined(separator: ",") + "\n"
        }
        try AtomicFileWriter.write(Array(text.utf8), to: url)
    }
}
