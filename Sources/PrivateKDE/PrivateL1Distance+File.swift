import Certificates
import Foundation
import SuretyData

extension PrivateL1Distance {
    public static let fileKind = "dpkde.l1-distance"

    /// The structure as a ``PrivateStructureFile``: public parameters in the header, the noisy
    /// node counts in the body (level by level, coordinate by coordinate).
    public func fileBytes() throws -> [UInt8] {
        let first = trees[0]
        let header: [String: JSONValue] = [
            "kind": .string(Self.fileKind),
            "alpha": .number(alpha),
            "levels": .integer(first.levels),
            "epsilon_per_coordinate": .number(first.epsilon),
            "epsilon": .number(first.epsilon * Double(trees.count)),
            "neighbours": .string(first.relation.rawValue),
            "noise_scale": .number(first.noiseScale),
            "domains": .array(trees.map { .array([.number($0.domain.lower), .number($0.domain.upper)]) }),
            "noise": .string(securelyGenerated ? PrivacyStatement.secure : PrivacyStatement.seeded),
            "privacy": privacy.json,
        ]
        return try PrivateStructureFile.encode(header: header, body: trees.flatMap { $0.noisyCounts.flatMap { $0.map(Double.init) } })
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
        guard let alpha = header["alpha"]?.doubleValue, let levels = header["levels"]?.intValue, (1...24).contains(levels),
              let epsilon = header["epsilon_per_coordinate"]?.doubleValue, let scale = header["noise_scale"]?.doubleValue,
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let domains = header["domains"]?.arrayValue, let noise = header["noise"]?.stringValue else {
            throw bad("a header missing public parameters")
        }
        let perTree = (1...levels).reduce(0) { $0 + (1 << $1) }
        guard body.count == perTree * domains.count else { throw bad("\(body.count) counts for \(domains.count) coordinates of \(levels) levels") }
        var trees: [PrivateCountTree] = []
        for (j, pair) in domains.enumerated() {
            guard let ends = pair.arrayValue, ends.count == 2, let lo = ends[0].doubleValue, let hi = ends[1].doubleValue else {
                throw bad("domain \(j) that is not [lower, upper]")
            }
            var counts: [[Int64]] = [], k = j * perTree
            for level in 1...levels {
                counts.append(body[k..<(k + (1 << level))].map { Int64($0) })
                k += 1 << level
            }
            trees.append(PrivateCountTree(domain: try PublicInterval(lo, hi), levels: levels, epsilon: epsilon, relation: relation,
                                          noiseScale: scale, noisyCounts: counts))
        }
        self.init(trees: trees, alpha: alpha, securelyGenerated: noise == PrivacyStatement.secure)
    }

    /// The privacy statement of the release (pure ε, basic composition over the coordinates).
    public var privacy: PrivacyStatement {
        let first = trees[0], epsilon = first.epsilon * Double(trees.count)
        return PrivacyStatement(budget: PrivacyBudget(checkedEpsilon: epsilon), relation: first.relation,
                                securelyGenerated: securelyGenerated,
                                accounting: "one count tree per coordinate at ε/d = \(first.epsilon) (basic composition over d = \(trees.count)); "
                                    + "discrete Laplace of scale \(first.noiseScale) on every node of levels 1…\(first.levels) (ℓ1 sensitivity \(first.relation.levelSensitivity) per level)")
    }
}
