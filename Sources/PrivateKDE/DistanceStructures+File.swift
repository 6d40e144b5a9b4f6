import Certificates
import Foundation
import SuretyData
import SuretyNumerics

// File forms of the other distance structures, in the layout of ``PrivateStructureFile``:
// public parameters and the privacy statement in the header, noisy values in the body.

extension PrivatePrefixL1Distance {
    public static let fileKind = "dpkde.l1-prefix-distance"

    /// Header: levels, ε, relation, node variances, domains, privacy. Body: per coordinate the
    /// noisy node counts (level by level), then the noisy node sums.
    public func fileBytes() throws -> [UInt8] {
        let header: [String: JSONValue] = [
            "kind": .string(Self.fileKind), "levels": .integer(levels), "epsilon": .number(epsilon),
            "neighbours": .string(relation.rawValue), "count_variance": .number(countVariance), "sum_variance": .number(sumVariance),
            "domains": PublicInterval.json(coordinates.map(\.domain)), "privacy": privacy.json,
        ]
        let body = coordinates.flatMap { c in c.counts.flatMap { $0.map(Double.init) } + c.sums.flatMap { $0.map(Double.init) } }
        return try PrivateStructureFile.encode(header: header, body: body)
    }

    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        guard let levels = header["levels"]?.intValue, (1...20).contains(levels), let epsilon = header["epsilon"]?.doubleValue,
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let countVariance = header["count_variance"]?.doubleValue, let sumVariance = header["sum_variance"]?.doubleValue,
              let privacy = PrivacyStatement(json: header["privacy"]) else {
            throw bad("a header missing public parameters")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        let perLevelSet = (1...levels).reduce(0) { $0 + (1 << $1) }
        guard body.count == 2 * perLevelSet * domains.count else { throw bad("\(body.count) body values for \(domains.count) coordinates") }
        var k = 0
        func levelsOfValues() -> [[Int64]] {
            (1...levels).map { level in
                defer { k += 1 << level }
                return body[k..<(k + (1 << level))].map { Int64($0) }
            }
        }
        let coordinates = domains.map { domain in
            let counts = levelsOfValues()
            return Coordinate(domain: domain, counts: counts, sums: levelsOfValues())
        }
        self.init(coordinates: coordinates, levels: levels, epsilon: epsilon, relation: relation, countVariance: countVariance,
                  sumVariance: sumVariance, securelyGenerated: privacy.securelyGenerated)
    }
}

extension PrivateL2Distance {
    public static let fileKind = "dpkde.l2-distance"

    /// Header: the ℓ1 structure's fields, the projection's shape, privacy. Body: the public
    /// projection `G` (k × d, column-major), then the ℓ1 trees' noisy counts.
    public func fileBytes() throws -> [UInt8] {
        var header = l1.headerFields
        header["kind"] = .string(Self.fileKind)
        header["projection_rows"] = .integer(projection.rows)
        header["dimension"] = .integer(projection.columns)
        header["privacy"] = privacy.json
        return try PrivateStructureFile.encode(header: header, body: projection.storage + l1.body)
    }

    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        guard let k = header["projection_rows"]?.intValue, k >= 1, let d = header["dimension"]?.intValue, d >= 1, body.count >= k * d else {
            throw bad("a header missing the projection's shape")
        }
        let projection = try Matrix(rows: k, columns: d, columnMajor: Array(body[0..<(k * d)]))
        let (l1, used) = try PrivateL1Distance.read(header: header, body: Array(body[(k * d)...]), bad: bad)
        guard l1.trees.count == k, k * d + used == body.count else { throw bad("\(body.count) body values for k = \(k), d = \(d)") }
        self.init(projection: projection, l1: l1)
    }
}

extension PrivateSquaredL2Distance {
    public static let fileKind = "dpkde.squared-l2-distance"

    /// Header: variances, count, ε, relation, domains, privacy. Body: the noisy `Σx` (d values)
    /// and the noisy `Σ‖x‖²`.
    public func fileBytes() throws -> [UInt8] {
        let header: [String: JSONValue] = [
            "kind": .string(Self.fileKind), "count": .number(count), "epsilon": .number(epsilon), "neighbours": .string(relation.rawValue),
            "sum_variance": .number(sumVariance), "squares_variance": .number(squaresVariance), "count_variance": .number(countVariance),
            "domains": PublicInterval.json(domains), "privacy": privacy.json,
        ]
        return try PrivateStructureFile.encode(header: header, body: sum + [sumOfSquares])
    }

    public init(fileBytes bytes: [UInt8], name: String) throws {
        let (header, body, bad) = try PrivateStructureFile.decode(bytes, name: name, kind: Self.fileKind)
        guard let count = header["count"]?.doubleValue, let epsilon = header["epsilon"]?.doubleValue,
              let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let sumVariance = header["sum_variance"]?.doubleValue, let squaresVariance = header["squares_variance"]?.doubleValue,
              let countVariance = header["count_variance"]?.doubleValue, let privacy = PrivacyStatement(json: header["privacy"]) else {
            throw bad("a header missing public parameters")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        guard body.count == domains.count + 1 else { throw bad("\(body.count) body values for dimension \(domains.count)") }
        self.init(sum: Array(body.dropLast()), sumOfSquares: body[domains.count], count: count, sumVariance: sumVariance,
                  squaresVariance: squaresVariance, countVariance: countVariance, domains: domains, epsilon: epsilon, relation: relation,
                  securelyGenerated: privacy.securelyGenerated)
    }
}
