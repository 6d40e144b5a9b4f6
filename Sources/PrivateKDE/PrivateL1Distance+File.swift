import Certificates
import Foundation
import SuretyData

extension PrivateL1Distance {
    public static let fileKind = "dpkde.l1-distance"

    /// The structure as a ``PrivateStructureFile``: public parameters and the privacy statement
    /// in the header, the noisy node counts in the body (level by level, coordinate by coordinate).
    public func fileBytes() throws -> [UInt8] {
        var header = headerFields
        header["kind"] = .string(Self.fileKind)
        return try PrivateStructureFile.encode(header: header, body: body)
    }

    /// Reads a structure written by ``fileBytes()``.
    ///
    /// - Throws: ``DataError`` for a damaged file, another kind, or inconsistent parameters.
    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        let (structure, used) = try Self.read(header: header, body: body, bad: bad)
        guard used == body.count else { throw bad("\(body.count) body values, expected \(used)") }
        self = structure
    }

    var headerFields: [String: JSONValue] {
        let first = trees[0]
        return [
            "alpha": .number(alpha),
            "levels": .integer(first.levels),
            "neighbours": .string(first.relation.rawValue),
            "node_noise": .string(first.gaussianNoise ? "discrete Gaussian" : "discrete Laplace"),
            "noise_scale": .number(first.noiseScale),
            "domains": PublicInterval.json(trees.map(\.domain)),
            "privacy": privacy.json,
        ]
    }

    var body: [Double] { trees.flatMap { $0.noisyCounts.flatMap { $0.map(Double.init) } } }

    /// Reads the structure from header fields and the front of a body; returns it and the
    /// number of body values used.
    static func read(header: [String: JSONValue], body: [Double], bad: (String) -> DataError) throws -> (PrivateL1Distance, Int) {
        guard let alpha = header["alpha"]?.doubleValue, let levels = header["levels"]?.intValue, (1...24).contains(levels),
              let scale = header["noise_scale"]?.doubleValue, let nodeNoise = header["node_noise"]?.stringValue,
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let privacy = PrivacyStatement(json: header["privacy"]), privacy.budget.isPure == (nodeNoise == "discrete Laplace") else {
            throw bad("a header missing public parameters")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        let perTree = (1...levels).reduce(0) { $0 + (1 << $1) }
        guard body.count >= perTree * domains.count else { throw bad("\(body.count) counts for \(domains.count) coordinates of \(levels) levels") }
        var trees: [PrivateCountTree] = []
        for (j, domain) in domains.enumerated() {
            var counts: [[Int64]] = [], k = j * perTree
            for level in 1...levels {
                counts.append(body[k..<(k + (1 << level))].map { Int64($0) })
                k += 1 << level
            }
            trees.append(PrivateCountTree(domain: domain, levels: levels, relation: relation, gaussianNoise: !privacy.budget.isPure,
                                          noiseScale: scale, noisyCounts: counts))
        }
        return (PrivateL1Distance(trees: trees, alpha: alpha, budget: privacy.budget, securelyGenerated: privacy.securelyGenerated),
                perTree * domains.count)
    }
}

extension PublicInterval {
    /// Intervals as a JSON array of `[lower, upper]` pairs.
    static func json(_ intervals: [PublicInterval]) -> JSONValue {
        .array(intervals.map { .array([.number($0.lower), .number($0.upper)]) })
    }

    /// Intervals from ``json(_:)``'s form.
    static func read(_ value: JSONValue?, bad: (String) -> DataError) throws -> [PublicInterval] {
        guard let pairs = value?.arrayValue, !pairs.isEmpty else { throw bad("a header without its domain intervals") }
        return try pairs.enumerated().map { j, pair in
            guard let ends = pair.arrayValue, ends.count == 2, let lo = ends[0].doubleValue, let hi = ends[1].doubleValue,
                  let interval = try? PublicInterval(lo, hi) else { throw bad("domain \(j) that is not [lower, upper] with lower < upper") }
            return interval
        }
    }
}
