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

    /// Reads one split from an NPY array of shape `samples × (1 + variables)`: column 0 the
    /// class index (`0..<classes`, declaration order), then each variable's estimate in
    /// knowledge-base order (vote counts out of `draws`, or mean probabilities).
    ///
    /// - Throws: ``DataError`` for a malformed file, a wrong shape, or a value out of range
    ///   (the message names the row and column; line 1 is the NPY header).
    public static func readNPY(url: URL, knowledge: KnowledgeBase, kind: EstimateKind, draws: Int) throws -> SensorSplit {
        let array = try NPY.read(url: url)
        let variables = knowledge.variables.count, classes = knowledge.variables(withRole: .class).count
        func problem(_ seen: String, _ expected: String) -> DataError {
            DataError(file: url.path, line: 1, column: 1, seen: seen, expected: expected)
        }
        guard draws >= 1 else { throw problem("N = \(draws) draws", "N ≥ 1 noise draws per estimate") }
        guard array.shape.count == 2, array.shape[1] == variables + 1, array.shape[0] >= 1 else {
            throw problem("an array of shape \(array.shape)", "shape (samples, \(variables + 1)): the class index, then one column per variable")
        }
        let matrix = try array.matrix()
        var estimates: [[SmoothingEstimate]] = [], labels: [Int] = []
        for i in 0..<matrix.rows {
            let c = matrix[i, 0]
            guard c >= 0, c < Double(classes), c == c.rounded() else {
                throw problem("class \(c) in row \(i)", "a class index in 0..<\(classes)")
            }
            labels.append(Int(c))
            estimates.append(try (0..<variables).map { v in
                let x = matrix[i, v + 1]
                switch kind {
                case .votes:
                    guard x >= 0, x <= Double(draws), x == x.rounded() else {
                        throw problem("\(x) in row \(i), column '\(knowledge.variables[v].name)'", "a vote count between 0 and N = \(draws)")
                    }
                    return .votes(count: Int(x), draws: draws)
                case .mean:
                    guard x >= 0, x <= 1 else {
                        throw problem("\(x) in row \(i), column '\(knowledge.variables[v].name)'", "a mean probability in [0, 1]")
                    }
                    return .meanProbability(x, draws: draws)
                }
            })
        }
        return SensorSplit(estimates: estimates, labels: labels)
    }

    /// Reads a split from CSV or, for a `.npy` file, from NPY.
    public static func read(url: URL, knowledge: KnowledgeBase, kind: EstimateKind, draws: Int) throws -> SensorSplit {
        url.pathExtension.lowercased() == "npy"
            ? try readNPY(url: url, knowledge: knowledge, kind: kind, draws: draws)
            : try readCSV(url: url, knowledge: knowledge, kind: kind, draws: draws)
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
