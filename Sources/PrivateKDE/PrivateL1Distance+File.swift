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
        let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: Self.fileKind)
        let (structure, used) = try Self.read(header: header, bad: bad, checks: checks, start: 0)
        try checks.bodyCount(used, "\(structure.trees.count) coordinate trees")
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

    /// Reads the structure from header fields and the body values from `start` on; returns it
    /// and the number of body values used. Every field is checked (``StructureFileChecks``): α finite
    /// and at least ``minimumAlpha`` (a smaller one makes a query's rings innumerable), the noise
    /// scale finite and positive, each domain wide enough for its leaves, each count an integer.
    static func read(header: [String: JSONValue], bad: (String) -> DataError, checks: StructureFileChecks,
                     start: Int) throws -> (PrivateL1Distance, Int) {
        let alpha = try checks.number("alpha", "a finite α ≥ \(minimumAlpha)") { $0 >= minimumAlpha }
        let levels = try checks.integer("levels", in: 1...24)
        let scale = try checks.number("noise_scale", "a finite noise scale > 0") { $0 > 0 }
        guard let nodeNoise = header["node_noise"]?.stringValue, ["discrete Laplace", "discrete Gaussian"].contains(nodeNoise),
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let privacy = PrivacyStatement(json: header["privacy"]), privacy.budget.isPure == (nodeNoise == "discrete Laplace"),
              privacy.relation == relation else {
            throw bad("a header missing public parameters, or whose node noise, neighbours and privacy statement disagree")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        if let j = domains.firstIndex(where: { !$0.allowsLeaves(levels: levels) }) {
            throw checks.headerError("domains", "[\(j)] = [\(domains[j].lower), \(domains[j].upper)]",
                                     expected: "an interval wide enough for 2^\(levels) leaves of a normal width")
        }
        let perTree = (1...levels).reduce(0) { $0 + (1 << $1) }
        guard let used = StructureFileChecks.product(perTree, domains.count), checks.body.count - start >= used else {
            throw bad("\(checks.body.count - start) counts for \(domains.count) coordinates of \(levels) levels")
        }
        var trees: [PrivateCountTree] = []
        for (j, domain) in domains.enumerated() {
            var counts: [[Int64]] = [], k = start + j * perTree
            for level in 1...levels {
                counts.append(try checks.integers(k..<(k + (1 << level))))
                k += 1 << level
            }
            trees.append(PrivateCountTree(domain: domain, levels: levels, relation: relation, gaussianNoise: !privacy.budget.isPure,
                                          noiseScale: scale, noisyCounts: counts))
        }
        return (PrivateL1Distance(trees: trees, alpha: alpha, budget: privacy.budget, securelyGenerated: privacy.securelyGenerated), used)
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
