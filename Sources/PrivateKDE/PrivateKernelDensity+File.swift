import Certificates
import Foundation
import SuretyData
import SuretyNumerics

extension RandomFeatures {
    /// The features' public parameters as header fields.
    var headerFields: [String: JSONValue] {
        [
            "kernel": .string(kernel.rawValue),
            "bandwidth": .number(bandwidth),
            "dimension": .integer(dimension),
            "features": .integer(count),
            "projected_dimension": projection.map { .integer($0.columns) } ?? .null,
            "feature_seed": .string(String(seed)),
            "domain": domain.map(PublicInterval.json) ?? .null,
        ]
    }

    /// Reads the features from a header and the front of a body; returns them and the number
    /// of body values they used.
    static func read(header: [String: JSONValue], body: [Double], bad: (String) -> DataError) throws -> (RandomFeatures, Int) {
        guard let kernel = header["kernel"]?.stringValue.flatMap(SimilarityKernel.init(rawValue:)),
              let h = header["bandwidth"]?.doubleValue, h > 0, let d = header["dimension"]?.intValue, d >= 1,
              let m = header["features"]?.intValue, m >= 1, let seed = header["feature_seed"]?.stringValue.flatMap({ UInt64($0) }) else {
            throw bad("a header missing the random features' parameters")
        }
        var domain: [PublicInterval]?
        if let value = header["domain"], value != .null {
            domain = try PublicInterval.read(value, bad: bad)
            guard domain?.count == d else { throw bad("\(domain?.count ?? 0) domain intervals for dimension \(d)") }
        }
        let k = header["projected_dimension"]?.intValue
        if let k, k < 1 { throw bad("projected dimension \(k)") }
        let inner = k ?? d
        let used = (k.map { d * $0 } ?? 0) + inner * m + m
        guard body.count >= used else { throw bad("\(body.count) values for d = \(d), m = \(m)") }
        let projection = try k.map { try Matrix(rows: d, columns: $0, columnMajor: Array(body[0..<(d * $0)])) }
        let start = projection?.storage.count ?? 0
        let frequencies = try Matrix(rows: inner, columns: m, columnMajor: Array(body[start..<(start + inner * m)]))
        let phases = Array(body[(start + inner * m)..<used])
        return (RandomFeatures(kernel: kernel, bandwidth: h, dimension: d, seed: seed, projection: projection,
                               frequencies: frequencies, phases: phases, domain: domain), used)
    }
}

extension PrivateKernelDensity {
    public static let fileKind = "dpkde.kernel-density"

    /// The structure as a ``PrivateStructureFile``: the public parameters and the privacy
    /// statement in the header; the body holds the public random features (projection,
    /// frequencies column-major, phases) and the `m` noisy sums.
    public func fileBytes() throws -> [UInt8] {
        var header = features.headerFields
        header["kind"] = .string(Self.fileKind)
        header["count"] = .number(count)
        header["sum_noise_variance"] = .number(sumNoiseVariance)
        header["count_noise_variance"] = .number(countNoiseVariance)
        header["fraction_bits"] = .integer(fractionBits)
        header["privacy"] = privacy.json
        return try PrivateStructureFile.encode(header: header, body: features.body + noisySums)
    }

    /// Reads a structure written by ``fileBytes()``.
    ///
    /// - Throws: ``DataError`` for a damaged file, another kind, or inconsistent parameters.
    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        let (features, used) = try RandomFeatures.read(header: header, body: body, bad: bad)
        guard let count = header["count"]?.doubleValue, let sumVariance = header["sum_noise_variance"]?.doubleValue,
              let countVariance = header["count_noise_variance"]?.doubleValue, let bits = header["fraction_bits"]?.intValue,
              let privacy = PrivacyStatement(json: header["privacy"]) else {
            throw bad("a header missing public parameters")
        }
        guard body.count == used + features.count else { throw bad("\(body.count) values for \(features.count) features") }
        self.init(features: features, noisySums: Array(body[used...]), count: count, sumNoiseVariance: sumVariance,
                  countNoiseVariance: countVariance, fractionBits: bits, privacy: privacy)
    }
}

extension KernelFeatureSums {
    public static let fileKind = "dpkde.kernel-statistics"

    /// The un-noised statistics as a ``PrivateStructureFile`` (a *partial* build). The header
    /// says `"sensitive"`: this file is as sensitive as the shard it summarizes. Each 64-bit sum
    /// is stored exactly as two Float64 values (high and low 32 bits).
    public func fileBytes() throws -> [UInt8] {
        var header = features.headerFields
        header["kind"] = .string(Self.fileKind)
        header["count"] = .integer(count)
        header["sensitive"] = .string("UN-NOISED statistics: as sensitive as the data; release them only through `dpkde merge`")
        let exact = sums.flatMap { [Double($0 >> 32), Double($0 & 0xffff_ffff)] }
        return try PrivateStructureFile.encode(header: header, body: features.body + exact)
    }

    /// Reads statistics written by ``fileBytes()``.
    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        let (features, used) = try RandomFeatures.read(header: header, body: body, bad: bad)
        guard let count = header["count"]?.intValue, count >= 0 else { throw bad("a header without the point count") }
        guard body.count == used + 2 * features.count else { throw bad("\(body.count) values for \(features.count) features") }
        var sums: [Int64] = []
        for j in 0..<features.count {
            let high = body[used + 2 * j], low = body[used + 2 * j + 1]
            guard high == high.rounded(), abs(high) < 2_147_483_648, low == low.rounded(), low >= 0, low < 4_294_967_296 else {
                throw bad("sum \(j) that is not a 64-bit integer")
            }
            sums.append(Int64(high) << 32 | Int64(low))
        }
        self.init(features: features, sums: sums, count: count)
    }
}

extension PrivateStructureFile {
    /// ``decode(_:name:)`` for a file that must be of `kind`; also returns the error maker
    /// for inconsistent contents.
    static func decode(_ bytes: [UInt8], name: String, kind: String)
        throws -> (header: [String: JSONValue], body: [Double], bad: (String) -> DataError) {
        let (header, body) = try decode(bytes, name: name)
        let bad: (String) -> DataError = { seen in
            DataError(file: name, line: 1, column: 1, seen: seen, expected: "a '\(kind)' file written by Surety")
        }
        guard header["kind"]?.stringValue == kind else { throw bad("kind \(header["kind"].map { "\($0)" } ?? "none")") }
        return (header, body, bad)
    }
}
