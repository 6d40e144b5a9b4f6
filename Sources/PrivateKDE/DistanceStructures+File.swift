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
        let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: Self.fileKind)
        let levels = try checks.integer("levels", in: 1...20)
        let epsilon = try checks.number("epsilon", "a finite ε > 0") { $0 > 0 }
        let countVariance = try checks.number("count_variance", "a finite variance > 0") { $0 > 0 }
        let sumVariance = try checks.number("sum_variance", "a finite variance > 0") { $0 > 0 }
        guard let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let privacy = PrivacyStatement(json: header["privacy"]), privacy.budget.isPure, privacy.budget.epsilon == epsilon,
              privacy.relation == relation else {
            throw bad("a header missing public parameters, or whose ε and neighbours disagree with its privacy statement")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        if let j = domains.firstIndex(where: { !$0.allowsLeaves(levels: levels) }) {
            throw checks.headerError("domains", "[\(j)] = [\(domains[j].lower), \(domains[j].upper)]",
                                     expected: "an interval wide enough for 2^\(levels) leaves of a normal width")
        }
        let perLevelSet = (1...levels).reduce(0) { $0 + (1 << $1) }
        try checks.bodyCount(StructureFileChecks.product(2, perLevelSet, domains.count), "\(domains.count) coordinates of \(levels) levels")
        var k = 0
        func levelsOfValues() throws -> [[Int64]] {
            try (1...levels).map { level in
                defer { k += 1 << level }
                return try checks.integers(k..<(k + (1 << level)))
            }
        }
        let coordinates = try domains.map { domain in
            let counts = try levelsOfValues()
            return Coordinate(domain: domain, counts: counts, sums: try levelsOfValues())
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
        let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: Self.fileKind)
        let k = try checks.integer("projection_rows", in: 1...Int.max), d = try checks.integer("dimension", in: 1...Int.max)
        guard let size = StructureFileChecks.product(k, d), body.count >= size else {
            throw bad("\(body.count) body values, fewer than the projection's k = \(k) × d = \(d)")
        }
        let projection = try Matrix(rows: k, columns: d, columnMajor: try checks.finite(0..<size))
        let (l1, used) = try PrivateL1Distance.read(header: header, bad: bad, checks: checks, start: size)
        guard l1.trees.count == k else { throw checks.headerError("domains", "with \(l1.trees.count) intervals", expected: "one per projected coordinate (k = \(k))") }
        try checks.bodyCount(StructureFileChecks.sum(size, used), "k = \(k), d = \(d)")
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
        let checks = StructureFileChecks(bytes: bytes, header: header, body: body, name: name, kind: Self.fileKind)
        let count = try checks.number("count")
        let epsilon = try checks.number("epsilon", "a finite ε > 0") { $0 > 0 }
        let sumVariance = try checks.number("sum_variance", "a finite variance > 0") { $0 > 0 }
        let squaresVariance = try checks.number("squares_variance", "a finite variance > 0") { $0 > 0 }
        let countVariance = try checks.number("count_variance", "a finite variance ≥ 0") { $0 >= 0 }
        guard let relation = header["neighbours"]?.stringValue.flatMap(NeighbourRelation.init(rawValue:)),
              let privacy = PrivacyStatement(json: header["privacy"]), privacy.budget.isPure, privacy.budget.epsilon == epsilon,
              privacy.relation == relation else {
            throw bad("a header missing public parameters, or whose ε and neighbours disagree with its privacy statement")
        }
        let domains = try PublicInterval.read(header["domains"], bad: bad)
        try checks.bodyCount(domains.count + 1, "dimension \(domains.count)")
        let values = try checks.finite(0..<body.count)
        self.init(sum: Array(values.dropLast()), sumOfSquares: values[domains.count], count: count, sumVariance: sumVariance,
                  squaresVariance: squaresVariance, countVariance: countVariance, domains: domains, epsilon: epsilon, relation: relation,
                  securelyGenerated: privacy.securelyGenerated)
    }
}
