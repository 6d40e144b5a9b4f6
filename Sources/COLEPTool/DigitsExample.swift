import COLEP
import Certificates
import CommandLineSupport
import Foundation
import ProbabilisticCircuits
import SuretyData
import SuretyNumerics

/// The embedded example: scikit-learn's handwritten digits (Examples/colep-digits), sensors
/// trained here, smoothed by Monte-Carlo votes.
enum DigitsExample {
    /// What an attack on the test images needs: the trained sensors and the clean images.
    struct AttackContext {
        var sensors: NoisyLinearSensors
        var roles: [NoisyLinearSensors.SensorRole]
        var testFeatures: Matrix
        var testLabels: [Int]
    }

    /// `Examples/colep-digits` of the source checkout this tool was built from.
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/colep-digits")
    }

    static var rulesURL: URL { directory.appendingPathComponent("digits.rules") }
    static var dataURL: URL { directory.appendingPathComponent("digits.csv") }

    /// Reads the images, splits them 60/20/20 (train/calibration/test) with the run's seed,
    /// trains the sensors at noise σ and returns Monte-Carlo votes for the last two splits.
    static func splits(predictor: COLEPPredictor, sigma: Double, draws: Int,
                       using rng: inout RandomStream) throws -> (SensorSplit, SensorSplit, [InputDigest], AttackContext) {
        let knowledge = predictor.correction.knowledge
        let table = try NumericTable.readCSV(url: dataURL, options: .init(label: .name("label")))
        let classNames = predictor.classes.map { knowledge.variables[$0].name }
        let labels = try (table.labels ?? []).enumerated().map { (i, name) -> Int in
            guard let c = classNames.firstIndex(of: name) else {
                throw DataError(file: dataURL.path, line: i + 2, column: 1, seen: "label '\(name)'",
                                expected: "a class of the knowledge file (\(classNames.joined(separator: ", ")))")
            }
            return c
        }
        // Pixels are counts 0…16: scale to [0, 1].
        let pixels = try Matrix(rows: table.features.rows, columns: table.features.columns,
                                columnMajor: table.features.storage.map { $0 / 16 })
        var order = Array(0..<labels.count)
        order.shuffle(using: &rng)
        let trainEnd = labels.count * 3 / 5, calibrationEnd = labels.count * 4 / 5
        func rows(_ r: ArraySlice<Int>) throws -> (Matrix, [Int]) {
            (try Matrix(r.map { i in (0..<pixels.columns).map { pixels[i, $0] } }), r.map { labels[$0] })
        }
        let (trainX, trainY) = try rows(order[..<trainEnd])
        let (calX, calY) = try rows(order[trainEnd..<calibrationEnd])
        let (testX, testY) = try rows(order[calibrationEnd...])

        let concepts = knowledge.variables(withRole: .concept)
        let truth = predictor.classes.indices.map { c in concepts.map { predictor.truth(of: $0, forClass: c) } }
        let roles = knowledge.variables.indices.map { v -> NoisyLinearSensors.SensorRole in
            if let c = predictor.classes.firstIndex(of: v) { return .class(c) }
            return .concept(concepts.firstIndex(of: v)!)
        }
        StandardError.print("colep: digits example: training \(classNames.count) class and \(concepts.count) concept sensors on \(trainY.count) images (σ = \(sigma))")
        let sensors = try NoisyLinearSensors.train(features: trainX, labels: trainY, classes: classNames.count,
                                                   conceptTruth: truth, sigma: sigma, using: &rng)
        StandardError.print("colep: smoothing \(calY.count) calibration and \(testY.count) test images with N = \(draws) noise draws")
        let calibration = SensorSplit(estimates: try sensors.votes(calX, draws: draws, variables: roles, using: &rng), labels: calY)
        let test = SensorSplit(estimates: try sensors.votes(testX, draws: draws, variables: roles, using: &rng), labels: testY)

        return (calibration, test, [try InputDigest.of(file: dataURL, recordedPath: "Examples/colep-digits/digits.csv"),
                                    try InputDigest.of(file: rulesURL, recordedPath: "Examples/colep-digits/digits.rules")],
                AttackContext(sensors: sensors, roles: roles, testFeatures: testX, testLabels: testY))
    }
}
