import Foundation
import ProbabilisticCircuits
import SuretyData
import SuretyNumerics
import Testing
@testable import COLEP

/// The two data layouts: CSV (names in a header) and NPY (class index, then variables in order).
@Suite struct DataFileTests {
    @Test func csvAndNPYCarryTheSameSplit() throws {
        let predictor = try PipelineTests.predictor()
        let knowledge = predictor.correction.knowledge
        var rng = RandomStream(seed: 9)
        let data = try SyntheticKnowledgeData(predictor: predictor, count: 40, using: &rng)
        let split = SensorSplit(estimates: try SyntheticKnowledgeData.votes(data.inputs, sigma: 0.5, draws: 50, using: &rng), labels: data.labels)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colep-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let csv = directory.appendingPathComponent("split.csv")
        try split.writeCSV(to: csv, knowledge: knowledge)
        let fromCSV = try SensorSplit.read(url: csv, knowledge: knowledge, kind: .votes, draws: 50)
        #expect(fromCSV.labels == split.labels && fromCSV.estimates == split.estimates)

        let values = zip(split.labels, split.estimates).flatMap { label, row in
            [Double(label)] + row.map { e -> Double in if case let .votes(count, _) = e { return Double(count) } else { return -1 } }
        }
        let npy = directory.appendingPathComponent("split.npy")
        try NPY.write(NPYArray(shape: [40, 26], values: values), to: npy)
        let fromNPY = try SensorSplit.read(url: npy, knowledge: knowledge, kind: .votes, draws: 50)
        #expect(fromNPY.labels == split.labels && fromNPY.estimates == split.estimates)

        // Out of range, wrong shape, a fractional class: each refused with what was seen.
        var bad = values
        bad[26 * 3 + 5] = 51
        try NPY.write(NPYArray(shape: [40, 26], values: bad), to: npy)
        let tooMany = #expect(throws: DataError.self) { try SensorSplit.read(url: npy, knowledge: knowledge, kind: .votes, draws: 50) }
        #expect(tooMany?.seen.contains("row 3") == true)
        try NPY.write(NPYArray(shape: [40, 26], values: values.map { $0 / 100 }), to: npy)
        #expect(throws: DataError.self) { try SensorSplit.read(url: npy, knowledge: knowledge, kind: .votes, draws: 50) }
        try NPY.write(NPYArray(shape: [26, 40], values: values), to: npy)
        #expect(throws: DataError.self) { try SensorSplit.read(url: npy, knowledge: knowledge, kind: .votes, draws: 50) }

        // CSV: an unknown class and a missing column.
        try "label,\(knowledge.variables.map(\.name).joined(separator: ","))\nlabel99,\(Array(repeating: "1", count: 25).joined(separator: ","))\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: DataError.self) { try SensorSplit.read(url: csv, knowledge: knowledge, kind: .votes, draws: 50) }
        #expect(unknown?.line == 2 && unknown?.column == 1)
        try "label,label0\nlabel0,1\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(throws: DataError.self) { try SensorSplit.read(url: csv, knowledge: knowledge, kind: .votes, draws: 50) }
    }
}
