import Certificates
import Foundation
import SuretyData
import SuretyNumerics

extension PrivateGaussianKDE {
    public static let fileKind = "dpkde.gaussian-kernel"

    /// The structure as a ``PrivateStructureFile``: public parameters in the header; the body
    /// holds the random features (`d × m` frequencies, column-major, then `m` phases — public,
    /// data-independent) and the `m` noisy feature sums.
    public func fileBytes() throws -> [UInt8] {
        let header: [String: JSONValue] = [
            "kind": .string(Self.fileKind),
            "bandwidth": .number(bandwidth),
            "dimension": .integer(frequencies.rows),
            "features": .integer(phases.count),
            "epsilon": .number(epsilon),
            "neighbours": .string(relation.rawValue),
            "count": .number(count),
            "feature_noise_variance": .number(featureNoiseVariance),
            "count_noise_variance": .number(countNoiseVariance),
            "fraction_bits": .integer(Self.fractionBits),
            "noise": .string(securelyGenerated ? "system secure generator" : "seeded generator: NOT PRIVATE, for tests only"),
        ]
        return try PrivateStructureFile.encode(header: header, body: frequencies.storage + phases + noisyFeatureSums)
    }

    /// Reads a structure written by ``fileBytes()``.
    ///
    /// - Throws: ``DataError`` for a damaged file, another kind, or inconsistent parameters.
    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body) = try PrivateStructureFile.decode(bytes, name: name)
        func bad(_ seen: String) -> DataError {
            DataError(file: name, line: 1, column: 1, seen: seen, expected: "a '\(Self.fileKind)' file written by Surety")
        }
        guard header["kind"]?.stringValue == Self.fileKind else { throw bad("kind \(header["kind"].map { "\($0)" } ?? "none")") }
        guard let h = header["bandwidth"]?.doubleValue, let d = header["dimension"]?.intValue, let m = header["features"]?.intValue,
              d >= 1, m >= 1, let epsilon = header["epsilon"]?.doubleValue, let count = header["count"]?.doubleValue,
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let featureVariance = header["feature_noise_variance"]?.doubleValue,
              let countVariance = header["count_noise_variance"]?.doubleValue, let noise = header["noise"]?.stringValue else {
            throw bad("a header missing public parameters")
        }
        guard body.count == d * m + 2 * m else { throw bad("\(body.count) values for d = \(d), m = \(m)") }
        self.init(bandwidth: h, frequencies: try Matrix(rows: d, columns: m, columnMajor: Array(body[0..<(d * m)])),
                  phases: Array(body[(d * m)..<(d * m + m)]), noisyFeatureSums: Array(body[(d * m + m)...]), count: count,
                  epsilon: epsilon, relation: relation, featureNoiseVariance: featureVariance, countNoiseVariance: countVariance,
                  securelyGenerated: noise == "system secure generator")
    }
}
